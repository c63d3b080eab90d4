/**
 * `sensebench models inspect MODEL`: what sensebench makes of a transformer model directory before
 * a run — family, tokenizer, sizes, the layers graph surgery found and the tensors they come from,
 * and exactly the representations a run will score. The record is typed so the CLI can print it
 * ({@link formatInspection}) or write it as JSON.
 */
import { resolve } from 'node:path';
import { InputError, type RepresentationKind } from '../types.js';
import type { LayerTensor } from './graph-surgery.js';
import type { CheckpointManifest, CheckpointSourceRecord } from './checkpoint/convert.js';
import { hfLayout, hubModelDir, isHubModelCached, prepareHfCheckpoint, resolveHfTarget } from './hub.js';
import { loadOnnxParts } from './onnx-model.js';
import type { TokenizerDescription } from './tokenizer.js';
import { prepareUseLite } from './use-lite/convert.js';

/** Options of {@link inspectModel}. */
export interface InspectOptions {
  /** Cache directory (derived models, use-lite, hf: models). */
  readonly cacheDir: string;
}

/** One representation a run scores. */
export interface InspectedRepresentation {
  readonly name: string;
  readonly kind: RepresentationKind;
  /** Graph output it is read from. */
  readonly output: string;
  readonly pooling: 'target' | 'sentence';
  readonly description: string;
}

/** What {@link inspectModel} found. */
export interface ModelInspection {
  /** The spec as given (`onnx:DIR`, `hf:ORG/NAME`, `use-lite`, or a directory). */
  readonly spec: string;
  readonly directory: string;
  /** ONNX file relative to the directory. */
  readonly onnxFile: string;
  /** config.json's `model_type`, else the layout graph surgery recognised, else `unknown`. */
  readonly family: string;
  readonly tokenizer: TokenizerDescription & { readonly vocabularySize: number };
  readonly hiddenSize: number | null;
  readonly maxLength: number;
  readonly graphInputs: readonly string[];
  readonly graphOutputs: readonly string[];
  /** How representations were chosen. */
  readonly source: 'config.json sensebench block' | 'graph surgery' | 'graph output names';
  /** Layers found by graph surgery (empty when not used or not understood). */
  readonly layers: readonly LayerTensor[];
  /** What graph surgery found, one line each (empty when config.json names the outputs). */
  readonly notes: readonly string[];
  readonly representations: readonly InspectedRepresentation[];
  /** The safetensors checkpoint the model was converted from (`hf:` checkpoints, minilm); null for ONNX directories. */
  readonly checkpoint: (Omit<CheckpointSourceRecord, 'files'> & { readonly files: readonly string[] }) | null;
}

/** The model directory a spec names, and the checkpoint it was converted from (no download: an `hf:` Hub model must be in the cache). */
async function resolveDirectory(spec: string, cacheDir: string): Promise<{ directory: string; checkpoint?: CheckpointManifest }> {
  if (spec === 'use-lite') return { directory: (await prepareUseLite(cacheDir)).dir };
  if (spec === 'minilm') {
    const prepared = await (await import('./minilm/index.js')).prepareMinilm(cacheDir);
    return { directory: prepared.dir, checkpoint: prepared.manifest };
  }
  if (spec.startsWith('onnx:')) return { directory: resolve(spec.slice('onnx:'.length)) };
  if (spec.startsWith('hf:')) {
    const target = await resolveHfTarget(spec.slice('hf:'.length));
    if (target.kind === 'hub' && !(await isHubModelCached(cacheDir, target.id))) {
      throw new InputError(`${spec} is not in the cache (${hubModelDir(cacheDir, target.id)}); run it once with --allow-download on a machine with a network, or inspect a local hf:PATH or onnx:DIR`);
    }
    const dir = target.kind === 'local' ? target.dir : hubModelDir(cacheDir, target.id);
    if ((await hfLayout(dir)) === 'onnx') return { directory: dir };
    const prepared = await prepareHfCheckpoint(dir, cacheDir);
    return { directory: prepared.dir, checkpoint: prepared.manifest };
  }
  if (spec === 'glove-100d' || spec.startsWith('static:')) throw new InputError(`${spec} is a static model: there is nothing to inspect (models inspect reads transformer directories)`);
  return { directory: resolve(spec) };
}

/** Loads the model as a run would (graph surgery included), records what it found, and releases it. */
export async function inspectModel(spec: string, options: InspectOptions): Promise<ModelInspection> {
  const { directory, checkpoint } = await resolveDirectory(spec, options.cacheDir);
  const parts = await loadOnnxParts(directory, { cacheDir: options.cacheDir, id: spec });
  try {
    const { analysis, bindings, tokenizer, runner, info } = parts;
    const session = await runner.open();
    const source: ModelInspection['source'] = analysis === undefined ? 'config.json sensebench block' : analysis.understood ? 'graph surgery' : 'graph output names';
    const modelType = typeof info.modelType === 'string' ? info.modelType : undefined;
    const hidden = typeof info.hiddenSize === 'number' ? info.hiddenSize : (analysis?.hiddenSize ?? null);
    return {
      spec,
      directory,
      onnxFile: String(info.onnxFile),
      family: modelType ?? (analysis?.understood === true ? analysis.layout : 'unknown'),
      tokenizer: { ...tokenizer.description, vocabularySize: tokenizer.vocabularySize },
      hiddenSize: hidden,
      maxLength: parts.maxLength,
      graphInputs: [...session.inputNames],
      graphOutputs: analysis?.graphOutputs ?? [...session.outputNames],
      source,
      layers: analysis?.understood === true ? analysis.tensors : [],
      notes: analysis?.notes ?? [],
      representations: bindings.map((b) => ({ name: b.representation.name, kind: b.representation.kind, output: b.output, pooling: b.pooling, description: b.representation.description })),
      checkpoint: checkpoint === undefined ? null : { ...checkpoint.source, files: Object.keys(checkpoint.source.files) },
    };
  } finally {
    await parts.runner.release();
  }
}

/** The inspection as text, one fact per line, tables aligned. */
export function formatInspection(inspection: ModelInspection): string {
  const t = inspection.tokenizer;
  const lines = [
    `model       ${inspection.spec}`,
    `directory   ${inspection.directory}`,
    `onnx file   ${inspection.onnxFile}`,
    `family      ${inspection.family}`,
    `tokenizer   ${t.model}${t.preTokenizer !== '' ? `, pre-tokenizer ${t.preTokenizer}` : ''}${t.normalizer !== '' ? `, normalizer ${t.normalizer}` : ''}; ${t.vocabularySize} tokens; ${t.addsSpecialTokens ? 'adds special tokens' : 'no special tokens'}`,
    ...(t.ignoredSettings.length > 0 ? [`            ignored from tokenizer.json: ${t.ignoredSettings.join(', ')} (sensebench pads per batch and windows long sentences around the target)`] : []),
    `hidden size ${inspection.hiddenSize ?? 'unknown'}`,
    `max length  ${inspection.maxLength} tokens`,
    `inputs      ${inspection.graphInputs.join(', ')}`,
    `outputs     ${inspection.graphOutputs.join(', ')}`,
    `chosen by   ${inspection.source}`,
  ];
  for (const note of inspection.notes) lines.push(`found       ${note}`);
  const c = inspection.checkpoint;
  if (c !== null) {
    const origin = Object.entries(c.origin).map(([key, value]) => `${key} ${value}`).join(', ');
    lines.push(
      '',
      'converted from a safetensors checkpoint:',
      `  source        ${origin}`,
      `  architecture  ${c.architecture}${c.declaredArchitectures.length > 0 && c.declaredArchitectures.join() !== c.architecture ? ` (config.json: ${c.declaredArchitectures.join(', ')})` : ''}: ${c.layers} layers, hidden ${c.hidden}, ${c.heads} heads, ${c.activation}`,
      `  weights       ${Object.entries(c.dtypes).map(([dtype, count]) => `${count} ${dtype}`).join(', ')} tensors in ${c.shards} safetensors file${c.shards === 1 ? '' : 's'}`,
      `  files         ${c.files.join(', ')}`,
      `  tensors       ${c.tensorsRead} read, ${c.tensorsIgnored.length} not used${c.tensorsIgnored.length > 0 ? `: ${c.tensorsIgnored.slice(0, 6).join(', ')}${c.tensorsIgnored.length > 6 ? ', ...' : ''}` : ''}`,
      `  max length    ${c.maxLength} (${c.maxLengthReason})`,
      `  sentence      ${c.sentencePooling}`,
      ...(c.tokenizerSettingsIgnored.length > 0 ? [`  tokenizer     ignored from tokenizer.json: ${c.tokenizerSettingsIgnored.join(', ')}`] : []),
    );
  }
  if (inspection.layers.length > 0) {
    lines.push('', 'layers (hidden_states numbering):');
    const width = Math.max(...inspection.layers.map((l) => l.representation.length));
    for (const layer of inspection.layers) lines.push(`  ${layer.representation.padEnd(width)}  ${layer.tensor}  <- ${layer.parameter} via ${layer.via}`);
  }
  lines.push('', 'representations a run scores:');
  const width = Math.max(...inspection.representations.map((r) => r.name.length));
  for (const r of inspection.representations) lines.push(`  ${r.name.padEnd(width)}  ${r.kind.padEnd(10)}  ${r.pooling.padEnd(8)}  ${r.output}: ${r.description}`);
  return `${lines.join('\n')}\n`;
}
