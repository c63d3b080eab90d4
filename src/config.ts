/**
 * The one place for sensebench's configuration (as transformers.js keeps its `env`): where the
 * project lives, where caches go, the default seed, and how paths are written into results so
 * that no committed file names the machine that made it.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (where package.json and datasets/ live), found from this file in src/ or dist/src/. */
export const PROJECT_ROOT: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('sensebench: cannot find the project root (package.json)');
    dir = parent;
  }
  return dir;
})();

/** Seed of every run's bootstrap resamples and CV folds unless `--seed` says otherwise. */
export const DEFAULT_SEED = 20260215;

/** Bootstrap resamples of every confidence interval unless `--resamples` says otherwise. */
export const DEFAULT_RESAMPLES = 1000;

/** Folds of every cross-validation: the accuracy threshold of a split without a train split, and the probe's choice of C. */
export const CV_FOLDS = 5;

/** Top principal components all-but-the-top removes unless `--abtt-components` says otherwise (Mu & Viswanath use about d/100; 1 for these small models). */
export const DEFAULT_ABTT_COMPONENTS = 1;

/** Output directory of `sensebench run` and `npm run bench`. */
export const DEFAULT_OUT_DIR = 'results';

/** Where caches go: `SENSEBENCH_CACHE`, else `.cache/` in the project. */
export function cacheDir(): string {
  // An empty SENSEBENCH_CACHE means unset, not the working directory.
  return resolve(process.env.SENSEBENCH_CACHE || join(PROJECT_ROOT, '.cache'));
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * A path as results record it: relative to the project when inside it, `$SENSEBENCH_CACHE/...` when
 * inside a cache directory elsewhere, and otherwise as given (a user's own dataset path stays as the
 * user wrote it). Separators are always `/`, so results read the same on every machine.
 */
export function portablePath(path: string): string {
  if (!isAbsolute(path)) return path.split(sep).join('/');
  const cache = cacheDir();
  if (isInside(path, PROJECT_ROOT)) return relative(PROJECT_ROOT, path).split(sep).join('/') || '.';
  if (isInside(path, cache)) return ['$SENSEBENCH_CACHE', ...relative(cache, path).split(sep)].filter(Boolean).join('/');
  return path;
}
