/**
 * `sensebench models inspect` end to end, in process, on fixture exports built into a temporary
 * directory: a standard export whose only output is `last_hidden_state` (so every layer below it
 * must come from graph surgery, not from output names), checked as text and as JSON against the
 * fixture's own architecture (its number of layers), and a static model refused with exit code 2.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_INPUT_ERROR } from '../src/cli.js';
import { cli } from './helpers/cli.js';
import type { ModelInspection } from '../src/models/inspect.js';
import { writeBertFixture, type BertFixture, type FixtureLayout } from './helpers/bert-fixture.js';
import { writeT5Fixture } from './helpers/t5-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'sensebench-cli-inspect-'));
const previousCache = process.env.SENSEBENCH_CACHE;
let fixture: BertFixture;


beforeAll(async () => {
  // The derived every-layer model goes into the cache: a private one, not the shared cache.
  process.env.SENSEBENCH_CACHE = join(root, 'cache');
  fixture = await writeBertFixture(join(root, 'bert'), { layout: { family: 'bert', layerNorm: 'fused', outputs: 'last' } });
});

afterAll(() => {
  if (previousCache === undefined) delete process.env.SENSEBENCH_CACHE;
  else process.env.SENSEBENCH_CACHE = previousCache;
  rmSync(root, { recursive: true, force: true });
});

describe('sensebench models inspect', () => {
  it('lists every layer of the export (input, embeddings, layer-1..N) and the representations a run scores', async () => {
    const { code, stdout, stderr } = await cli('models', 'inspect', `onnx:${fixture.dir}`);
    expect(stderr).not.toMatch(/internal error/);
    expect(code).toBe(0);
    const layers = fixture.weights.layers.length;
    expect(layers).toBe(2);
    const expected = ['input', 'embeddings', ...Array.from({ length: layers }, (_, i) => `layer-${i + 1}`)];
    const section = (heading: string): string[] => {
      const lines = stdout.split('\n');
      const start = lines.indexOf(heading);
      expect(start).toBeGreaterThan(0);
      const end = lines.indexOf('', start);
      return lines.slice(start + 1, end < 0 ? undefined : end).map((line) => line.trim().split(/\s+/)[0]!);
    };
    expect(section('layers (hidden_states numbering):')).toEqual(expected);
    expect(stdout).toMatch(/^family +bert$/m);
    expect(stdout).toMatch(/^chosen by +graph surgery$/m);
    expect(stdout).toMatch(/^outputs +last_hidden_state$/m);
    expect(section('representations a run scores:')).toEqual([...expected, 'sentence-mean']);
  });

  it('--json gives the same inspection as a record', async () => {
    const { code, stdout } = await cli('models', 'inspect', `onnx:${fixture.dir}`, '--json');
    expect(code).toBe(0);
    const inspection = JSON.parse(stdout) as ModelInspection;
    expect(inspection.source).toBe('graph surgery');
    expect(inspection.hiddenSize).toBe(fixture.weights.config.hidden);
    expect(inspection.layers.map((l) => l.representation)).toEqual(['input', 'embeddings', 'layer-1', 'layer-2']);
    expect(inspection.representations.map((r) => [r.name, r.kind, r.pooling])).toEqual([
      ['input', 'static', 'target'],
      ['embeddings', 'static', 'target'],
      ['layer-1', 'contextual', 'target'],
      ['layer-2', 'contextual', 'target'],
      ['sentence-mean', 'contextual', 'sentence'],
    ]);
  });

  it('a static model or a missing directory is bad input (exit 2)', async () => {
    const glove = await cli('models', 'inspect', 'glove-100d');
    expect(glove.code).toBe(EXIT_INPUT_ERROR);
    expect(glove.stderr).toMatch(/static model: there is nothing to inspect/);
    const missing = await cli('models', 'inspect', `onnx:${join(root, 'nope')}`);
    expect(missing.code).toBe(EXIT_INPUT_ERROR);
    expect(missing.stderr).toMatch(/not a model directory/);
  });
});

/** The layers block of the text output: the first word of each line under its heading. */
function layerNames(stdout: string): string[] {
  const lines = stdout.split('\n');
  const start = lines.indexOf('layers (hidden_states numbering):');
  if (start < 0) return [];
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end < 0 ? undefined : end).map((line) => line.trim().split(/\s+/)[0]!);
}

const FAMILIES: readonly { name: string; layout: FixtureLayout; onnxFile?: string }[] = [
  { name: 'bert-decomposed-logits', layout: { family: 'bert', layerNorm: 'decomposed', outputs: 'logits', prefix: 'bert.' } },
  { name: 'roberta', layout: { family: 'roberta', layerNorm: 'decomposed', outputs: 'last' } },
  { name: 'distilbert', layout: { family: 'distilbert', layerNorm: 'fused', outputs: 'last', prefix: 'distilbert.', castIds: true } },
  { name: 'electra', layout: { family: 'electra', layerNorm: 'fused', outputs: 'logits', prefix: 'electra.' } },
  { name: 'albert', layout: { family: 'albert', layerNorm: 'decomposed', outputs: 'last' } },
  { name: 'bert-quantized', layout: { family: 'bert', layerNorm: 'fused', outputs: 'last', quantized: true }, onnxFile: 'onnx/model_quantized.onnx' },
  { name: 'bert-external-data', layout: { family: 'bert', layerNorm: 'decomposed', outputs: 'last', externalData: true } },
];

describe.each(FAMILIES)('sensebench models inspect on the $name fixture', ({ name, layout, onnxFile }) => {
  it('lists input, embeddings and every layer of the fixture', async () => {
    const built = await writeBertFixture(join(root, name), { layout, ...(onnxFile !== undefined ? { onnxFile } : {}) });
    const { code, stdout, stderr } = await cli('models', 'inspect', `onnx:${built.dir}`);
    expect(stderr).not.toMatch(/internal error/);
    expect(code).toBe(0);
    expect(layerNames(stdout)).toEqual(['input', 'embeddings', ...built.weights.layers.map((_, i) => `layer-${i + 1}`)]);
    expect(stdout).toMatch(new RegExp(`^family +${layout.family}$`, 'm'));
  });
});

describe('sensebench models inspect on the T5-like encoder fixture', () => {
  it('lists input and every encoder block (no separate embeddings: T5 adds no positions)', async () => {
    const { dir, weights } = await writeT5Fixture(join(root, 't5'));
    const { code, stdout } = await cli('models', 'inspect', dir);
    expect(code).toBe(0);
    expect(layerNames(stdout)).toEqual(['input', ...weights.blocks.map((_, i) => `layer-${i + 1}`)]);
  });
});
