/**
 * The structure README's Architecture section describes, checked from the code's own imports
 * (madge reads them, type-only and dynamic imports included): no import cycle, every import
 * points down the layers (the data flow: dataset -> pairs -> embeddings -> cosines -> metrics ->
 * results -> reports, with the CLI on top), and importing the pipeline does not load vega.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import madge from 'madge';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/config.js';
import { tempDirs } from './helpers/temp-dirs.js';

/**
 * The rooms of src/ (a folder, or a file at its top) from the bottom up: a room imports only
 * rooms of lower layers. README's Architecture section explains the two arrows that run from a
 * computing layer to one it feeds: metrics -> results (metrics compute the records whose shape
 * results/ declares) and models -> metrics (multi-prototype vectors cluster with metrics' k-means).
 */
const LAYERS: readonly (readonly string[])[] = [
  ['errors.ts', 'vocabulary.ts', 'config.ts', 'random.ts', 'progress.ts', 'worker-threads.ts', 'onnx'],
  ['types.ts', 'io', 'linalg', 'version.ts'],
  ['text.ts', 'cache'],
  ['datasets'],
  ['results'],
  ['metrics'],
  ['models'],
  ['pipeline'],
  ['reports'],
  ['cli'],
  ['launch.ts'],
];

/** The room of a file of src/: its top folder, or the file itself (cli.ts belongs with cli/). */
function roomOf(file: string): string {
  const top = file.split('/')[0]!;
  return top === 'cli.ts' ? 'cli' : top;
}

function layerOf(file: string): number {
  const layer = LAYERS.findIndex((rooms) => rooms.includes(roomOf(file)));
  if (layer < 0) throw new Error(`${file}: its room ${roomOf(file)} has no layer in test/architecture.test.ts`);
  return layer;
}

const graph = madge(join(PROJECT_ROOT, 'src'), { fileExtensions: ['ts'], tsConfig: join(PROJECT_ROOT, 'tsconfig.json') });

describe('the import graph of src/', () => {
  it('resolves every import and has no cycle', async () => {
    const result = await graph;
    expect(Object.keys(result.obj()).length).toBeGreaterThan(100);
    expect(result.warnings().skipped).toEqual([]);
    expect(result.circular()).toEqual([]);
  });

  it('points down the layers: no room imports one above it or beside it', async () => {
    const against = Object.entries((await graph).obj()).flatMap(([file, imports]) =>
      imports.filter((imported) => roomOf(imported) !== roomOf(file) && layerOf(imported) >= layerOf(file)).map((imported) => `${file} -> ${imported}`),
    );
    expect(against).toEqual([]);
  });

  it('knows every room of src/', async () => {
    for (const file of Object.keys((await graph).obj())) expect(layerOf(file)).toBeGreaterThanOrEqual(0);
  });
});

describe('the pipeline', () => {
  const tempDir = tempDirs('architecture');

  /** The URL of every module a fresh process resolves while it imports `module` (a path from the project root). */
  async function modulesLoadedBy(module: string): Promise<string[]> {
    const log = join(await tempDir(), 'modules.log');
    execFileSync(process.execPath, ['--import', 'tsx', '--import', './test/helpers/module-log.mjs', '--input-type=module', '-e', `await import(${JSON.stringify(module)})`], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, MODULE_LOG: log },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return (await readFile(log, 'utf8')).split('\n').filter(Boolean);
  }

  it('does not load vega when imported (only writing a report does)', async () => {
    const pipeline = await modulesLoadedBy('./src/pipeline/index.ts');
    expect(pipeline.some((url) => url.endsWith('/src/pipeline/cosines.ts'))).toBe(true);
    expect(pipeline.filter((url) => /\/node_modules\/vega(-lite)?\//.test(url))).toEqual([]);
    // The check can fail: the chart engine does load vega.
    const charts = await modulesLoadedBy('./src/reports/charts.ts');
    expect(charts.some((url) => /\/node_modules\/vega\//.test(url))).toBe(true);
  });
});
