/**
 * Where a run's time went: phases add up across calls, run.json carries them (with the rendering
 * of the reports as the `reports` phase), a re-rendered run keeps them as written, and no CSV
 * holds a timing.
 */
import { describe, expect, it } from 'vitest';
import { PhaseTimer, formatTimings } from '../src/pipeline/timings.js';
import { renderReports } from '../src/reports/index.js';
import { fixtureRun } from './report-fixture.js';

describe('phase timings', () => {
  it('sum each phase over its calls, in the order the phases first ran, and report progress', async () => {
    const events: string[] = [];
    const timer = new PhaseTimer((phase, done, total) => events.push(`${phase} ${done}/${total}`));
    const busy = (ms: number): void => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    timer.time('probe m', () => { busy(20); });
    await timer.timeAsync('embed m', async () => { busy(10); await Promise.resolve(); });
    timer.time('probe m', () => { busy(20); });
    timer.progress('probe m on d', 1, 2);
    const { phases, totalSeconds } = timer.timings();
    expect(phases.map((p) => p.phase)).toEqual(['probe m', 'embed m']);
    expect(phases[0]!.seconds).toBeGreaterThanOrEqual(0.04);
    expect(totalSeconds).toBeGreaterThanOrEqual(phases[0]!.seconds + phases[1]!.seconds);
    expect(events).toEqual(['probe m on d 1/2']);
    expect(formatTimings(timer.timings())).toMatch(/^timings \(wall seconds, total [\d.]+ s\):\n {2}probe m +[\d.]+ s/);
  });

  it('go into run.json with the reports phase, never into a CSV; a re-rendered run keeps them', async () => {
    const timings = { totalSeconds: 3, phases: [{ phase: 'embed m', seconds: 2 }] };
    const files = await renderReports({ ...fixtureRun(), timings });
    const runJson = JSON.parse(files.find((file) => file.path === 'run.json')!.content) as { timings: typeof timings };
    expect(runJson.timings.phases.map((p) => p.phase)).toEqual(['embed m', 'reports']);
    expect(runJson.timings.totalSeconds).toBeGreaterThan(3);
    for (const file of files.filter((f) => f.path.endsWith('.csv'))) expect(file.content).not.toMatch(/embed m|reports|timings/);
    const again = await renderReports({ ...fixtureRun(), timings: runJson.timings });
    expect(again.find((file) => file.path === 'run.json')!.content).toBe(files.find((file) => file.path === 'run.json')!.content);
  });
});
