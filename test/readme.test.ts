/**
 * The README documents the results a user reads: every column of summary.csv, and the commands
 * the CLI has. Derived from the schema and the command tree, so a new column or command without
 * its documentation fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli.js';
import { summaryTable } from '../src/results/schema.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it.each(summaryTable.header)('documents the summary.csv column %s', (column) => {
    expect(readme).toContain(`\`${column}\``);
  });

  it.each(buildProgram('0').commands.map((command) => command.name()))('documents the command %s', (name) => {
    expect(readme).toContain(`sensebench ${name}`);
  });
});
