/**
 * A small typed API for building ONNX models in code and serializing them deterministically.
 *
 * ```ts
 * const g = new GraphBuilder('tiny');
 * const x = g.input('x', 'float32', ['batch', 3]);          // returns the value name
 * const w = g.initializer('w', new Float32Array(6), [3, 2]); // float32 / int64 / int32 / ... raw_data (little-endian)
 * const b = g.constant(new Float32Array([1, 2]), [2]);       // initializer with a generated unique name
 * const y = g.node('MatMul', [x, w]);                        // one output; its name is generated
 * const z = g.node('Softmax', [g.node('Add', [y, b])], { axis: -1 });
 * const [v, i] = g.nodeMulti('TopK', [z, k], 2, { axis: 1 }); // several outputs
 * g.output(z, 'probs', 'float32', ['batch', 2]);             // adds an Identity when names differ
 * const bytes = g.toBytes({ opset: 17, producer: 'sensebench' }); // same graph -> same bytes
 * ```
 *
 * Attributes: a plain integer number is an INT, any other number a FLOAT; a number[] is INTS when
 * every element is an integer, else FLOATS; a string is a STRING; a {@link TensorSpec} (from
 * {@link tensor}) is a TENSOR. Because `1.0 === 1` in JavaScript, a float attribute whose value is
 * integral must be wrapped: `attr.float(1)`, `attr.floats([1, 2])` (likewise `attr.int`,
 * `attr.ints`, `attr.string`, `attr.tensor`).
 *
 * Empty strings in a node's input list mean "optional input omitted", as in ONNX.
 * Names are unique across inputs, initializers and node outputs; {@link GraphBuilder.uniqueName}
 * hands out `prefix`, `prefix_1`, `prefix_2`, ... Nodes, initializers and outputs are serialized
 * in insertion order, so building the same graph twice gives byte-identical models.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Element types the builder can declare and store. */
export type ElementType = 'float32' | 'float64' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

/** A dimension: a fixed size, or a symbolic name such as `batch`. */
export type Dim = number | string;

const DATA_TYPE: Record<ElementType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float64: onnx.TensorProto.DataType.DOUBLE,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  int8: onnx.TensorProto.DataType.INT8,
  uint8: onnx.TensorProto.DataType.UINT8,
  bool: onnx.TensorProto.DataType.BOOL,
};

/** Data accepted for a tensor; plain arrays are converted to `type`. */
export type TensorData = Float32Array | Float64Array | BigInt64Array | Int32Array | Int8Array | Uint8Array | readonly number[] | readonly bigint[];

/** A fully specified constant tensor (initializer or TENSOR attribute). */
export interface TensorSpec {
  readonly kind: 'tensor';
  readonly type: ElementType;
  readonly dims: readonly number[];
  /** Little-endian bytes of the elements, row-major. */
  readonly rawData: Uint8Array;
}

function defaultType(data: TensorData): ElementType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  if (Array.isArray(data) && data.length > 0 && typeof data[0] === 'bigint') return 'int64';
  return 'float32';
}

/** True on little-endian hosts, where a typed array's own bytes are already ONNX's raw_data. */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function toLittleEndian(data: TensorData, type: ElementType): Uint8Array {
  // Weights of real models (tens of millions of floats) are copied as bytes, not element by element.
  if (LITTLE_ENDIAN_HOST && type === 'float32' && data instanceof Float32Array) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const n = data.length;
  const width = type === 'float64' || type === 'int64' ? 8 : type === 'float32' || type === 'int32' ? 4 : 1;
  const bytes = new Uint8Array(n * width);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) {
    const value = data[i]!;
    switch (type) {
      case 'float32':
        view.setFloat32(i * 4, Number(value), true);
        break;
      case 'float64':
        view.setFloat64(i * 8, Number(value), true);
        break;
      case 'int64':
        view.setBigInt64(i * 8, typeof value === 'bigint' ? value : BigInt(checkInteger(value)), true);
        break;
      case 'int32':
        view.setInt32(i * 4, checkInteger(Number(value)), true);
        break;
      case 'int8':
        view.setInt8(i, checkInteger(Number(value)));
        break;
      case 'uint8':
        view.setUint8(i, checkInteger(Number(value)));
        break;
      case 'bool':
        view.setUint8(i, Number(value) !== 0 ? 1 : 0);
        break;
    }
  }
  return bytes;
}

function checkInteger(value: number): number {
  if (!Number.isInteger(value)) throw new TypeError(`expected an integer tensor element, got ${value}`);
  return value;
}

/**
 * Makes a constant tensor. `type` defaults from the array class (Float32Array -> float32,
 * BigInt64Array -> int64, Int32Array -> int32, number[] -> float32, bigint[] -> int64).
 */
export function tensor(data: TensorData, dims: readonly number[], type: ElementType = defaultType(data)): TensorSpec {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (expected !== data.length) {
    throw new RangeError(`tensor dims [${dims.join(', ')}] need ${expected} elements, got ${data.length}`);
  }
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`bad tensor dim ${d}`);
  }
  return { kind: 'tensor', type, dims: [...dims], rawData: toLittleEndian(data, type) };
}

/** An attribute with its ONNX type made explicit. */
export type TypedAttribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string };

/** An attribute value; see the file comment for how plain values are typed. */
export type AttributeValue = number | string | readonly number[] | Float32Array | TensorSpec | TypedAttribute;

/** Explicit attribute constructors, for values whose type JavaScript cannot tell (1.0 vs 1). */
export const attr = {
  int: (value: number): TypedAttribute => ({ kind: 'int', value: checkInteger(value) }),
  float: (value: number): TypedAttribute => ({ kind: 'float', value }),
  ints: (value: readonly number[]): TypedAttribute => ({ kind: 'ints', value: value.map(checkInteger) }),
  floats: (value: readonly number[]): TypedAttribute => ({ kind: 'floats', value: [...value] }),
  string: (value: string): TypedAttribute => ({ kind: 'string', value }),
  tensor,
};

function tensorProto(name: string, spec: TensorSpec): onnxProto.onnx.ITensorProto {
  return { name, dims: [...spec.dims], dataType: DATA_TYPE[spec.type], rawData: spec.rawData };
}

const AttributeType = onnx.AttributeProto.AttributeType;

function attributeProto(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  if (typeof value === 'string') return attributeProto(name, attr.string(value));
  if (typeof value === 'number') return attributeProto(name, Number.isInteger(value) ? attr.int(value) : attr.float(value));
  if (value instanceof Float32Array) return attributeProto(name, attr.floats([...value]));
  if (Array.isArray(value)) {
    const numbers = value as readonly number[];
    return attributeProto(name, numbers.every((v) => Number.isInteger(v)) ? attr.ints(numbers) : attr.floats(numbers));
  }
  const typed = value as TensorSpec | TypedAttribute;
  switch (typed.kind) {
    case 'tensor':
      return { name, type: AttributeType.TENSOR, t: tensorProto('', typed) };
    case 'int':
      return { name, type: AttributeType.INT, i: typed.value };
    case 'float':
      return { name, type: AttributeType.FLOAT, f: typed.value };
    case 'ints':
      return { name, type: AttributeType.INTS, ints: [...typed.value] };
    case 'floats':
      return { name, type: AttributeType.FLOATS, floats: [...typed.value] };
    case 'string':
      return { name, type: AttributeType.STRING, s: new TextEncoder().encode(typed.value) };
  }
}

function valueInfo(name: string, type: ElementType, shape: readonly Dim[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: DATA_TYPE[type],
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** Options of a single node. */
export interface NodeOptions {
  /** Output names to use instead of generated ones (must be unused). */
  readonly outputNames?: readonly string[];
  /** Node name; generated from the op type when absent. */
  readonly name?: string;
  /** Operator domain, e.g. `com.microsoft`; default the ONNX domain. */
  readonly domain?: string;
}

/** Model-level options of {@link GraphBuilder.toBytes}. */
export interface ModelOptions {
  /** Default-domain opset version (default 17). */
  readonly opset?: number;
  /** Extra opset imports, e.g. `[{ domain: 'com.microsoft', version: 1 }]`. */
  readonly extraOpsets?: readonly { readonly domain: string; readonly version: number }[];
  /** IR version (default 8, which the bundled protos describe). */
  readonly irVersion?: number;
  readonly producer?: string;
  readonly producerVersion?: string;
  readonly docString?: string;
  /** Key/value metadata (provenance, licences); written in the given order. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Builds one ONNX graph; see the file comment for an example. */
export class GraphBuilder {
  private readonly names = new Set<string>();
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly counters = new Map<string, number>();

  constructor(readonly name: string, private readonly docString?: string) {}

  /** A fresh name: `prefix` if unused, else `prefix_1`, `prefix_2`, ... (reserved on return). */
  uniqueName(prefix: string): string {
    let n = this.counters.get(prefix) ?? 0;
    let candidate = n === 0 ? prefix : `${prefix}_${n}`;
    while (this.names.has(candidate)) {
      n++;
      candidate = `${prefix}_${n}`;
    }
    this.counters.set(prefix, n + 1);
    this.names.add(candidate);
    return candidate;
  }

  private claim(name: string): string {
    if (name === '') throw new Error('empty value name');
    if (this.names.has(name)) throw new Error(`duplicate value name ${JSON.stringify(name)} in graph ${this.name}`);
    this.names.add(name);
    return name;
  }

  /** Declares a graph input; returns its name. */
  input(name: string, type: ElementType, shape: readonly Dim[]): string {
    this.inputs.push(valueInfo(this.claim(name), type, shape));
    return name;
  }

  /** Adds a named initializer (weights); returns its name. */
  initializer(name: string, data: TensorData | TensorSpec, dims?: readonly number[], type?: ElementType): string {
    const spec = isTensorSpec(data) ? data : tensor(data, dims ?? [data.length], type ?? defaultType(data));
    this.initializers.push(tensorProto(this.claim(name), spec));
    return name;
  }

  /** Adds an initializer with a generated name (`const`, `const_1`, ... or `prefix...`). */
  constant(data: TensorData | TensorSpec, dims?: readonly number[], type?: ElementType, prefix = 'const'): string {
    const spec = isTensorSpec(data) ? data : tensor(data, dims ?? [data.length], type ?? defaultType(data));
    const name = this.uniqueName(prefix);
    this.initializers.push(tensorProto(name, spec));
    return name;
  }

  /** Adds a node with one output; returns the output's name. */
  node(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}, options: NodeOptions = {}): string {
    return this.nodeMulti(opType, inputs, 1, attributes, options)[0]!;
  }

  /** Adds a node with `outputCount` outputs; returns their names. */
  nodeMulti(
    opType: string,
    inputs: readonly string[],
    outputCount: number,
    attributes: Readonly<Record<string, AttributeValue>> = {},
    options: NodeOptions = {},
  ): string[] {
    for (const input of inputs) {
      if (input !== '' && !this.names.has(input)) {
        throw new Error(`${opType} input ${JSON.stringify(input)} is not defined in graph ${this.name}`);
      }
    }
    if (options.outputNames && options.outputNames.length !== outputCount) {
      throw new Error(`${opType}: ${outputCount} outputs but ${options.outputNames.length} names`);
    }
    const outputs = options.outputNames
      ? options.outputNames.map((n) => this.claim(n))
      : Array.from({ length: outputCount }, () => this.uniqueName(opType));
    const nodeName = options.name !== undefined ? this.claimNodeName(options.name) : this.claimNodeName(`${opType}_node`, true);
    this.nodes.push({
      name: nodeName,
      opType,
      domain: options.domain ?? '',
      input: [...inputs],
      output: outputs,
      attribute: Object.keys(attributes)
        .sort()
        .map((key) => attributeProto(key, attributes[key]!)),
    });
    return outputs;
  }

  private readonly nodeNames = new Set<string>();
  private nodeCounter = 0;

  private claimNodeName(name: string, generated = false): string {
    let candidate = generated ? `${name}_${this.nodeCounter++}` : name;
    while (this.nodeNames.has(candidate)) {
      if (!generated) throw new Error(`duplicate node name ${JSON.stringify(name)}`);
      candidate = `${name}_${this.nodeCounter++}`;
    }
    this.nodeNames.add(candidate);
    return candidate;
  }

  /**
   * Declares `value` as a graph output named `name` (an Identity node is added when the value has
   * another name). Returns the output name.
   */
  output(value: string, name: string, type: ElementType, shape: readonly Dim[]): string {
    if (!this.names.has(value)) throw new Error(`output value ${JSON.stringify(value)} is not defined`);
    const outputName = value === name ? name : this.node('Identity', [value], {}, { outputNames: [name] });
    if (this.outputs.some((o) => o.name === outputName)) throw new Error(`duplicate graph output ${name}`);
    this.outputs.push(valueInfo(outputName, type, shape));
    return outputName;
  }

  /** The graph as a protobuf message object. */
  toGraphProto(): onnxProto.onnx.IGraphProto {
    return {
      name: this.name,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
      ...(this.docString !== undefined ? { docString: this.docString } : {}),
    };
  }

  /** The whole model as a protobuf message object. */
  toModelProto(options: ModelOptions = {}): onnxProto.onnx.IModelProto {
    if (this.outputs.length === 0) throw new Error(`graph ${this.name} has no outputs`);
    return {
      irVersion: options.irVersion ?? 8,
      opsetImport: [{ domain: '', version: options.opset ?? 17 }, ...(options.extraOpsets ?? []).map((o) => ({ domain: o.domain, version: o.version }))],
      producerName: options.producer ?? 'sensebench',
      producerVersion: options.producerVersion ?? '',
      docString: options.docString ?? '',
      graph: this.toGraphProto(),
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    };
  }

  /** Serializes the model; the same graph and options always give the same bytes. */
  toBytes(options: ModelOptions = {}): Uint8Array {
    const model = onnx.ModelProto.create(this.toModelProto(options));
    return onnx.ModelProto.encode(model).finish();
  }

  /**
   * Serializes the model with its initializers of at least {@link EXTERNAL_DATA_MIN_BYTES} in a
   * separate data file (ONNX external data, `location` relative to the model file), each at an
   * offset that is a multiple of {@link EXTERNAL_DATA_ALIGNMENT}: onnxruntime then maps the weights
   * from the file instead of parsing and copying them out of the protobuf, which is most of what
   * opening a session costs. Same graph and options, same bytes; the values are the same as
   * {@link toBytes}'s.
   */
  toExternalData(location: string, options: ModelOptions = {}): ExternalDataModel {
    const proto = this.toModelProto(options);
    const parts: Uint8Array[] = [];
    let offset = 0;
    const initializers = (proto.graph?.initializer ?? []).map((initializer): onnxProto.onnx.ITensorProto => {
      const raw = initializer.rawData;
      if (!raw || raw.length < EXTERNAL_DATA_MIN_BYTES) return initializer;
      const aligned = Math.ceil(offset / EXTERNAL_DATA_ALIGNMENT) * EXTERNAL_DATA_ALIGNMENT;
      if (aligned > offset) parts.push(new Uint8Array(aligned - offset));
      parts.push(raw);
      offset = aligned + raw.length;
      return {
        name: initializer.name,
        dims: initializer.dims,
        dataType: initializer.dataType,
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [
          { key: 'location', value: location },
          { key: 'offset', value: String(aligned) },
          { key: 'length', value: String(raw.length) },
        ],
      };
    });
    const model = onnx.ModelProto.encode(onnx.ModelProto.create({ ...proto, graph: { ...proto.graph, initializer: initializers } })).finish();
    const data = new Uint8Array(offset);
    let at = 0;
    for (const part of parts) {
      data.set(part, at);
      at += part.length;
    }
    return { model, data, location };
  }
}

/** Initializers of at least this many bytes go to the external data file (onnxruntime's own threshold when it saves one). */
export const EXTERNAL_DATA_MIN_BYTES = 1024;
/** Offsets of external initializers are multiples of this (the page size onnxruntime maps at on Linux and macOS). */
export const EXTERNAL_DATA_ALIGNMENT = 4096;

/** A model serialized with external data (see {@link GraphBuilder.toExternalData}). */
export interface ExternalDataModel {
  /** The model file's bytes: the graph, small initializers inline. */
  readonly model: Uint8Array;
  /** The data file's bytes: the large initializers at aligned offsets, zero padding between them. */
  readonly data: Uint8Array;
  /** The data file's name, relative to the model file, as the model refers to it. */
  readonly location: string;
}

function isTensorSpec(value: unknown): value is TensorSpec {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'tensor';
}

/** Decodes serialized model bytes (for inspection and tests). */
export function decodeModel(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
