#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run automatically by `npm ci`).
// launch() relays a very long command line to a fresh process first (src/launch.ts says why).
import { launch } from '../dist/src/launch.js';

process.exitCode = await launch();
