/** The sensebench CLI from source, for tests that need it in a real child process (`node --import tsx test/helpers/cli-child.ts ARGS`). */
import { main } from '../../src/cli.js';

process.exitCode = await main(process.argv);
