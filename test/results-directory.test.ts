/**
 * A results directory appears whole or not at all (issue 21, items 2, 4, 7 and 15's symlink):
 * real child processes are killed with SIGKILL at every kind of moment of the write phase (through
 * the writer's step callback, and a real `sensebench run` at timed moments after its staging
 * directory appears), and the directory then holds the complete old or the complete new results,
 * never a mix, with the user's own files kept; a full disk (a 200 KB tmpfs), an unusable `--out`
 * and a planted symlink change nothing they should not.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReports } from '../src/reports/index.js';
import { checkOutputDirectory, writeResultsDirectory } from '../src/reports/output-directory.js';
import { InputError } from '../src/errors.js';

import { fixtureLessonRows, fixtureRun, runFromPairs } from './report-fixture.js';
import { tempDirs } from './helpers/temp-dirs.js';
import { cli } from './helpers/cli.js';
import { writeTinyCsv, writeTinyVectors } from './helpers/tiny-inputs.js';

import type { RenderedFile } from '../src/results/run-result.js';
const newDir = tempDirs('results-dir');
const ROOT = new URL('..', import.meta.url).pathname;
const TSX = ['--import', 'tsx'];

/** Every file under `dir` (symlinks as `-> target`), by relative path. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      const info = lstatSync(path);
      if (info.isSymbolicLink()) files[relative(dir, path)] = `-> ${readlinkSync(path)}`;
      else if (info.isDirectory()) walk(path);
      else files[relative(dir, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return files;
}

/** The user's own files, which every replacement must carry over. */
function plantUserFiles(out: string): Record<string, string> {
  mkdirSync(join(out, 'archive'), { recursive: true });
  writeFileSync(join(out, 'NOTES.txt'), 'my notes\n');
  writeFileSync(join(out, 'archive', 'old-summary.csv'), 'a,b\n1,2\n');
  symlinkSync('NOTES.txt', join(out, 'notes-link'));
  // Not a chart of sensebench's: a user's file inside a results folder stays too.
  writeFileSync(join(out, 'plots', 'sketch.txt'), 'by hand\n');
  return { 'NOTES.txt': 'my notes\n', 'archive/old-summary.csv': 'a,b\n1,2\n', 'notes-link': '-> NOTES.txt', 'plots/sketch.txt': 'by hand\n' };
}

function expected(files: readonly RenderedFile[], user: Record<string, string>): Record<string, string> {
  const all: Record<string, string> = { ...user };
  for (const file of files) all[file.path] = file.content;
  return Object.fromEntries(Object.entries(all).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe('a kill during the write phase leaves the old or the new results, never a mix', () => {
  let oldFiles: RenderedFile[];
  let newFiles: RenderedFile[];
  let manifest: string;

  beforeAll(async () => {
    oldFiles = await renderReports(fixtureRun());
    // The new run has one dataset fewer and other cosines: fewer plots, other numbers.
    const lesson = fixtureRun().splits[0]!;
    newFiles = await renderReports(runFromPairs([{ dataset: 'lesson', split: 'all', pairs: lesson.pairs.map((p) => p.pair) }], [fixtureRun().context.datasets[0]!], 8));
    expect(newFiles.length).toBeLessThan(oldFiles.length);
    expect(fixtureLessonRows.length).toBeGreaterThan(0);
    manifest = join(await newDir(), 'manifest.json');
    writeFileSync(manifest, JSON.stringify(newFiles.map((file) => ({ path: file.path, content: file.content }))));
  });

  /** Runs the writer in a child that SIGKILLs itself at step `killAt`; returns the steps it printed and how it ended. */
  function writeInChild(out: string, killAt: number): { steps: string[]; signal: NodeJS.Signals | null; status: number | null; stderr: string } {
    const child = spawnSync(process.execPath, [...TSX, join(ROOT, 'test/helpers/write-results-and-die.ts'), manifest, out, String(killAt)], { cwd: ROOT, encoding: 'utf8' });
    return { steps: child.stdout.trim().split('\n'), signal: child.signal, status: child.status, stderr: child.stderr };
  }

  async function oldDirectory(): Promise<{ out: string; user: Record<string, string> }> {
    const out = join(await newDir(), 'results');
    await writeResultsDirectory(out, oldFiles);
    return { out, user: plantUserFiles(out) };
  }

  it('kills at every step kind: before the swap the old results, from the swap on the new ones (after recovery)', async () => {
    const reference = await oldDirectory();
    const complete = writeInChild(reference.out, -1);
    expect(complete.status, complete.stderr).toBe(0);
    expect(sorted(snapshot(reference.out))).toEqual(expected(newFiles, reference.user));
    const steps = complete.steps.map((line) => line.split(' ')[1]!);
    expect(steps[0]).toBe('staging-created');
    expect(steps.slice(-3)).toEqual(['old-moved-aside', 'new-in-place', 'old-removed']);
    const firstFile = steps.indexOf('file-written');
    const lastFile = steps.lastIndexOf('file-written');
    const killPoints = [...new Set([0, firstFile, Math.floor((firstFile + lastFile) / 2), lastFile, steps.indexOf('carried-over'), steps.lastIndexOf('carried-over'), ...[1, 2, 3].map((k) => steps.length - k)])];
    for (const killAt of killPoints) {
      const { out, user } = await oldDirectory();
      const oldSnapshot = expected(oldFiles, user);
      const newSnapshot = expected(newFiles, user);
      const killed = writeInChild(out, killAt);
      expect(killed.signal, `step ${killAt}`).toBe('SIGKILL');
      const swapped = killAt >= steps.indexOf('old-moved-aside');
      // As a reader finds it right after the kill: whole old, whole new, or (killed between the two renames) nothing.
      if (existsSync(out)) expect(sorted(snapshot(out)), `step ${killAt} ${steps[killAt]!}`).toEqual(swapped ? newSnapshot : oldSnapshot);
      else expect(steps[killAt]).toBe('old-moved-aside');
      // The next command finishes the swap or rolls it back, and removes what the killed run staged.
      await checkOutputDirectory(out);
      expect(sorted(snapshot(out)), `step ${killAt} ${steps[killAt]!} after recovery`).toEqual(swapped ? newSnapshot : oldSnapshot);
      expect(readdirSync(join(out, '..')).filter((name) => name !== 'results')).toEqual([]);
    }
  });

  it('kills a real `sensebench run` at moments after its write phase begins', async () => {
    const base = await newDir();
    // Small real inputs, so that each run takes about a second.
    const vectors = writeTinyVectors(base);
    const data = writeTinyCsv(join(base, 'pairs.csv'));
    const args = (out: string, seed: number) => ['run', '--dataset', data, '--model', vectors, '--resamples', '20', '--seed', String(seed), '--out', out];
    // Dates and timings differ between runs; everything else is byte-identical for the same inputs.
    const withoutTimes = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(withoutTimes)
        : typeof value === 'object' && value !== null
          ? Object.fromEntries(Object.entries(value).filter(([key]) => !/date|seconds|timing|duration|elapsed/i.test(key)).map(([key, item]) => [key, withoutTimes(item)]))
          : value;
    const normalise = (files: Record<string, string>) =>
      sorted(
        Object.fromEntries(
          Object.entries(files).map(([path, text]) => [
            path,
            path === 'run.json' ? JSON.stringify(withoutTimes(JSON.parse(text))) : text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'DATE').replace(/\d+(\.\d+)? ?(ms|s)\b/g, 'TIME'),
          ]),
        ),
      );
    const runChild = (out: string, seed: number, killAfterStagingMs?: number): Promise<NodeJS.Signals | number | null> =>
      new Promise((done) => {
        const child = spawn(process.execPath, [...TSX, join(ROOT, 'test/helpers/cli-child.ts'), ...args(out, seed)], { cwd: ROOT, stdio: 'ignore' });
        if (killAfterStagingMs !== undefined) {
          const parent = join(out, '..');
          // The write phase has begun when a staging directory appears, or (a writer without one) when the old summary.csv changes.
          const summary = join(out, 'summary.csv');
          const before = statSync(summary).mtimeMs;
          const poll = setInterval(() => {
            if (readdirSync(parent).some((name) => name.includes('.sensebench-') && name.endsWith('.new')) || statSync(summary, { throwIfNoEntry: false })?.mtimeMs !== before) {
              clearInterval(poll);
              setTimeout(() => {
                child.kill('SIGKILL');
              }, killAfterStagingMs);
            }
          }, 1);
          child.on('exit', () => {
            clearInterval(poll);
          });
        }
        child.on('exit', (code, signal) => {
          done(signal ?? code);
        });
      });
    const referenceNew = join(base, 'reference-new', 'results');
    expect(await runChild(referenceNew, 2)).toBe(0);
    const newSnapshot = normalise(snapshot(referenceNew));
    const outcomes: string[] = [];
    for (const delay of [0, 4, 12, 30]) {
      const out = join(base, `killed-${delay}`, 'results');
      expect(await runChild(out, 1)).toBe(0);
      const user = plantUserFiles(out);
      const oldSnapshot = normalise(snapshot(out));
      const ended = await runChild(out, 2, delay);
      await checkOutputDirectory(out);
      const after = normalise(snapshot(out));
      const withUser = normalise({ ...newSnapshot, ...user });
      const outcome = JSON.stringify(after) === JSON.stringify(oldSnapshot) ? 'old' : JSON.stringify(after) === JSON.stringify(withUser) ? 'new' : 'MIX';
      outcomes.push(`${delay} ms: ${String(ended)} -> ${outcome}`);
      expect(outcome, outcomes.join('; ')).not.toBe('MIX');
      expect(readdirSync(join(out, '..'))).toEqual(['results']);
    }
    console.log(`killed runs: ${outcomes.join('; ')}`);
  });
});

describe('a full disk (issue 21 item 4)', () => {
  const mount = join('/tmp', `sensebench-tmpfs-${process.pid}`);
  let mounted = false;
  beforeAll(() => {
    mkdirSync(mount, { recursive: true });
    // A real small file system needs root (as in CI here); otherwise this block says so and skips.
    mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=200k', 'tmpfs', mount]).status === 0;
    if (!mounted) console.warn('full-disk tests skipped: cannot mount a 200 KB tmpfs (needs root)');
  });
  afterAll(() => {
    if (mounted) spawnSync('umount', [mount]);
    rmSync(mount, { recursive: true, force: true });
  });

  it('refuses with exit 2 and a clear message, leaving the previous results whole and no staging behind', async (context) => {
    if (!mounted) context.skip();
    const out = join(mount, 'results');
    const small: RenderedFile[] = [
      { path: 'run.json', content: '{}\n' },
      { path: 'summary.csv', content: 'dataset\n' },
    ];
    await writeResultsDirectory(out, small);
    const before = snapshot(out);
    const big = await renderReports(fixtureRun());
    await expect(writeResultsDirectory(out, big)).rejects.toThrow(InputError);
    await expect(writeResultsDirectory(out, big)).rejects.toThrow(/no space left on the device \(ENOSPC\) while writing .*; nothing was changed/);
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(mount)).toEqual(['results']);
    // The same through the CLI: a whole run onto the full disk.
    const result = await cli('run', '--dataset', 'lesson', '--model', 'glove-100d', '--no-senses', '--resamples', '10', '--out', out);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/sensebench: --out .*: no space left on the device \(ENOSPC\)/);
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(mount)).toEqual(['results']);
  });

  it('refuses a mount point as --out up front', async (context) => {
    if (!mounted) context.skip();
    const result = await cli('run', '--dataset', '/does/not/exist.csv', '--out', mount);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is a mount point/);
  });
});

describe('--out is checked before any computation (issue 21 item 7)', () => {
  it('an existing file, a path under a file, or a directory of other files: exit 2 naming --out, before the datasets are read', async () => {
    const dir = await newDir();
    const file = join(dir, 'file.txt');
    writeFileSync(file, 'x');
    mkdirSync(join(dir, 'mine'));
    writeFileSync(join(dir, 'mine', 'thesis.tex'), 'x');
    for (const [out, message] of [
      [file, /--out .*file\.txt is an existing file, not a directory/],
      [join(file, 'sub'), /--out .*: .*file\.txt is a file, not a directory/],
      [join(dir, 'mine'), /already holds other files and no sensebench results/],
    ] as const) {
      // The dataset does not exist either: the message is about --out, so --out was checked first.
      const result = await cli('run', '--dataset', join(dir, 'missing.csv'), '--out', out);
      expect(result.code, out).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect(readFileSync(join(dir, 'mine', 'thesis.tex'), 'utf8')).toBe('x');
  });

  /**
   * Root writes anywhere, so the check runs as an unprivileged user (uid 65534) when that user can
   * reach the project (a clone inside a 0700 directory such as `mktemp -d` it cannot); otherwise
   * `--out` lies on a read-only tmpfs, which refuses root too (EROFS).
   */
  it('a directory the user cannot write: exit 2 up front (as an unprivileged user, or on a read-only mount)', async (context) => {
    const dir = await newDir();
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    chmodSync(dir, 0o755);
    const asRoot = process.getuid?.() === 0;
    const nobody = { uid: 65534, gid: 65534 };
    const nobodyReachesProject = asRoot && spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(join(ROOT, 'node_modules', 'tsx', 'package.json'))})`], nobody).status === 0 && spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(locked)})`], nobody).status === 0;
    let mounted = false;
    if (asRoot && !nobodyReachesProject) {
      rmSync(locked, { recursive: true });
      mkdirSync(locked);
      mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', locked]).status === 0;
      if (!mounted) {
        console.warn('unwritable --out test skipped: uid 65534 cannot reach the project and a read-only tmpfs cannot be mounted');
        context.skip();
      }
    }
    try {
      const child = spawnSync(process.execPath, [...TSX, join(ROOT, 'test/helpers/cli-child.ts'), 'run', '--dataset', join(dir, 'missing.csv'), '--out', join(locked, 'results')], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, SENSEBENCH_CACHE: join(dir, 'cache'), TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.json'), HOME: dir },
        ...(nobodyReachesProject ? nobody : {}),
      });
      expect(child.status, child.stderr).toBe(2);
      expect(child.stderr).toMatch(mounted ? /--out .*: cannot write in .*locked \(.*\(EROFS\)\)/ : /--out .*: cannot write in .*locked \(permission denied \(EACCES\)\)/);
    } finally {
      if (mounted) spawnSync('umount', [locked]);
    }
  });
});

describe('a planted symlink at --out/pairs (issue 21 item 15)', () => {
  it('is replaced by a real folder, and nothing is written through it', async () => {
    const dir = await newDir();
    const out = join(dir, 'results');
    const victim = join(dir, 'victim');
    mkdirSync(victim);
    writeFileSync(join(victim, 'keep.txt'), 'untouched');
    const files = await renderReports(fixtureRun());
    await writeResultsDirectory(out, files);
    rmSync(join(out, 'pairs'), { recursive: true });
    symlinkSync(victim, join(out, 'pairs'));
    await writeResultsDirectory(out, files);
    expect(lstatSync(join(out, 'pairs')).isDirectory()).toBe(true);
    expect(readdirSync(victim)).toEqual(['keep.txt']);
    expect(readFileSync(join(victim, 'keep.txt'), 'utf8')).toBe('untouched');
    expect(sorted(snapshot(out))).toEqual(expected(files, {}));
  });
});
