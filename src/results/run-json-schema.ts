/**
 * The shape of run.json as a zod schema: the reader validates against it, and the writer passes its
 * output through it, so the file's key order is the schema's whatever order a result was built in
 * (a result re-read and re-rendered gives the same bytes).
 */
import { z } from 'zod';
import { COMPARISON_RULES, DATASET_FORMATS, NORMALIZATIONS, NORMALIZATION_FITS, REPRESENTATION_KINDS, SPLIT_NAMES } from '../vocabulary.js';

const representationSchema = z.object({ name: z.string().min(1), kind: z.enum(REPRESENTATION_KINDS), description: z.string() });
const infoSchema = z.record(z.string(), z.union([z.string(), z.number()]));

export const runJsonSchema = z.object({
  context: z.object({
    sensebenchVersion: z.string(),
    date: z.string(),
    seed: z.number().int(),
    resamples: z.number().int().nonnegative(),
    normalizations: z.array(z.enum(NORMALIZATIONS)).min(1),
    abttComponents: z.number().int().positive(),
    comparisons: z.enum(COMPARISON_RULES).optional(),
    node: z.string(),
    platform: z.string(),
    cpu: z.string(),
    cores: z.number(),
    memoryBytes: z.number(),
    packages: z.record(z.string(), z.string()),
    models: z.array(z.object({ id: z.string().min(1), sha256: z.string(), description: z.string(), info: infoSchema, representations: z.array(representationSchema) })),
    datasets: z.array(
      z.object({
        name: z.string().min(1),
        format: z.enum(DATASET_FORMATS),
        sha256: z.string(),
        files: z.array(z.string()),
        pairs: z.record(z.string(), z.number()),
        highlightPairs: z.array(z.string()),
        license: z.string(),
        description: z.string(),
        normalizationFit: z.enum(NORMALIZATION_FITS),
        records: z.number().int().nonnegative(),
        skipped: z.array(z.string()),
        unmatchedSpans: z.number().int().nonnegative(),
        repairedSpans: z.number().int().nonnegative(),
        notes: z.array(z.string()),
      }),
    ),
    // Key order as collectRunContext writes it: run.json re-rendered from a loaded run is byte-identical.
    warnings: z.array(z.string()),
  }),
  // `columns`: the score columns of the split's pairs CSV (absent in run.json files before sensebench 0.2).
  splits: z.array(z.object({ dataset: z.string().min(1), split: z.enum(SPLIT_NAMES), unlabelled: z.boolean(), graded: z.boolean(), columns: z.array(z.string()).optional() })),
  // Where the run's time went (src/pipeline/timings.ts); the one part of a results directory that depends on the machine besides the date.
  timings: z.object({ totalSeconds: z.number().nonnegative(), phases: z.array(z.object({ phase: z.string().min(1), seconds: z.number().nonnegative() })) }).optional(),
});
