/**
 * The process entry of `sensebench` (bin/sensebench.js): runs the CLI, relaying a long command
 * line first.
 *
 * Why the relay: onnxruntime's environment setup (the first session a process opens) reads the
 * process's own command line and matches it recursively, about three stack frames per character:
 * a command line over ~30 KB (one 7,000-word sentence given to `similarity`) overflows the 8 MB
 * stack and the process dies with SIGSEGV (exit 139) before any model runs, however short the
 * sequences sensebench feeds it (measured with onnxruntime-node 1.30: 28 KB passes, 32 KB crashes;
 * environment variables do not count). So a command line longer than {@link RELAY_ARGV_BYTES} is
 * handed to a fresh process of the same script through a pipe (file descriptor 3), and that
 * process's own command line stays short. Exit codes and signals pass through unchanged.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { main } from './cli.js';

/** Command lines (all arguments, in UTF-8) longer than this are relayed; well below the ~30 KB that crash, for smaller stacks (`ulimit -s`). */
export const RELAY_ARGV_BYTES = 4096;

/** Set in the relayed process: the file descriptor its arguments arrive on. */
const ARGV_FD_VARIABLE = 'SENSEBENCH_ARGV_FD';

/** Signals a user may send the relaying process, passed on to the process doing the work. */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function argvBytes(argv: readonly string[]): number {
  return argv.reduce((total, arg) => total + Buffer.byteLength(arg, 'utf8') + 1, 0);
}

/** Runs `process.argv` through a fresh process whose own command line is only the script; resolves to its exit code. */
function relay(argv: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, argv[1]!], {
      stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
      env: { ...process.env, [ARGV_FD_VARIABLE]: '3' },
    });
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    for (const signal of FORWARDED) process.on(signal, forward);
    const pipe = child.stdio[3] as NodeJS.WritableStream;
    pipe.end(JSON.stringify(argv));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      for (const name of FORWARDED) process.off(name, forward);
      // Die as the child died, so a shell sees the same status (139 stays 139, Ctrl-C stays SIGINT).
      if (signal !== null) process.kill(process.pid, signal);
      resolve(code ?? 1);
    });
  });
}

/**
 * How far V8 lets a heap grow past what its last full collection kept alive before it collects
 * again, in percent (the flag's own unit), for the main thread and the analysis workers alike (V8's
 * flags are per process). By default the factor adapts between 1.1 and 4, so a run with a few
 * hundred MB alive (300k pairs: the dataset, the cosine columns) let its heaps fill with garbage:
 * 1,499 MB peak RSS against 1,267 MB with 50, in the same time (issue 21 item 9, budget 1.5 GB).
 */
export const HEAP_GROWING_PERCENT = 50;

/** Caps heap growth at {@link HEAP_GROWING_PERCENT}, unless the user's node options set it. */
function boundHeapGrowth(): void {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((option) => /heap[-_]growing[-_]percent/.test(option));
  if (!given) setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

/** Runs the CLI on `process.argv` (relayed when long); resolves to the exit code. */
export async function launch(): Promise<number> {
  boundHeapGrowth();
  if (process.env[ARGV_FD_VARIABLE] === '3') {
    const argv = JSON.parse(readFileSync(3, 'utf8')) as string[];
    delete process.env.SENSEBENCH_ARGV_FD;
    return main(argv);
  }
  if (argvBytes(process.argv) > RELAY_ARGV_BYTES) return relay(process.argv);
  return main(process.argv);
}
