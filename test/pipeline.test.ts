/**
 * The pipeline on its own (src/pipeline/), with a small real EmbeddingModel written here (no ONNX, no
 * GloVe): a static representation that hashes the target word and a contextual one that hashes the
 * whole sentence. Checks the RunResult's shape, that every metric comes from the stored cosines,
 * that `score DIR` re-scores a written run byte for byte, and that colliding or unsafe dataset names
 * and duplicate models are refused before anything is written.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, cacheDir, portablePath } from '../src/config.js';
import { loadDatasetSpecs } from '../src/datasets/specs.js';
import { loadModel } from '../src/models/index.js';
import { scoreRepresentation } from '../src/metrics/index.js';
import { runEvaluation, storedCosine } from '../src/pipeline/index.js';
import { CONTEXTUALITY_OCCURRENCES, CONTEXTUALITY_SENTENCES, PAIRS_PER_CHUNK } from '../src/pipeline/cosines.js';
import { wordSpans } from '../src/text.js';
import { writeReports } from '../src/reports/index.js';
import { rescoreResults } from '../src/pipeline/rescore.js';
import { InputError, type Dataset, type SentencePair, type SplitName } from '../src/types.js';
import { HashingModel, hashVector, source } from './helpers/hashing-model.js';

const root = join(import.meta.dirname, '.tmp', 'pipeline');

function pair(id: string, word: string, sentence1: string, sentence2: string, label: boolean, split: SplitName, line: number): SentencePair {
  const at = (sentence: string) => {
    const start = sentence.toLowerCase().indexOf(word);
    return [{ start, end: start + word.length }] as const;
  };
  return { id, word, sentence1, sentence2, spans1: at(sentence1), spans2: at(sentence2), label, score: null, split, source: { file: 'mem.jsonl', line } };
}

function dataset(name: string, file: string): Dataset {
  const words = ['bank', 'bat', 'spring', 'pitch'];
  const splits = new Map<SplitName, SentencePair[]>();
  let line = 0;
  for (const split of ['train', 'test'] as const) {
    const pairs: SentencePair[] = [];
    for (let i = 0; i < 24; i++) {
      const word = words[i % words.length]!;
      line += 1;
      pairs.push(pair(`${split}-${i}`, word, `The ${word} number ${i} in ${split}.`, `Another ${word} here, ${i % 3}.`, i % 2 === 0, split, line));
    }
    splits.set(split, pairs);
  }
  return { name, format: 'jsonl', splits, sha256: 'e'.repeat(64), files: [file], highlightPairs: ['test-0'] };
}

const date = new Date('2026-12-01T00:00:00.000Z');

describe('runEvaluation', () => {
  it('returns the whole RunResult: context, scored splits, throughput; loads and disposes each model once', async () => {
    const model = new HashingModel('hash');
    const result = await runEvaluation({
      datasets: [dataset('mem', 'mem.jsonl')],
      models: [source(model)],
      seed: 11,
      resamples: 50,
      date,
      measureThroughput: () => Promise.resolve([{ group: 'g', subject: 's', unit: 'ms', value: 1.234567, baseline: '', baselineValue: null, ratio: null, goal: null, rmePercent: null, samples: 3 }]),
    });
    // Three passes: the train occurrences first (the corrections are fitted and the probe trained on
    // them), then the test pairs, each distinct sentence and span once; then every word of every
    // distinct sentence (fewer than CONTEXTUALITY_SENTENCES) for contextuality.
    expect(model.embedCalls).toBe(3);
    const pairs = [...dataset('mem', 'mem.jsonl').splits.values()].flat();
    const sentences = new Set(pairs.flatMap((p) => [p.sentence1, p.sentence2]));
    expect(sentences.size).toBeLessThan(CONTEXTUALITY_SENTENCES);
    const words = [...sentences].reduce((sum, sentence) => sum + wordSpans(sentence).length, 0);
    expect(model.occurrencesEmbedded).toBe(new Set(pairs.flatMap((p) => [`${p.sentence1}|${p.spans1[0].start}`, `${p.sentence2}|${p.spans2[0].start}`])).size + words);
    const contextual = result.contextuality.find((row) => row.representation === 'sentence' && row.normalization === 'none')!;
    expect(contextual).toMatchObject({ sentences: sentences.size, randomWords: sentences.size, intraSentenceSimilarity: 1 });
    expect(model.disposed).toBe(1);
    expect(result.context.seed).toBe(11);
    expect(result.context.resamples).toBe(50);
    expect(result.context.date).toBe('2026-12-01T00:00:00.000Z');
    expect(result.context.models).toEqual([{ id: 'hash', sha256: 'f'.repeat(64), description: 'The hashing test model hash.', info: { dimensions: 8 }, representations: model.representations }]);
    expect(result.context.datasets[0]).toMatchObject({ name: 'mem', files: ['mem.jsonl'], pairs: { train: 24, test: 24 }, highlightPairs: ['test-0'] });
    expect(result.splits.map((split) => `${split.dataset}/${split.split}`)).toEqual(['mem/train', 'mem/test']);
    expect(result.throughput[0]!.value).toBe(1.2346);

    const test = result.splits[1]!;
    const word = test.scores.find((score) => score.representation === 'word')!;
    // Every pair shares its target word, so the static representation gives cosine exactly 1 and chance AUC.
    expect(test.pairs.every((item) => item.cosines.get('hash:word') === 1)).toBe(true);
    expect(word.auc!.value).toBe(0.5);
    expect(word).toMatchObject({ dataset: 'mem', split: 'test', model: 'hash', kind: 'static', nPairs: 24, nSame: 12, nDifferent: 12, thresholdSource: 'train' });
  });

  it('embeds a dataset larger than a chunk in bounded calls, with every cosine and correction as if embedded at once', async () => {
    // Train and test each one and a half chunks long; sentences repeat across chunks.
    const size = Math.round(PAIRS_PER_CHUNK * 1.5);
    const words = ['bank', 'bat', 'spring', 'pitch', 'match'];
    const splits = new Map<SplitName, SentencePair[]>();
    for (const split of ['train', 'test'] as const) {
      splits.set(
        split,
        Array.from({ length: size }, (_, i) => {
          const word = words[i % words.length]!;
          return pair(`${split}-${i}`, word, `The ${word} ${i % 3000} in ${split}.`, `A ${word} ${i % 7}.`, (i * 7) % 3 !== 0, split, i + 1);
        }),
      );
    }
    const big: Dataset = { name: 'big', format: 'jsonl', splits, sha256: 'e'.repeat(64), files: ['big.jsonl'] };
    const model = new HashingModel('hash');
    const result = await runEvaluation({ datasets: [big], models: [source(model)], seed: 3, resamples: 0, normalizations: ['center'], date });
    expect(model.largestCall).toBeLessThanOrEqual(2 * PAIRS_PER_CHUNK);
    expect(model.embedCalls).toBeGreaterThan(2);
    // The reference: raw cosines from the hash vectors directly; centered ones with the mean of the
    // train split's distinct occurrences (the fit sample is all of them, fewer than the cap).
    const vectorOf = (sentence: string, span: { start: number; end: number }, r: number): Float32Array => (r === 0 ? hashVector(sentence.slice(span.start, span.end).toLowerCase()) : hashVector(sentence));
    const distinctTrain = new Map<string, [string, { start: number; end: number }]>();
    for (const p of splits.get('train')!) for (const [sentence, spans] of [[p.sentence1, p.spans1], [p.sentence2, p.spans2]] as const) distinctTrain.set(`${sentence}|${spans[0].start}`, [sentence, spans[0]]);
    const means = [0, 1].map((r) => {
      const sum = new Float64Array(8);
      for (const [sentence, span] of distinctTrain.values()) vectorOf(sentence, span, r).forEach((x, i) => (sum[i]! += x));
      return sum.map((x) => x / distinctTrain.size);
    });
    const centered = (v: Float32Array, r: number): Float32Array => Float32Array.from(v, (x, i) => x - means[r]![i]!);
    for (const split of result.splits) {
      for (const { pair: p, cosines } of split.pairs) {
        for (const [r, name] of ['word', 'sentence'].entries()) {
          const u = vectorOf(p.sentence1, p.spans1[0], r);
          const v = vectorOf(p.sentence2, p.spans2[0], r);
          expect(cosines.get(`hash:${name}`)).toBe(storedCosine(u, v));
          expect(cosines.get(`hash:${name}@center`)).toBeCloseTo(storedCosine(centered(u, r), centered(v, r))!, 5);
        }
      }
    }
    // The probe predicted every test pair and scored every train pair out of fold.
    expect(result.splits.every((split) => split.pairs.every(({ cosines }) => typeof cosines.get('hash:sentence#probe') === 'number'))).toBe(true);
  });

  it('trains the probe on a seeded sample of whole words beyond the cap, and scores the other train pairs with the final probe', async () => {
    // 48 train pairs over 8 words (6 each); a cap of 20 pairs takes 3 whole words.
    const words = ['bank', 'bat', 'spring', 'pitch', 'match', 'seal', 'crane', 'mole'];
    const train = Array.from({ length: 48 }, (_, i) => pair(`train-${i}`, words[i % 8]!, `The ${words[i % 8]!} number ${i}.`, `Another ${words[i % 8]!}, ${i % 5}.`, i % 3 !== 0, 'train', i + 1));
    const test = Array.from({ length: 16 }, (_, i) => pair(`test-${i}`, words[i % 8]!, `A ${words[i % 8]!} test ${i}.`, `The ${words[i % 8]!} again ${i}.`, i % 2 === 0, 'test', 100 + i));
    const capped: Dataset = { name: 'capped', format: 'jsonl', splits: new Map([['train', train], ['test', test]]), sha256: 'e'.repeat(64), files: ['capped.jsonl'] };
    const fits: number[] = [];
    const run = (probeTrainPairs?: number) => runEvaluation({ datasets: [capped], models: [source(new HashingModel('hash'))], seed: 5, resamples: 0, date, ...(probeTrainPairs === undefined ? {} : { probeTrainPairs }), onProbeFit: (fit) => fits.push(fit.pairs) });
    const result = await run(20);
    expect(fits).toEqual([18, 18]);
    expect(result.splits.every((split) => split.pairs.every(({ cosines }) => typeof cosines.get('hash:sentence#probe') === 'number'))).toBe(true);
    // Below the cap nothing changes: every train pair trains the probe.
    fits.length = 0;
    await run();
    expect(fits).toEqual([48, 48]);
  });

  it('measures contextuality on a seeded sample of whole words once a dataset has more occurrences than the cap', async () => {
    // 12,000 pairs over 600 words, every sentence distinct: 24,000 occurrences, 40 per word.
    const pairs = Array.from({ length: 12_000 }, (_, i) => {
      const word = `w${i % 600}`;
      return pair(`p-${i}`, word, `One ${word} at ${i}.`, `Two ${word} at ${i}.`, i % 2 === 0, 'test', i + 1);
    });
    const wide: Dataset = { name: 'wide', format: 'jsonl', splits: new Map([['test', pairs]]), sha256: 'e'.repeat(64), files: ['wide.jsonl'] };
    const run = () => runEvaluation({ datasets: [wide], models: [source(new HashingModel('hash'))], seed: 5, resamples: 0, normalizations: ['none'], date });
    const [first, again] = [await run(), await run()];
    const row = first.contextuality.find((r) => r.representation === 'sentence')!;
    expect(row.occurrences).toBe(Math.floor(CONTEXTUALITY_OCCURRENCES / 40) * 40);
    expect(row.words).toBe(Math.floor(CONTEXTUALITY_OCCURRENCES / 40));
    // Beyond CONTEXTUALITY_SENTENCES distinct sentences, a seeded sample of them has every word embedded.
    expect(row.sentences).toBe(CONTEXTUALITY_SENTENCES);
    expect(again.contextuality).toEqual(first.contextuality);
  });

  it('computes every metric from the cosines as stored (six decimals), so re-scoring the pairs gives summary.csv', async () => {
    const result = await runEvaluation({ datasets: [dataset('mem', 'mem.jsonl')], models: [source(new HashingModel('hash'))], seed: 3, resamples: 40, date });
    const test = result.splits[1]!;
    for (const item of test.pairs) {
      const cosine = item.cosines.get('hash:sentence')!;
      expect(Number(cosine.toFixed(6))).toBe(cosine);
    }
    const recomputed = scoreRepresentation({
      evaluated: test.pairs.map((item) => ({ word: item.pair.word, label: item.pair.label, score: null, cosine: item.cosines.get('hash:sentence') ?? null })),
      train: result.splits[0]!.pairs.map((item) => ({ word: item.pair.word, label: item.pair.label, score: null, cosine: item.cosines.get('hash:sentence') ?? null })),
      seed: 3,
      bootstrapResamples: 40,
      key: 'hash:sentence:mem:test',
    });
    const stored = test.scores.find((score) => score.representation === 'sentence')!;
    expect(stored.auc!.value).toBe(Number(recomputed.auc!.value.toFixed(6)));
    expect(stored.accuracy).toBe(Number(recomputed.accuracy!.toFixed(6)));
  });

  it('sensebench score re-scores a written run byte for byte from its pairs CSVs', async () => {
    const dir = join(root, 'rescore');
    await rm(dir, { recursive: true, force: true });
    // Two models: the run scores the first one's probe rows as soon as its probes settle, the
    // second's at the end, and every cosine row ahead of both; `score` scores each in place.
    let waited = 0;
    const whileWaiting = async (): Promise<void> => {
      waited++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    };
    const result = await runEvaluation({ datasets: [dataset('mem', 'mem.jsonl')], models: [source(new HashingModel('hash')), source(new HashingModel('hash2'))], seed: 5, resamples: 30, date, whileWaiting });
    expect(waited).toBe(1);
    await writeReports(result, dir);
    // The probe rows re-score from the pairs CSVs' `#probe` columns like the cosine rows.
    expect(result.splits.flatMap((split) => split.scores).filter((score) => score.scoring === 'probe')).toHaveLength(8);
    expect((await readFile(join(dir, 'pairs', 'mem-test.csv'), 'utf8')).split('\n')[0]).toContain('hash:word#probe,hash:sentence');
    const before = new Map<string, string>();
    const csvs = ['summary.csv', 'compare.csv', 'contextuality.csv', ...(await readdir(join(dir, 'words'))).map((name) => `words/${name}`)];
    for (const name of csvs) before.set(name, await readFile(join(dir, name), 'utf8'));
    // Damage the derived files: score must rebuild them from pairs/ alone.
    await writeFile(join(dir, 'summary.csv'), 'garbage\n');
    await rm(join(dir, 'compare.csv'));
    await rm(join(dir, 'words'), { recursive: true });
    const { result: rescored } = await rescoreResults(dir);
    await writeReports(rescored, dir);
    for (const name of csvs) expect(await readFile(join(dir, name), 'utf8'), name).toBe(before.get(name));
  });

  it("fails with the caller's whileWaiting error, and only after the models settled", async () => {
    let settled = false;
    const run = runEvaluation({
      datasets: [dataset('mem', 'mem.jsonl')],
      models: [source(new HashingModel('hash'))],
      seed: 5,
      resamples: 0,
      date,
      onProbeFit: () => {
        settled = true;
      },
      whileWaiting: () => Promise.reject(new Error('report modules missing')),
    });
    await expect(run).rejects.toThrow('report modules missing');
    expect(settled).toBe(true);
  });

  it('refuses two datasets with one name, naming both files, before any model is loaded', async () => {
    const model = new HashingModel('hash');
    const run = runEvaluation({ datasets: [dataset('valid', 'danish_da/valid.txt'), dataset('valid', 'dutch_nl/valid.txt')], models: [source(model)], seed: 1 });
    await expect(run).rejects.toThrow(InputError);
    await expect(run).rejects.toThrow(/"valid" \(danish_da\/valid\.txt and dutch_nl\/valid\.txt\)/);
    expect(model.embedCalls).toBe(0);
  });

  it('refuses a dataset name that could escape the output directory, and a model listed twice', async () => {
    await expect(runEvaluation({ datasets: [dataset('../../x', 'x.jsonl')], models: [], seed: 1 })).rejects.toThrow(/becomes part of file names/);
    const model = new HashingModel('hash');
    await expect(runEvaluation({ datasets: [dataset('mem', 'mem.jsonl')], models: [source(model), source(model)], seed: 1, resamples: 0 })).rejects.toThrow(/listed twice/);
  });
});

describe('no machine paths in results', () => {
  it('records model directories and dataset files relative to the project or the cache, never absolute', async () => {
    const model = new HashingModel('hash');
    const withPaths = Object.assign(model, { info: { directory: join(cacheDir(), 'use-lite'), elsewhere: join(PROJECT_ROOT, 'datasets', 'x') } });
    const result = await runEvaluation({ datasets: [dataset('mem', join(PROJECT_ROOT, 'datasets', 'mem.jsonl'))], models: [source(withPaths)], seed: 1, resamples: 0, date });
    const info = result.context.models[0]!.info;
    expect(info.directory).toBe(process.env.SENSEBENCH_CACHE === undefined ? '.cache/use-lite' : '$SENSEBENCH_CACHE/use-lite');
    expect(info.elsewhere).toBe('datasets/x');
    expect(result.context.datasets[0]!.files).toEqual(['datasets/mem.jsonl']);
    expect(portablePath('/somewhere/else/data.tsv')).toBe('/somewhere/else/data.tsv');
  });

  it('refuses a Hub model id that could escape the cache directory', async () => {
    await expect(loadModel('hf:../../etc', { cacheDir: join(root, 'cache') })).rejects.toThrow(InputError);
    await expect(loadModel('hf:org/..', { cacheDir: join(root, 'cache') })).rejects.toThrow(/expected a Hugging Face model id/);
  });
});

describe('dataset names from --dataset specs', () => {
  const csv = (word: string): string =>
    `id,word,sentence1,sentence2,label\n1,${word},The ${word} is here.,A ${word} was there.,T\n2,${word},My ${word} fell.,Your ${word} rose.,F\n`;

  it('gives same-named files their parent folder as a prefix, and says so', async () => {
    const dir = join(root, 'names');
    await mkdir(join(dir, 'danish_da'), { recursive: true });
    await mkdir(join(dir, 'dutch_nl'), { recursive: true });
    await writeFile(join(dir, 'danish_da', 'valid.csv'), csv('bank'));
    await writeFile(join(dir, 'dutch_nl', 'valid.csv'), csv('bank'));
    const { datasets, notes } = await loadDatasetSpecs([join(dir, 'danish_da', 'valid.csv'), join(dir, 'dutch_nl', 'valid.csv')], {});
    expect(datasets.map((d) => d.name)).toEqual(['danish_da-valid', 'dutch_nl-valid']);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/is named "danish_da-valid" \(another dataset is also called "valid"\)/);
  });

  it('takes NAME=PATH as given and refuses an unsafe NAME', async () => {
    const dir = join(root, 'named');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'pairs.csv'), csv('bat'));
    const { datasets, notes } = await loadDatasetSpecs([`mine=${join(dir, 'pairs.csv')}`], {});
    expect(datasets[0]!.name).toBe('mine');
    expect(notes).toEqual([]);
    await expect(loadDatasetSpecs([`../../x=${join(dir, 'pairs.csv')}`], {})).rejects.toThrow(/the name "\.\.\/\.\.\/x" becomes part of file names/);
    await expect(loadDatasetSpecs([`..=${join(dir, 'pairs.csv')}`], {})).rejects.toThrow(InputError);
  });
});
