/**
 * Runs a command in a fresh process, as a user runs it, and measures it from outside: wall time
 * from spawn to exit, and (on request) the peak resident memory of that process alone. Shared by
 * the cold-start and scaling benchmarks, with the small statistics they report (median, rme).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** GNU time reports the peak RSS of the process it waits for (`%M`, KB) from wait4's rusage. */
const GNU_TIME = '/usr/bin/time';

export interface FreshRun {
  /** Spawn to exit, as measured by the parent. */
  readonly wallMs: number;
  /** Peak RSS of the child process in MB, or null when not measured. */
  readonly peakRssMb: number | null;
  /**
   * User + system CPU seconds of the child (all its threads), from GNU time; null without it.
   * On a shared machine this moves less than wall time when other work competes for the cores.
   */
  readonly cpuSeconds: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface FreshOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Measure peak RSS (through GNU time when installed, else by polling /proc/<pid>/status). */
  readonly peakRss?: boolean;
}

/**
 * A failed child's stderr for the error: whole when short, else its first and last 2,000
 * characters. The head matters as much as the tail: an abort of V8 itself prints its check
 * message first and then a long native stack trace (a scaling run aborted once inside V8's
 * optimizing compiler, and the tail alone did not say which check failed).
 */
export function stderrExcerpt(stderr: string, keep = 2000): string {
  if (stderr.length <= 2 * keep) return stderr;
  return `${stderr.slice(0, keep)}\n[... ${stderr.length - 2 * keep} characters left out ...]\n${stderr.slice(-keep)}`;
}

/**
 * Runs `command args` to completion; throws with its stderr (see {@link stderrExcerpt}) when it exits non-zero.
 *
 * Peak RSS: GNU time's `%M` comes from the rusage of the process it waited for, which is this
 * child alone (GNU time itself is a few MB, and a process's maxrss after exec starts from the
 * exec'ing image, GNU time's, not from this benchmark's). Without GNU time, VmHWM is polled every
 * 20 ms, which can miss a peak in the last moments of the child.
 */
export async function runFresh(command: string, args: readonly string[], options: FreshOptions = {}): Promise<FreshRun> {
  const useTime = options.peakRss === true && existsSync(GNU_TIME);
  const scratch = useTime ? await mkdtemp(join(tmpdir(), 'sensebench-time-')) : null;
  const timeFile = scratch === null ? null : join(scratch, 'time.txt');
  const [file, argv] = timeFile === null ? [command, args] : [GNU_TIME, ['-f', '%M %U %S', '-o', timeFile, command, ...args]];
  try {
    const started = performance.now();
    const child = spawn(file, argv, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    let polledKb = 0;
    const poll =
      options.peakRss === true && !useTime
        ? setInterval(() => {
            try {
              const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${child.pid ?? 0}/status`, 'utf8'));
              if (match) polledKb = Math.max(polledKb, Number(match[1]));
            } catch {
              // exited between polls
            }
          }, 20)
        : null;
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (exitCode) => { resolve(exitCode); });
    });
    const wallMs = performance.now() - started;
    if (poll !== null) clearInterval(poll);
    const err = Buffer.concat(stderr).toString('utf8');
    if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${String(code)}:\n${stderrExcerpt(err)}`);
    let peakRssMb: number | null = null;
    let cpuSeconds: number | null = null;
    if (timeFile !== null) {
      // The last line: GNU time may write a "Command exited ..." line before it.
      const [kb, user, system] = ((await readFile(timeFile, 'utf8')).trim().split('\n').pop() ?? '').split(' ').map(Number);
      if (kb === undefined || !(kb > 0) || user === undefined || system === undefined || !Number.isFinite(user + system)) {
        throw new Error(`GNU time wrote no peak RSS and CPU time for ${command}`);
      }
      peakRssMb = kb / 1024;
      cpuSeconds = user + system;
    } else if (options.peakRss === true) peakRssMb = polledKb / 1024;
    return { wallMs, peakRssMb, cpuSeconds, stdout: Buffer.concat(stdout).toString('utf8'), stderr: err };
  } finally {
    if (scratch !== null) await rm(scratch, { recursive: true, force: true });
  }
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Two-sided 95% Student t critical values for 1..30 degrees of freedom (then the normal 1.96). */
const T_95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** Relative margin of error of the mean in percent (95%, as tinybench's `rme`); null below 2 samples. */
export function rmePercent(values: readonly number[]): number | null {
  const n = values.length;
  if (n < 2) return null;
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1);
  const critical = T_95[n - 2] ?? 1.96;
  return mean === 0 ? null : (100 * critical * Math.sqrt(variance / n)) / mean;
}
