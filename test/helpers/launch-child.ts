/** The sensebench process entry from source, as bin/sensebench.js runs it from dist/ (`node --import tsx test/helpers/launch-child.ts ARGS`). */
import { launch } from '../../src/launch.js';

process.exitCode = await launch();
