/**
 * `--model hf:PATH` for local directories in the Hugging Face layout (a safetensors checkpoint,
 * single or sharded, or a transformers.js ONNX export), end to end through the CLI: a run scores a
 * BERT, a RoBERTa and a DistilBERT checkpoint (F32, F16, BF16, sharded) under columns
 * `<model id>:<representation>`; a broken checkpoint exits 2 naming the file and the tensor, with
 * nothing written; `models inspect` describes the checkpoint. `hf:ORG/NAME --allow-download` is
 * exercised against a local HTTP server standing in for the Hub: a repository without an ONNX
 * export is fetched as safetensors and loaded by the same path as a local directory.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXIT_INPUT_ERROR } from '../src/cli.js';
import { hubModelDir, isHubModelCached, loadHubModel, resolveHfTarget } from '../src/models/hub.js';
import { InputError } from '../src/types.js';
import { writeBertFixture } from './helpers/bert-fixture.js';
import { writeCheckpointFixture, type CheckpointFixture } from './helpers/checkpoint-fixture.js';
import { cli } from './helpers/cli.js';
import { tempDirs } from './helpers/temp-dirs.js';

const newDir = tempDirs('checkpoint-hub');
let cacheDir: string;
const previousCache = process.env.SENSEBENCH_CACHE;

beforeAll(async () => {
  cacheDir = await newDir();
  process.env.SENSEBENCH_CACHE = cacheDir;
});

afterAll(() => {
  if (previousCache === undefined) delete process.env.SENSEBENCH_CACHE;
  else process.env.SENSEBENCH_CACHE = previousCache;
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** A small generic JSONL dataset over the fixture vocabulary (every word is in each fixture tokenizer). */
async function writeDataset(dir: string): Promise<string> {
  const pairs = [
    ['bank', 'the river bank was muddy', 'she went to the bank for a loan', false],
    ['bank', 'the bank was closed at night', 'his account at the bank was closed', true],
    ['bank', 'they sat by the river bank', 'the boat went by the muddy bank', true],
    ['bank', 'money in the bank', 'fish by the river bank', false],
    ['bark', 'the dog and its bark', 'the bark of the old tree', false],
    ['bark', 'the loud bark of the dog', 'a dog with a loud bark', true],
    ['spring', 'the spring in the metal coil', 'the new spring season', false],
    ['spring', 'a green day in spring', 'the spring season was green', true],
    ['light', 'a bright light in the room', 'the light of the day', true],
    ['light', 'the light book', 'the bright light', false],
  ] as const;
  const path = join(dir, 'tiny.jsonl');
  await writeFile(path, pairs.map(([word, sentence1, sentence2, label], i) => JSON.stringify({ id: `p${i}`, word, sentence1, sentence2, label, split: 'test' })).join('\n'));
  return path;
}

describe('hf:PATH with safetensors checkpoints, through the CLI', () => {
  let fixtures: Record<string, CheckpointFixture>;
  let dataset: string;
  let out: string;

  beforeAll(async () => {
    const root = await newDir();
    fixtures = {
      bert: await writeCheckpointFixture(join(root, 'bert-f16'), { family: 'bert', dtype: 'F16', head: true }),
      roberta: await writeCheckpointFixture(join(root, 'roberta-bf16'), { family: 'roberta', dtype: 'BF16' }),
      distilbert: await writeCheckpointFixture(join(root, 'distilbert-sharded'), { family: 'distilbert', dtype: 'F32', shards: 2 }),
    };
    dataset = await writeDataset(root);
    out = join(root, 'out');
  });

  it('runs a BERT, a RoBERTa and a DistilBERT checkpoint, each column <model id>:<representation>', async () => {
    const specs = Object.values(fixtures).map((f) => `hf:${f.dir}`);
    const run = await cli('run', '--dataset', dataset, ...specs.flatMap((spec) => ['--model', spec]), '--out', out, '--resamples', '50', '--no-senses');
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(0);
    const header = readFileSync(join(out, 'pairs', 'tiny-test.csv'), 'utf8').split('\n')[0]!;
    for (const spec of specs) {
      for (const representation of ['input', 'embeddings', 'layer-1', 'layer-2', 'sentence-mean']) expect(header).toContain(`${spec}:${representation}`);
    }
    const summary = parse<Record<string, string>>(readFileSync(join(out, 'summary.csv'), 'utf8'), { columns: true });
    expect(new Set(summary.map((row) => row.model))).toEqual(new Set(specs));
    const runJson = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as unknown;
    expect(JSON.stringify(runJson)).toContain('RobertaModel');
    // Converted once into the cache, one directory per checkpoint.
    expect((await readdir(join(cacheDir, 'checkpoints'))).length).toBe(3);
  });

  it('refuses a broken checkpoint with exit code 2, naming the file and the tensor, and writes nothing', async () => {
    const broken = await writeCheckpointFixture(join(await newDir(), 'broken'), { family: 'bert', dtype: 'F32' });
    const config = JSON.parse(await readFile(join(broken.dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(broken.dir, 'config.json'), JSON.stringify({ ...config, num_hidden_layers: 3 }));
    const brokenOut = join(await newDir(), 'out');
    const before = await readdir(join(cacheDir, 'checkpoints'));
    const run = await cli('run', '--dataset', dataset, '--model', `hf:${broken.dir}`, '--out', brokenOut, '--no-senses');
    expect(run.code).toBe(EXIT_INPUT_ERROR);
    expect(run.stderr).toContain(`${join(broken.dir, 'model.safetensors')}: tensor "encoder.layer.2.attention.self.query.weight" is missing (BertModel needs it)`);
    expect(existsSync(brokenOut)).toBe(false);
    expect(await readdir(join(cacheDir, 'checkpoints'))).toEqual(before);
  });

  it('models inspect describes the checkpoint: architecture, layers, dtypes, shards, ignored tensors', async () => {
    const bert = await cli('models', 'inspect', `hf:${fixtures.bert!.dir}`);
    expect(bert.code).toBe(0);
    expect(bert.stdout).toMatch(/converted from a safetensors checkpoint:/);
    expect(bert.stdout).toMatch(/architecture {2}BertModel \(config\.json: BertForMaskedLM\): 2 layers, hidden 32, 4 heads, gelu/);
    expect(bert.stdout).toMatch(/weights {7}42 F16, 1 I64 tensors in 1 safetensors file/);
    expect(bert.stdout).toMatch(/tensors {7}37 read, 6 not used: bert\.embeddings\.position_ids, cls\.predictions\.bias/);
    const distil = await cli('models', 'inspect', `hf:${fixtures.distilbert!.dir}`, '--json');
    const inspection = JSON.parse(distil.stdout) as { checkpoint: { architecture: string; shards: number; dtypes: Record<string, number>; files: string[] }; representations: { name: string }[] };
    expect(inspection.checkpoint).toMatchObject({ architecture: 'DistilBertModel', shards: 2, dtypes: { F32: 36 } });
    expect(inspection.checkpoint.files).toContain('model.safetensors.index.json');
    expect(inspection.representations.map((r) => r.name)).toEqual(['input', 'embeddings', 'layer-1', 'layer-2', 'sentence-mean']);
  });
});

describe('hf: arguments', () => {
  it('a local transformers.js ONNX export is loaded as it is (graph surgery), relative paths too', async () => {
    const dir = join(await newDir(), 'onnx-export');
    await writeBertFixture(dir);
    const spec = relative(process.cwd(), dir);
    const model = await loadHubModel(spec.startsWith('.') ? spec : `./${spec}`, { cacheDir });
    try {
      expect(model.representations.map((r) => r.name)).toEqual(['input', 'embeddings', 'layer-1', 'layer-2', 'sentence-mean']);
      expect(model.info.architecture).toBeUndefined();
    } finally {
      await model.dispose();
    }
  });

  it('ids with traversal and missing explicit paths stay refused', async () => {
    for (const bad of ['org/..', 'a/../b', '../../nonexistent-dir', './nonexistent']) {
      await expect(resolveHfTarget(bad)).rejects.toThrow(InputError);
    }
    await expect(resolveHfTarget('org/..')).rejects.toThrow(/expected a Hugging Face model id/);
    expect(await resolveHfTarget('Xenova/bert-base-uncased')).toEqual({ kind: 'hub', id: 'Xenova/bert-base-uncased' });
  });

  it('a Hub model cached as a safetensors checkpoint loads without --allow-download', async () => {
    const dir = hubModelDir(cacheDir, 'test-org/tiny-roberta');
    await writeCheckpointFixture(dir, { family: 'roberta', dtype: 'F16' });
    expect(await isHubModelCached(cacheDir, 'test-org/tiny-roberta')).toBe(true);
    const model = await loadHubModel('test-org/tiny-roberta', { cacheDir });
    try {
      expect(model.id).toBe('hf:test-org/tiny-roberta');
      expect(model.info.architecture).toBe('RobertaModel');
    } finally {
      await model.dispose();
    }
  });
});

describe('hf:ORG/NAME --allow-download without an ONNX export (a local server stands in for the Hub)', () => {
  let server: Server;
  let repo: CheckpointFixture;
  const requested: string[] = [];
  let previousHost = '';

  beforeAll(async () => {
    repo = await writeCheckpointFixture(join(await newDir(), 'repo'), { family: 'bert', dtype: 'BF16', shards: 2, sentenceTransformers: { mode: 'mean', normalize: true } });
    server = createServer((request, response) => {
      const match = /^\/test-org\/st-bert\/resolve\/main\/(.+)$/.exec(decodeURIComponent(request.url ?? ''));
      requested.push(match?.[1] ?? request.url ?? '');
      const path = match ? resolve(repo.dir, match[1]!) : '';
      if (path === '' || !path.startsWith(repo.dir) || !existsSync(path)) {
        response.writeHead(404).end('Entry not found');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(path));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { env } = await import('@huggingface/transformers');
    previousHost = env.remoteHost;
    const address = server.address();
    env.remoteHost = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`;
  });

  afterAll(async () => {
    const { env } = await import('@huggingface/transformers');
    env.remoteHost = previousHost;
    await new Promise<void>((done) => server.close(() => { done(); }));
  });

  it('fetches config, tokenizer, the shard index, both shards and the sentence-transformers files, then converts them', async () => {
    const messages: string[] = [];
    const model = await loadHubModel('test-org/st-bert', { cacheDir, allowDownload: true, onProgress: (m) => messages.push(m) });
    try {
      expect(messages.join('\n')).toMatch(/test-org\/st-bert: no ONNX export .*downloading its safetensors checkpoint/);
      const dir = hubModelDir(cacheDir, 'test-org/st-bert');
      for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors.index.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'modules.json', 'sentence_bert_config.json', '1_Pooling/config.json']) {
        expect(await readFile(join(dir, file))).toEqual(await readFile(join(repo.dir, file)));
      }
      expect(requested).toContain('model.safetensors'); // tried first, 404
      expect(model.representations.map((r) => r.name)).toEqual(['input', 'embeddings', 'layer-1', 'layer-2', 'sentence']);
      expect(model.info).toMatchObject({ architecture: 'BertModel', maxLength: 48 });
    } finally {
      await model.dispose();
    }
    // Cached now: no flag needed, nothing fetched again.
    const count = requested.length;
    const again = await loadHubModel('test-org/st-bert', { cacheDir });
    await again.dispose();
    expect(requested.length).toBe(count);
    await rm(hubModelDir(cacheDir, 'test-org/st-bert'), { recursive: true });
  });
});
