/**
 * Every file a dataset owns carries one stem, its name (issue 21 items 1 and 6): names that are
 * one on a case-insensitive file system are refused (explicit) or disambiguated with a note
 * (derived from paths); non-ASCII names keep their own charts; every file the run says it wrote
 * exists; over-long names are refused before any model loads.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { tempDirs } from './helpers/temp-dirs.js';
import { writeTinyCsv, writeTinyVectors } from './helpers/tiny-inputs.js';
import { fileStem, MAX_NAME_BYTES } from '../src/io/names.js';

const newDir = tempDirs('stems');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('dataset file stems', () => {
  it('two names equal but for case are refused, naming both files', async () => {
    const dir = await newDir();
    const a = writeTinyCsv(join(dir, 'a.csv'));
    const b = writeTinyCsv(join(dir, 'b.csv'), 24, 1);
    const result = await cli('run', '--dataset', `Mine=${a}`, '--dataset', `mine=${b}`, '--model', writeTinyVectors(dir), '--resamples', '10', '--out', join(dir, 'out'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/two datasets are named "Mine" and "mine", one name on a case-insensitive file system \(.*a\.csv and .*b\.csv\)/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('paths whose base names differ only in case get their folder as a prefix, with a note', async () => {
    const dir = await newDir();
    mkdirSync(join(dir, 'x'));
    mkdirSync(join(dir, 'y'));
    const a = writeTinyCsv(join(dir, 'x', 'Mine.csv'));
    const b = writeTinyCsv(join(dir, 'y', 'mine.csv'), 24, 1);
    const out = join(dir, 'out');
    const result = await cli('run', '--dataset', a, '--dataset', b, '--model', writeTinyVectors(dir), '--resamples', '10', '--out', out);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/note: dataset .*Mine\.csv is named "x-Mine"/);
    expect(result.stderr).toMatch(/note: dataset .*mine\.csv is named "y-mine"/);
    expect(filesUnder(out).filter((path) => path.startsWith('pairs/'))).toEqual(['pairs/x-Mine-all.csv', 'pairs/y-mine-all.csv']);
  });

  it('non-ASCII names keep their own charts, and every file the run reports exists', async () => {
    const dir = await newDir();
    const a = writeTinyCsv(join(dir, 'a.csv'));
    const b = writeTinyCsv(join(dir, 'b.csv'), 24, 1);
    const out = join(dir, 'out');
    const result = await cli('run', '--dataset', `банк=${a}`, '--dataset', `日本=${b}`, '--model', writeTinyVectors(dir), '--resamples', '10', '--out', out);
    expect(result.code, result.stderr).toBe(0);
    const files = filesUnder(out);
    const reported = Number(/wrote (\d+) files/.exec(result.stderr)?.[1]);
    expect(files).toHaveLength(reported);
    for (const name of ['банк', '日本']) {
      const owned = files.filter((path) => path.includes(name));
      // pairs, words, and the AUC, contextuality, distribution and ROC charts: all under the dataset's own name.
      expect(owned, name).toEqual([`pairs/${name}-all.csv`, `plots/auc-${name}-all.svg`, `plots/contextuality-${name}.svg`, `plots/distribution-${name}-all.svg`, `plots/roc-${name}-all.svg`, `words/${name}-all.csv`]);
    }
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('distribution-банк-all.svg');
    expect(html).toContain('distribution-日本-all.svg');
    expect(readFileSync(join(out, 'plots', 'distribution-банк-all.svg'), 'utf8')).not.toBe(readFileSync(join(out, 'plots', 'distribution-日本-all.svg'), 'utf8'));
  });

  it('model ids that are not safe names get a stem with a hash, so two ids never share one', () => {
    expect(fileStem('use-lite')).toBe('use-lite');
    expect(fileStem('static:a/b')).not.toBe(fileStem('static:a_b'));
    expect(fileStem('static:a/b')).toMatch(/^static-a-b~[0-9a-f]{8}$/);
  });

  it(`a name over ${MAX_NAME_BYTES} bytes is refused before any model loads (explicit or derived)`, async () => {
    const dir = await newDir();
    const data = writeTinyCsv(join(dir, 'a.csv'));
    // The model does not exist: a refusal about the name shows the name was checked first.
    const explicit = await cli('run', '--dataset', `${'n'.repeat(300)}=${data}`, '--model', 'static:/does/not/exist.vec', '--out', join(dir, 'out'));
    expect(explicit.code).toBe(2);
    expect(explicit.stderr).toMatch(/becomes part of file names: at most 100 bytes \(UTF-8\), this one has 300/);
    expect(explicit.stderr.length).toBeLessThan(800);
    const long = writeTinyCsv(join(dir, `${'д'.repeat(60)}.csv`));
    const derived = await cli('run', '--dataset', long, '--model', 'static:/does/not/exist.vec', '--out', join(dir, 'out'));
    expect(derived.code).toBe(2);
    expect(derived.stderr).toMatch(/would be named .*: at most 100 bytes \(UTF-8\), this one has 120; name it with --dataset NAME=PATH/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
