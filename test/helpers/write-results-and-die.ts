/**
 * A child process for the fault-injection test: writes the files of a JSON manifest (argv[2]) into
 * the results directory argv[3] through the shipped writer, and kills itself with SIGKILL (no
 * cleanup, no `finally`) at the write step numbered argv[4] (`-1`: never).
 */
import { readFileSync } from 'node:fs';
import { writeResultsDirectory } from '../../src/reports/output-directory.js';

const [manifest, out, killAt] = process.argv.slice(2);
const files = JSON.parse(readFileSync(manifest!, 'utf8')) as { path: string; content: string }[];
let step = 0;
await writeResultsDirectory(out!, files, (event) => {
  process.stdout.write(`${step} ${event.step}\n`);
  if (step === Number(killAt)) process.kill(process.pid, 'SIGKILL');
  step++;
});
