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

/** Runs the CLI on `process.argv` (relayed when long); resolves to the exit code. */
export async function launch(): Promise<number> {
  if (process.env[ARGV_FD_VARIABLE] === '3') {
    const argv = JSON.parse(readFileSync(3, 'utf8')) as string[];
    delete process.env.SENSEBENCH_ARGV_FD;
    return main(argv);
  }
  if (argvBytes(process.argv) > RELAY_ARGV_BYTES) return relay(process.argv);
  return main(process.argv);
}
