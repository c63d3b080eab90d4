/**
 * `sensebench score` re-scores a run's own pairs (issue 21 item 3): a deleted, added or duplicated
 * row, an id the dataset lacks, a changed label, a removed or unknown score column are refused with
 * `file:line: reason`, exit 2, and nothing is rewritten; edited cosines are re-scored. And every CSV
 * keeps text cells that a spreadsheet would run as formulas as text, read back exactly by `score`,
 * while numbers (negative cosines) stay numbers (item 15).
 */
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { tempDirs } from './helpers/temp-dirs.js';
import { writeTinyCsv, writeTinyVectors } from './helpers/tiny-inputs.js';

const newDir = tempDirs('score');

function tree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files[join(entry.parentPath, entry.name).slice(dir.length + 1)] = readFileSync(join(entry.parentPath, entry.name), 'utf8');
  }
  return files;
}

describe('sensebench score checks the pairs CSVs against run.json and the dataset', () => {
  let run: string;
  let pairsFile: string;
  let base: string;

  beforeAll(async () => {
    base = await newDir();
    const data = writeTinyCsv(join(base, 'tiny.csv'));
    run = join(base, 'run');
    const result = await cli('run', '--dataset', data, '--model', writeTinyVectors(base), '--resamples', '20', '--out', run);
    expect(result.code, result.stderr).toBe(0);
    pairsFile = join(run, 'pairs', 'tiny-all.csv');
  });

  /** A copy of the run with its pairs CSV lines passed through `edit`; returns the copy. */
  async function edited(edit: (lines: string[]) => string[]): Promise<string> {
    const copy = join(await newDir(), 'run');
    cpSync(run, copy, { recursive: true });
    const lines = readFileSync(pairsFile, 'utf8').trimEnd().split('\n');
    writeFileSync(join(copy, 'pairs', 'tiny-all.csv'), `${edit(lines).join('\n')}\n`);
    return copy;
  }

  it('re-scores an untouched run byte for byte, and edited cosines into a new summary', async () => {
    const copy = await edited((lines) => lines);
    const before = tree(copy);
    const result = await cli('score', copy);
    expect(result.code, result.stderr).toBe(0);
    expect(tree(copy)['summary.csv']).toBe(before['summary.csv']);
    const cosine = await edited((lines) => lines.map((line, i) => (i === 1 ? line.replace(/,(-?\d\.\d{6})(,|$)/, ',0.999999$2') : line)));
    expect((await cli('score', cosine)).code).toBe(0);
    expect(readFileSync(join(cosine, 'summary.csv'), 'utf8')).not.toBe(before['summary.csv']);
  });

  it.each([
    ['a deleted row', (lines: string[]) => lines.filter((_, i) => i !== 4), /tiny-all\.csv:24: 23 pairs, but run\.json records 24 for this split/],
    ['an added row', (lines: string[]) => [...lines, lines[1]!.replace(/^p0,/, 'p99,')], /tiny-all\.csv:26: 25 pairs, but run\.json records 24/],
    ['a duplicated id', (lines: string[]) => lines.map((line, i) => (i === 3 ? line.replace(/^p2,/, 'p1,') : line)), /tiny-all\.csv:4: duplicate id "p1" \(first at line 3\)/],
    ['an id the dataset does not have', (lines: string[]) => lines.map((line, i) => (i === 5 ? line.replace(/^p4,/, 'zz9,') : line)), /tiny-all\.csv:6: id "zz9" is not a pair of dataset tiny/],
    ['a changed label', (lines: string[]) => lines.map((line, i) => (i === 2 ? line.replace(/^(p1,apple,)F,/, '$1T,') : line)), /tiny-all\.csv:3: id "p1": label T, but the dataset says F/],
    ['a removed score column', (lines: string[]) => lines.map((line) => line.split(',').slice(0, -2).join(',')), /tiny-all\.csv:1: missing score column `.*` \(run\.json lists it for this split\)/],
    ['an unknown score column', (lines: string[]) => lines.map((line, i) => `${line},${i === 0 ? 'static:x:target' : '0.5'}`), /tiny-all\.csv:1: column "static:x:target" is not a score column of this run/],
  ])('refuses %s with file:line, exit 2, and rewrites nothing', async (_what, edit, message) => {
    const copy = await edited(edit);
    const before = tree(copy);
    const result = await cli('score', copy);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(tree(copy)).toEqual(before);
  });
});

describe('CSV cells a spreadsheet would run as formulas stay text (OWASP), and `score` reads them back exactly', () => {
  it('guards ids, words and dataset names in every CSV, never numbers', async () => {
    const base = await newDir();
    const data = join(base, 'evil.csv');
    writeTinyCsv(data);
    const hostile = ['=HYPERLINK("http://x","y")', '+1+2', '-2+3', '@SUM(A1)', "'quoted"];
    // Ids are the dataset's first column: five of them start like formulas (or with the guard's own mark).
    const lines = readFileSync(data, 'utf8').trimEnd().split('\n');
    writeFileSync(data, `${lines.map((line, i) => (i >= 1 && i <= hostile.length ? line.replace(/^p\d+,/, `"${hostile[i - 1]!.replace(/"/g, '""')}",`) : line)).join('\n')}\n`);
    const out = join(base, 'out');
    const result = await cli('run', `--dataset=-evil=${data}`, '--model', writeTinyVectors(base), '--resamples', '20', '--out', out);
    expect(result.code, result.stderr).toBe(0);
    const pairsText = readFileSync(join(out, 'pairs', '-evil-all.csv'), 'utf8');
    const rows: string[][] = parse(pairsText);
    const ids = rows.slice(1).map((row) => row[0]!);
    expect(ids.slice(0, hostile.length)).toEqual(hostile.map((id) => `'${id}`));
    // Negative cosines are numbers, written as numbers.
    const cells = rows.slice(1).flatMap((row) => row.slice(5));
    expect(cells.some((cell) => /^-0\.\d{6}$/.test(cell))).toBe(true);
    expect(cells.every((cell) => !cell.startsWith("'"))).toBe(true);
    for (const name of ['summary.csv', 'compare.csv', 'contextuality.csv', 'words/-evil-all.csv']) {
      const table = parse<Record<string, string>>(readFileSync(join(out, name), 'utf8'), { columns: true });
      expect(table.length, name).toBeGreaterThan(0);
      for (const row of table) if ('dataset' in row) expect(row.dataset, name).toBe("'-evil");
    }
    // `score` reads the guarded ids back exactly: every row matches its dataset pair, and the CSVs come out the same.
    const before = tree(out);
    const rescored = await cli('score', out);
    expect(rescored.code, rescored.stderr).toBe(0);
    expect(rescored.stderr).not.toMatch(/not restored/);
    const after = tree(out);
    for (const name of Object.keys(before).filter((path) => path.endsWith('.csv'))) expect(after[name], name).toBe(before[name]);
  });
});
