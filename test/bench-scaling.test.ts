/**
 * The scaling benchmark's own machinery (bench/scaling.ts), without running a benchmark: the
 * generated datasets load through sensebench's WiC loader with every target still on its word
 * and every sentence distinct, the same seed gives the same bytes, the least-squares fit recovers
 * exact lines, and the linearity rows flag a super-linear step but not a concave curve. Plus bench/fresh-process.ts's
 * statistics against values worked out by hand.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fitLine, readWordnetWic, scalingRows, writeScaledDataset, type ScalingPoint } from '../bench/scaling.js';
import { median, rmePercent, runFresh, stderrExcerpt } from '../bench/fresh-process.js';
import { loadDataset } from '../src/datasets/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'sensebench-scaling-test-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('scaling datasets', () => {
  it('load as WiC, keep every target inside its original wordnet-wic sentence, and have 2N distinct sentences', async () => {
    const rows = await readWordnetWic();
    const dir = join(scratch, 'a');
    await writeScaledDataset(dir, 500, rows);
    const dataset = await loadDataset(dir);
    const pairs = [...dataset.splits.values()].flat();
    expect(dataset.format).toBe('wic');
    expect(pairs).toHaveLength(500);
    expect(new Set(pairs.flatMap((p) => [p.sentence1, p.sentence2])).size).toBe(1000);
    const byWord = new Map(rows.map((row) => [`${row.word}\t${row.sentence1}`, row]));
    for (const pair of pairs) {
      const [original, appended] = pair.sentence1.split(' ; ');
      expect(byWord.has(`${pair.word}\t${original!}`)).toBe(true);
      expect(appended!.length).toBeGreaterThan(0);
      // the span lies in the original sentence and covers a word form of the target
      expect(pair.spans1[0].end).toBeLessThanOrEqual(original!.length);
    }
    expect(new Set(pairs.map((p) => p.label))).toEqual(new Set([true, false]));
  });

  it('split into train and test folders on request, as the GloVe scaling runs use them', async () => {
    const rows = await readWordnetWic();
    const dir = join(scratch, 'split');
    await writeScaledDataset(dir, 300, rows, 11, { train: 0.7, test: 0.3 });
    const dataset = await loadDataset(dir);
    expect([...dataset.splits].map(([split, pairs]) => [split, pairs.length])).toEqual([['train', 210], ['test', 90]]);
  });

  it('are byte-identical for the same seed and differ for another', async () => {
    const rows = await readWordnetWic();
    await writeScaledDataset(join(scratch, 'b1'), 200, rows);
    await writeScaledDataset(join(scratch, 'b2'), 200, rows);
    await writeScaledDataset(join(scratch, 'b3'), 200, rows, 7);
    const read = (name: string): string => readFileSync(join(scratch, name, 'scale.data.txt'), 'utf8');
    expect(read('b1')).toBe(read('b2'));
    expect(read('b1')).not.toBe(read('b3'));
  });
});

describe('scaling fit and linearity', () => {
  it('least squares recovers an exact line and the mean of a flat one', () => {
    expect(fitLine([1, 5, 20].map((x) => ({ x, y: 3 + 0.5 * x })))).toEqual({ slope: 0.5, intercept: 3 });
    // y = 1, 2, 6 at x = 0, 1, 2: slope = sum((x-1)(y-3)) / sum((x-1)^2) = (2 + 0 + 3) / 2 = 2.5, intercept = 3 - 2.5
    expect(fitLine([{ x: 0, y: 1 }, { x: 1, y: 2 }, { x: 2, y: 6 }])).toEqual({ slope: 2.5, intercept: 0.5 });
  });

  it('linear costs meet the goal; a step above 1.2x the prediction misses it', () => {
    const linear: ScalingPoint[] = [10_000, 50_000, 200_000].map((size) => ({ size, seconds: 2 + size * 1e-5, peakRssMb: 200 + size * 0.001, cpuSeconds: 1 + size * 2e-5 }));
    const rows = scalingRows('g', 'm', 'pair', linear);
    const checks = rows.filter((row) => row.goal !== null);
    // The third size against the line through the first two: wall time, peak RSS, CPU time.
    expect(checks).toHaveLength(3);
    for (const row of checks) expect(row.ratio!).toBeCloseTo(1, 10);
    const perPair = rows.find((row) => row.unit === 'ms/pair')!;
    expect(perPair.value).toBeCloseTo(0.01, 12);
    expect(rows.find((row) => row.unit === 'KB/pair')!.value).toBeCloseTo(1.024, 10);

    // The largest run takes 1.5x what the line through the smaller two predicts.
    const stepped = linear.map((p) => (p.size === 200_000 ? { ...p, seconds: 1.5 * p.seconds } : p));
    const step = scalingRows('g', 'm', 'pair', stepped).find((row) => row.subject.includes('200,000 pairs: wall time vs linear'))!;
    expect(step.baselineValue).toBeCloseTo(4, 10);
    expect(step.ratio!).toBeCloseTo(1 / 1.5, 10);
    expect(step.ratio!).toBeLessThan(step.goal!);
  });

  it('a concave curve (fixed caps) passes, however far its middle size sits above the line through the ends', () => {
    // The cost per pair halves after 50k pairs (a capped analysis stops growing): 50k sits 1.5x
    // above the line through 10k and 200k, which the old all-others check flagged as super-linear.
    const cost = (size: number): number => 1 + Math.min(size, 50_000) * 1e-4 + Math.max(0, size - 50_000) * 0.2e-4;
    const concave: ScalingPoint[] = [10_000, 50_000, 200_000, 300_000].map((size) => ({ size, seconds: cost(size), peakRssMb: 100 * cost(size), cpuSeconds: cost(size) }));
    const checks = scalingRows('g', 'm', 'pair', concave).filter((row) => row.goal !== null);
    expect(checks).toHaveLength(6);
    expect(checks.map((row) => row.baseline)).toContain('line through 50,000 pairs and 200,000 pairs');
    for (const row of checks) expect(row.ratio!).toBeGreaterThanOrEqual(row.goal!);
    // and the line through 10k and 50k predicts 200k at 1 + 20 = 21 s, far above the measured 9 s
    const at200k = checks.find((row) => row.subject.includes('200,000 pairs: wall time'))!;
    expect(at200k.baselineValue).toBeCloseTo(21, 10);
  });
});

describe('fresh-process statistics', () => {
  it('median of odd and even lists', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('rme is the 95% t margin of the mean in percent', () => {
    // mean 2, sample sd 1, n 3: 4.303 * 1 / sqrt(3) / 2 * 100
    expect(rmePercent([1, 2, 3])).toBeCloseTo((4.303 / Math.sqrt(3) / 2) * 100, 10);
    expect(rmePercent([1])).toBeNull();
  });

  it("a failed child's error keeps the head and the tail of its stderr (where V8 prints a failed check, and its stack)", async () => {
    expect(stderrExcerpt('short')).toBe('short');
    const long = `# Check failed: head\n${'x'.repeat(10_000)}\nlast frame`;
    const excerpt = stderrExcerpt(long, 100);
    expect(excerpt.startsWith('# Check failed: head')).toBe(true);
    expect(excerpt.endsWith('last frame')).toBe(true);
    expect(excerpt).toContain(`[... ${long.length - 200} characters left out ...]`);
    const script = "process.stderr.write('# Check failed: first line\\n' + 'y'.repeat(9000) + '\\nlast line'); process.exit(3)";
    await expect(runFresh(process.execPath, ['-e', script])).rejects.toThrow(/exited with 3:\n# Check failed: first line[\s\S]*characters left out[\s\S]*last line$/);
  });
});
