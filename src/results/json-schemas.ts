/**
 * The JSON files of a results directory as zod schemas, each with its type derived from it: run.json
 * and sense-projections.json. The reader validates against them, and the writer passes its output
 * through them, so a file's key order is the schema's whatever order a result was built in (a
 * result re-read and re-rendered gives the same bytes).
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

/** A value and everything in it read-only (what the schemas describe, as the result model holds it). */
// A homomorphic mapped type keeps arrays and tuples as (read-only) arrays and tuples.
type DeepReadonly<T> = T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** run.json as written and read: the run's context, the shape of its splits and its timings. */
export type RunJson = DeepReadonly<z.infer<typeof runJsonSchema>>;

/**
 * One sense picture as numbers only (sense-projections.json; src/metrics/sense-projection.ts computes
 * it, src/reports/sense-panels.ts draws it): a word's occurrences under one representation, projected
 * to 2-D by PCA, each (point, sense) once with its count, and the word's sense scores.
 */
export const senseProjectionSchema = z.object({
  word: z.string(),
  model: z.string(),
  representation: z.string(),
  kind: z.enum(REPRESENTATION_KINDS),
  /** Occurrences drawn (with a vector). */
  occurrences: z.number().int().nonnegative(),
  /** Occurrences without a vector (out of vocabulary), not drawn. */
  missing: z.number().int().nonnegative(),
  /** Distinct vectors among the drawn occurrences. */
  distinctVectors: z.number().int().nonnegative(),
  /** Share of the variance on PC1 and PC2 (null when there is no variance). */
  explained: z.tuple([z.number(), z.number()]).nullable(),
  /** One marker per point and sense, larger counts first. */
  points: z.array(z.object({ x: z.number(), y: z.number(), sense: z.string(), count: z.number().int().positive() })),
  /** 1-NN, MFS and silhouette of this word (null with fewer than two drawn occurrences). */
  score: z
    .object({
      word: z.string(),
      occurrences: z.number(),
      senses: z.number(),
      nn1Correct: z.number(),
      mfsCorrect: z.number(),
      nn1Reachable: z.number(),
      silhouette: z.number().nullable(),
    })
    .nullable(),
  /** File name of its SVG: `senses-<word>-<model>-<representation>.svg` (lower case, other characters `_`). */
  fileName: z.string().regex(/^senses-[a-z0-9._-]+\.svg$/),
  /** The senses in legend order, with their glosses. */
  senses: z.array(z.object({ sense: z.string(), gloss: z.string() })),
});

/** sense-projections.json: every sense picture of a run. */
export const senseProjectionsSchema = z.array(senseProjectionSchema);

/** One sense picture as numbers (see {@link senseProjectionSchema}). */
export type SenseProjection = DeepReadonly<z.infer<typeof senseProjectionSchema>>;
