/**
 * A Hugging Face checkpoint's weights: one `model.safetensors`, or shards listed by
 * `model.safetensors.index.json` (`{"metadata": {...}, "weight_map": {"<tensor>": "<shard file>"}}`),
 * as one table of tensors read on request (./safetensors.ts).
 *
 * `pytorch_model.bin` (a Python pickle, which can run code when loaded) is never read: a directory
 * that has only pickled weights is refused with the way to convert them.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { parseJsonAt } from '../../io/json.js';
import { listDirectory, pathExists } from '../../io/paths.js';
import { InputError } from '../../types.js';
import { SAFETENSORS_FILE, SAFETENSORS_INDEX } from './files.js';
import { FLOAT_DTYPES, SafetensorsFile, type SafetensorsTensor } from './safetensors.js';

export { SAFETENSORS_FILE, SAFETENSORS_INDEX };
/** Weight files sensebench never loads (pickles and other frameworks), for the error that says what to do. */
const UNSUPPORTED_WEIGHTS = ['pytorch_model.bin', 'pytorch_model.bin.index.json', 'tf_model.h5', 'flax_model.msgpack', 'model.ckpt.index'];

const indexSchema = z.object({ metadata: z.record(z.string(), z.unknown()).optional(), weight_map: z.record(z.string(), z.string()) }).loose();

/** One tensor of the checkpoint and the file that holds it. */
export interface CheckpointTensor extends SafetensorsTensor {
  /** The safetensors file (path) holding it. */
  readonly file: string;
}

/** True when `dir` holds safetensors weights sensebench can read (single file or sharded). */
export async function hasSafetensors(dir: string): Promise<boolean> {
  return (await pathExists(join(dir, SAFETENSORS_FILE))) || (await pathExists(join(dir, SAFETENSORS_INDEX)));
}

/** The refusal for a directory without safetensors weights, naming what it has instead. */
async function noSafetensorsError(dir: string): Promise<InputError> {
  const names = new Set((await listDirectory(dir)).map((entry) => entry.name));
  const found = UNSUPPORTED_WEIGHTS.filter((name) => names.has(name));
  if (found.length > 0) {
    return new InputError(
      `${dir}: has ${found.join(', ')} but no ${SAFETENSORS_FILE}: sensebench reads weights only from safetensors and never loads ${found.join(' or ')} ` +
        `(a pickle can run code when loaded). Convert it to safetensors, e.g. with the Hugging Face Hub's converter (https://huggingface.co/spaces/safetensors/convert), ` +
        `or in Python: AutoModel.from_pretrained(DIR).save_pretrained(DIR, safe_serialization=True)`,
    );
  }
  return new InputError(`${dir}: no ${SAFETENSORS_FILE} or ${SAFETENSORS_INDEX} (a Hugging Face checkpoint directory needs config.json, tokenizer.json and safetensors weights)`);
}

/** The tensors of a checkpoint directory; see the file comment. Close it when done. */
export class Checkpoint {
  private constructor(
    readonly dir: string,
    /** The file that lists the tensors: the single safetensors file, or the shard index. */
    readonly listing: string,
    /** The safetensors files, in name order. */
    readonly files: readonly SafetensorsFile[],
    /** Every tensor by name. */
    readonly tensors: ReadonlyMap<string, CheckpointTensor>,
  ) {}

  /**
   * Opens the weights of `dir`: `weightsFile` when given (a single safetensors file, relative to
   * `dir`), else `model.safetensors`, else the shards of `model.safetensors.index.json`. Every
   * header is validated; throws {@link InputError} naming the file (and tensor) otherwise.
   */
  static async open(dir: string, weightsFile?: string): Promise<Checkpoint> {
    const single = join(dir, weightsFile ?? SAFETENSORS_FILE);
    if (weightsFile !== undefined || (await pathExists(single))) {
      const file = await SafetensorsFile.open(single);
      return new Checkpoint(dir, single, [file], new Map([...file.tensors.values()].map((t) => [t.name, { ...t, file: single }])));
    }
    const indexPath = join(dir, SAFETENSORS_INDEX);
    if (!(await pathExists(indexPath))) throw await noSafetensorsError(dir);
    const parsed = indexSchema.safeParse(parseJsonAt(await readFile(indexPath, 'utf8'), { file: indexPath, line: 1 }));
    if (!parsed.success) throw new InputError(`${indexPath}: not a safetensors index (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
    const weightMap = parsed.data.weight_map;
    const shardNames = [...new Set(Object.values(weightMap))].sort();
    for (const shard of shardNames) {
      // Shards sit beside the index: a name that leaves the directory is not a shard.
      if (shard !== basename(shard) || shard === '.' || shard === '..' || shard.includes('\\')) throw new InputError(`${indexPath}: shard file ${JSON.stringify(shard)} is not a file name in the checkpoint directory`);
      if (!(await pathExists(join(dir, shard)))) throw new InputError(`${indexPath}: shard ${shard} is missing (it holds tensor ${JSON.stringify(Object.keys(weightMap).find((name) => weightMap[name] === shard))})`);
    }
    const files: SafetensorsFile[] = [];
    try {
      for (const shard of shardNames) files.push(await SafetensorsFile.open(join(dir, shard)));
      const byName = new Map(files.map((f) => [basename(f.path), f]));
      const tensors = new Map<string, CheckpointTensor>();
      for (const [name, shard] of Object.entries(weightMap)) {
        const file = byName.get(shard)!;
        const tensor = file.tensors.get(name);
        if (tensor === undefined) throw new InputError(`${indexPath}: tensor ${JSON.stringify(name)} is listed in ${shard}, which does not hold it`);
        tensors.set(name, { ...tensor, file: file.path });
      }
      return new Checkpoint(dir, indexPath, files, tensors);
    } catch (error) {
      await Promise.all(files.map((f) => f.close()));
      throw error;
    }
  }

  /** True when the checkpoint is split over several files. */
  get sharded(): boolean {
    return this.listing.endsWith(SAFETENSORS_INDEX);
  }

  /** How many tensors of each dtype the checkpoint holds, e.g. `{ F16: 100, I64: 1 }`. */
  dtypeCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const tensor of this.tensors.values()) counts[tensor.dtype] = (counts[tensor.dtype] ?? 0) + 1;
    return counts;
  }

  /**
   * The tensor `name` as float32, checked against `shape`; throws {@link InputError} naming the
   * file and the tensor when it is missing, not a float or of another shape. `needs` says who
   * needs it (e.g. `BertModel`), for the message.
   */
  async float32(name: string, shape: readonly number[], needs: string): Promise<Float32Array> {
    const tensor = this.tensors.get(name);
    if (tensor === undefined) throw new InputError(`${this.listing}: tensor ${JSON.stringify(name)} is missing (${needs} needs it)`);
    if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
      throw new InputError(`${tensor.file}: tensor ${JSON.stringify(name)} has shape [${tensor.shape.join(', ')}], ${needs} with this config.json needs [${shape.join(', ')}]`);
    }
    if (!FLOAT_DTYPES.includes(tensor.dtype)) throw new InputError(`${tensor.file}: tensor ${JSON.stringify(name)} has dtype ${tensor.dtype}, ${needs} needs a float tensor (${FLOAT_DTYPES.join(', ')})`);
    const file = this.files.find((f) => f.path === tensor.file)!;
    return file.readFloat32(name);
  }

  async close(): Promise<void> {
    await Promise.all(this.files.map((f) => f.close()));
  }
}
