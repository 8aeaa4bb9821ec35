// Builds the Qwen2/Qwen3 decoder as an ONNX ModelProto from a ModelConfig + Weights, with the input/output names
// Hugging Face Optimum / transformers.js exports use, so one graph serves our engine and transformers.js alike.
import onnxProto from 'onnx-proto'
import {DataError} from '../../core/index.js'
import {expectedShape, expectedTensorNames, isLazyTensor, type ModelConfig, type Weights} from '../config.js'

const {onnx} = onnxProto
type NodeProto = onnxProto.onnx.INodeProto
type TensorProto = onnxProto.onnx.ITensorProto
type AttributeProto = onnxProto.onnx.IAttributeProto

const FLOAT = onnx.TensorProto.DataType.FLOAT
const INT64 = onnx.TensorProto.DataType.INT64

/** Opset of the pure-standard variant: 17 is what python3-onnx 1.12's checker and onnxruntime-web both accept. */
export const STANDARD_OPSET = 17
/** The fused variant needs opset ≥ 1 of com.microsoft and ai.onnx 17 for the rest. */
export const MICROSOFT_OPSET = 1
/** Masked attention scores: large but finite, so fully masked (padding) rows give a uniform softmax, not NaN. */
const MASK_VALUE = -1e9
/** The largest ModelProto protobuf can hold; beyond it weights must go to an external data file. */
const PROTOBUF_LIMIT = 2 ** 31 - 1

export interface BuildGraphOptions {
  /**
   * Use com.microsoft fused ops that onnxruntime's CPU provider implements (SimplifiedLayerNormalization,
   * SkipSimplifiedLayerNormalization). onnx.checker and transformers.js see the standard variant. Default false.
   */
  fused?: boolean
  /**
   * Store weights in an external data file (name relative to the .onnx file) instead of inline. Needed past
   * 2 GB. The bytes come back in `externalData`, to be written next to the model. Default: inline.
   */
  externalDataLocation?: string
  /**
   * With `externalDataLocation`: receives each weight's bytes, in file order, as the graph is built, and the
   * builder keeps none of them (`externalData` is then absent). Lets a writer stream the data file so the
   * transposed copies of the weights never pile up in memory.
   */
  externalDataSink?: (chunk: Uint8Array) => void
  /**
   * Output logits for the last position only ([batch, 1, vocab]): what a generator needs, and it saves the
   * lm_head over every prompt position. Not the Hugging Face interface (full [batch, seq, vocab]): exports keep
   * it off. Default false.
   */
  lastTokenLogits?: boolean
  /** Graph name written into the model (default "qwen2"). */
  name?: string
}

export interface BuiltModel {
  /** Serialized ModelProto. */
  bytes: Uint8Array
  /** When `externalDataLocation` was set: the chunks to write, in order, to that file. */
  externalData?: Uint8Array[]
  inputNames: string[]
  outputNames: string[]
}

type AttributeValue = number | number[] | string | {float: number} | {tensor: TensorProto}

/** A float attribute; onnx-proto cannot tell `1` (INT) from `1.0` (FLOAT), so floats are marked. */
export const float = (value: number): {float: number} => ({float: value})

/** Minimal graph assembler: fresh value names, typed attributes, raw-data initializers. */
export class GraphBuilder {
  readonly nodes: NodeProto[] = []
  readonly initializers: TensorProto[] = []
  readonly externalChunks: Uint8Array[] = []
  #counter = 0
  #constants = new Map<string, string>()
  #externalOffset = 0
  readonly #external: string | undefined
  readonly #sink: ((chunk: Uint8Array) => void) | undefined

  constructor(externalDataLocation: string | undefined, sink?: (chunk: Uint8Array) => void) {
    this.#external = externalDataLocation
    this.#sink = sink
  }

  fresh(prefix: string): string {
    return `${prefix}_${this.#counter++}`
  }

  /** Adds a node; returns its output names. */
  node(opType: string, inputs: string[], attrs: Record<string, AttributeValue> = {}, options: {outputs?: number | string[]; domain?: string; prefix?: string} = {}): string[] {
    const prefix = options.prefix ?? opType
    const outputs = Array.isArray(options.outputs) ? options.outputs : Array.from({length: options.outputs ?? 1}, () => this.fresh(prefix))
    this.nodes.push({
      name: this.fresh(`${prefix}_node`),
      opType,
      domain: options.domain ?? '',
      input: inputs,
      output: outputs,
      attribute: Object.entries(attrs).map(([name, value]) => attribute(name, value)),
    })
    return outputs
  }

  /** Single-output node. */
  op(opType: string, inputs: string[], attrs: Record<string, AttributeValue> = {}, options: {output?: string; domain?: string; prefix?: string} = {}): string {
    return this.node(opType, inputs, attrs, {outputs: options.output ? [options.output] : 1, domain: options.domain, prefix: options.prefix})[0] as string
  }

  /** A deduplicated int64 constant initializer (dims [] for a scalar). */
  int64(values: number[], dims: number[] = [values.length]): string {
    const key = `i64:${dims.join('x')}:${values.join(',')}`
    const existing = this.#constants.get(key)
    if (existing) return existing
    const name = this.fresh('const_i64')
    const data = new BigInt64Array(values.map((v) => BigInt(v)))
    this.initializers.push({name, dims, dataType: INT64, rawData: new Uint8Array(data.buffer)})
    this.#constants.set(key, name)
    return name
  }

  /** A deduplicated small float constant (always inline: it is part of the graph, not a weight). */
  float32(values: number[], dims: number[] = [values.length]): string {
    const key = `f32:${dims.join('x')}:${values.join(',')}`
    const existing = this.#constants.get(key)
    if (existing) return existing
    const name = this.fresh('const_f32')
    this.initializers.push({name, dims, dataType: FLOAT, rawData: new Uint8Array(new Float32Array(values).buffer)})
    this.#constants.set(key, name)
    return name
  }

  /** A weight initializer, inline or in the external data file. */
  weight(name: string, data: Float32Array, dims: number[]): string {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    if (this.#external === undefined) {
      this.initializers.push({name, dims, dataType: FLOAT, rawData: bytes})
    } else {
      this.initializers.push({
        name,
        dims,
        dataType: FLOAT,
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [
          {key: 'location', value: this.#external},
          {key: 'offset', value: String(this.#externalOffset)},
          {key: 'length', value: String(bytes.byteLength)},
        ],
      })
      if (this.#sink) this.#sink(bytes)
      else this.externalChunks.push(bytes)
      this.#externalOffset += bytes.byteLength
    }
    return name
  }
}

function attribute(name: string, value: AttributeValue): AttributeProto {
  const T = onnx.AttributeProto.AttributeType
  if (typeof value === 'number') return {name, type: T.INT, i: value}
  if (typeof value === 'string') return {name, type: T.STRING, s: new TextEncoder().encode(value)}
  if (Array.isArray(value)) return {name, type: T.INTS, ints: value}
  if ('float' in value) return {name, type: T.FLOAT, f: value.float}
  return {name, type: T.TENSOR, t: value.tensor}
}

export function valueInfo(name: string, elemType: number, dims: Array<number | string>): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {tensorType: {elemType, shape: {dim: dims.map((d) => (typeof d === 'number' ? {dimValue: d} : {dimParam: d}))}}},
  }
}

/** Checks every tensor the config needs is present with its Hugging Face shape; throws one error naming it. */
export function validateWeights(config: ModelConfig, weights: Weights, where = 'weights'): void {
  for (const name of expectedTensorNames(config)) {
    const tensor = weights.get(name)
    const shape = expectedShape(config, name) as number[]
    if (!tensor) {
      throw new DataError(`missing tensor ${name} (expected shape [${shape.join(', ')}])`, {
        code: 'model-missing-tensor',
        where,
        fix: 'Pass a complete Qwen2 checkpoint whose config.json matches its tensors.',
      })
    }
    const size = shape.reduce((a, b) => a * b, 1)
    if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i]) || (!isLazyTensor(tensor) && tensor.data.length !== size)) {
      throw new DataError(`tensor ${name} has shape [${tensor.shape.join(', ')}] (${tensor.data.length} values), expected [${shape.join(', ')}]`, {
        code: 'model-shape-mismatch',
        where,
        fix: 'The checkpoint does not match config.json (hidden_size, heads, vocab_size?).',
      })
    }
  }
}

/** [out, in] (PyTorch Linear) → [in, out] (MatMul right operand), concatenating several along out. */
function transposeConcat(mats: Float32Array[], outs: number[], inDim: number): Float32Array {
  const totalOut = outs.reduce((a, b) => a + b, 0)
  const result = new Float32Array(inDim * totalOut)
  let column = 0
  mats.forEach((mat, m) => {
    const out = outs[m] as number
    for (let o = 0; o < out; o++) {
      const row = o * inDim
      for (let i = 0; i < inDim; i++) result[i * totalOut + column + o] = mat[row + i] as number
    }
    column += out
  })
  return result
}

export const inputNames = (config: ModelConfig): string[] => [
  'input_ids',
  'attention_mask',
  'position_ids',
  ...Array.from({length: config.numLayers}, (_, i) => [`past_key_values.${i}.key`, `past_key_values.${i}.value`]).flat(),
]

export const outputNames = (config: ModelConfig): string[] => [
  'logits',
  ...Array.from({length: config.numLayers}, (_, i) => [`present.${i}.key`, `present.${i}.value`]).flat(),
]

/**
 * The decoder graph. Inputs: input_ids/attention_mask/position_ids int64 ([batch, seq], mask over the whole
 * [batch, past + seq]), past_key_values.N.key/value float [batch, kv_heads, past, head_dim]. Outputs: logits
 * [batch, seq, vocab], present.N.key/value [batch, kv_heads, past + seq, head_dim]. The causal mask is over
 * cache slots (new tokens are the last `seq` slots), so left padding plus attention_mask batches sequences of
 * different lengths; RoPE follows position_ids, not slots.
 */
export function buildDecoderModel(config: ModelConfig, weights: Weights, options: BuildGraphOptions = {}): BuiltModel {
  validateWeights(config, weights)
  const g = new GraphBuilder(options.externalDataLocation, options.externalDataSink)
  const fused = options.fused ?? false
  const {hiddenSize: h, numHeads, numKvHeads, headDim: d, intermediateSize: inter, vocabSize} = config
  const rep = numHeads / numKvHeads
  const qDim = numHeads * d
  const kvDim = numKvHeads * d
  const w = (name: string): Float32Array => (weights.get(name) as {data: Float32Array}).data
  const eps = float(config.rmsNormEps)

  // Shapes and the attention bias [batch, 1, 1, seq, total], shared by every layer.
  const seqLen = g.op('Gather', [g.op('Shape', ['input_ids']), g.int64([1], [])], {axis: 0})
  const totalLen = g.op('Gather', [g.op('Shape', ['attention_mask']), g.int64([1], [])], {axis: 0})
  const keySlots = g.op('Range', [g.int64([0], []), totalLen, g.int64([1], [])])
  const querySlots = g.op('Range', [g.op('Sub', [totalLen, seqLen]), totalLen, g.int64([1], [])])
  const causal = g.op('LessOrEqual', [g.op('Unsqueeze', [keySlots, g.int64([0])]), g.op('Unsqueeze', [querySlots, g.int64([1])])])
  const notPadding = g.op('Unsqueeze', [g.op('Cast', ['attention_mask'], {to: onnx.TensorProto.DataType.BOOL}), g.int64([1])])
  const allowed = g.op('And', [causal, notPadding])
  const bias = g.op('Unsqueeze', [g.op('Where', [allowed, g.float32([0], []), g.float32([MASK_VALUE], [])]), g.int64([1, 2])], {}, {prefix: 'attention_bias'})

  // RoPE tables from position_ids, in fp32 as transformers computes them: angle = position * inv_freq.
  const invFreq = Array.from({length: d / 2}, (_, i) => 1 / config.ropeTheta ** ((2 * i) / d))
  const positions = g.op('Unsqueeze', [g.op('Cast', ['position_ids'], {to: FLOAT}), g.int64([2])])
  const freqs = g.op('Mul', [positions, g.float32(invFreq)])
  const angles = g.op('Concat', [freqs, freqs], {axis: -1})
  const cos = g.op('Unsqueeze', [g.op('Cos', [angles]), g.int64([2])], {}, {prefix: 'rope_cos'}) // [B, S, 1, D]
  const sin = g.op('Unsqueeze', [g.op('Sin', [angles]), g.int64([2])], {}, {prefix: 'rope_sin'})
  const halves = g.int64([d / 2, d / 2])
  /** x: [B, S, heads, D] → x·cos + rotate_half(x)·sin. */
  const rope = (x: string): string => {
    const [x1, x2] = g.node('Split', [x, halves], {axis: -1}, {outputs: 2}) as [string, string]
    const rotated = g.op('Concat', [g.op('Neg', [x2]), x1], {axis: -1})
    return g.op('Add', [g.op('Mul', [x, cos]), g.op('Mul', [rotated, sin])])
  }

  const rmsNorm = (x: string, weight: string): string => {
    if (fused) return g.op('SimplifiedLayerNormalization', [x, weight], {axis: -1, epsilon: eps, stash_type: 1})
    const variance = g.op('ReduceMean', [g.op('Mul', [x, x])], {axes: [-1], keepdims: 1})
    const normed = g.op('Div', [x, g.op('Sqrt', [g.op('Add', [variance, g.float32([config.rmsNormEps], [])])])])
    return g.op('Mul', [normed, weight])
  }
  /** residual + x, then RMSNorm of the sum: returns [normed, sum]. */
  const addNorm = (residual: string, x: string, weight: string): [string, string] => {
    if (fused) {
      const [normed, , , sum] = g.node('SkipSimplifiedLayerNormalization', [residual, x, weight], {epsilon: eps}, {outputs: 4, domain: 'com.microsoft'})
      return [normed as string, sum as string]
    }
    const sum = g.op('Add', [residual, x])
    return [rmsNorm(sum, weight), sum]
  }

  const embed = g.weight('model.embed_tokens.weight', w('model.embed_tokens.weight'), [vocabSize, h])
  let hidden = g.op('Gather', [embed, 'input_ids'], {axis: 0})
  let normed = rmsNorm(hidden, g.weight('model.layers.0.input_layernorm.weight', w('model.layers.0.input_layernorm.weight'), [h]))
  const scale = g.float32([1 / Math.sqrt(d)], [])
  const qShape = g.int64([0, 0, numKvHeads, rep, d])
  const kvShape = g.int64([0, 0, numKvHeads, d])
  const mergedShape = g.int64([0, 0, qDim])

  for (let layer = 0; layer < config.numLayers; layer++) {
    const p = `model.layers.${layer}`
    // One MatMul for q, k and v: [h, q + 2·kv].
    const qkvWeight = g.weight(`${p}.self_attn.qkv_proj.weight`, transposeConcat([w(`${p}.self_attn.q_proj.weight`), w(`${p}.self_attn.k_proj.weight`), w(`${p}.self_attn.v_proj.weight`)], [qDim, kvDim, kvDim], h), [h, qDim + 2 * kvDim])
    let qkv = g.op('MatMul', [normed, qkvWeight])
    if (config.qkvBias) {
      const qkvBias = new Float32Array(qDim + 2 * kvDim)
      qkvBias.set(w(`${p}.self_attn.q_proj.bias`), 0)
      qkvBias.set(w(`${p}.self_attn.k_proj.bias`), qDim)
      qkvBias.set(w(`${p}.self_attn.v_proj.bias`), qDim + kvDim)
      qkv = g.op('Add', [qkv, g.weight(`${p}.self_attn.qkv_proj.bias`, qkvBias, [qDim + 2 * kvDim])])
    }
    const [q, k, v] = g.node('Split', [qkv, g.int64([qDim, kvDim, kvDim])], {axis: -1}, {outputs: 3}) as [string, string, string]
    // q: [B, S, kvH, rep, D] so each kv head serves its `rep` query heads by broadcasting (no repeat_kv copy).
    let qRot: string
    let kRot: string
    if (config.qkNorm) {
      // Qwen3: RMSNorm over each head's D of q and k, then the 1/√D scale (on q; linear, so as on the scores), then RoPE.
      const qNorm = g.weight(`${p}.self_attn.q_norm.weight`, w(`${p}.self_attn.q_norm.weight`), [d])
      const kNorm = g.weight(`${p}.self_attn.k_norm.weight`, w(`${p}.self_attn.k_norm.weight`), [d])
      const q4 = g.op('Mul', [rmsNorm(g.op('Reshape', [q, g.int64([0, 0, numHeads, d])]), qNorm), scale])
      qRot = g.op('Reshape', [rope(q4), qShape])
      kRot = rope(rmsNorm(g.op('Reshape', [k, kvShape]), kNorm))
    } else {
      const qHeads = g.op('Reshape', [g.op('Mul', [q, scale]), qShape])
      qRot = rope4(g, rope, qHeads, numKvHeads * rep, d, qShape)
      kRot = rope(g.op('Reshape', [k, kvShape]))
    }
    const kNew = g.op('Transpose', [kRot], {perm: [0, 2, 1, 3]})
    const vNew = g.op('Transpose', [g.op('Reshape', [v, kvShape])], {perm: [0, 2, 1, 3]})
    const presentKey = g.op('Concat', [`past_key_values.${layer}.key`, kNew], {axis: 2}, {output: `present.${layer}.key`})
    const presentValue = g.op('Concat', [`past_key_values.${layer}.value`, vNew], {axis: 2}, {output: `present.${layer}.value`})
    const query = g.op('Transpose', [qRot], {perm: [0, 2, 3, 1, 4]}) // [B, kvH, rep, S, D]
    const keyT = g.op('Unsqueeze', [g.op('Transpose', [presentKey], {perm: [0, 1, 3, 2]}), g.int64([2])]) // [B, kvH, 1, D, T]
    const scores = g.op('Add', [g.op('MatMul', [query, keyT]), bias])
    const probs = g.op('Softmax', [scores], {axis: -1})
    const context = g.op('MatMul', [probs, g.op('Unsqueeze', [presentValue, g.int64([2])])]) // [B, kvH, rep, S, D]
    const merged = g.op('Reshape', [g.op('Transpose', [context], {perm: [0, 3, 1, 2, 4]}), mergedShape])
    const attnOut = g.op('MatMul', [merged, g.weight(`${p}.self_attn.o_proj.weight_t`, transposeConcat([w(`${p}.self_attn.o_proj.weight`)], [h], qDim), [qDim, h])])

    const [mlpIn, afterAttn] = addNorm(hidden, attnOut, g.weight(`${p}.post_attention_layernorm.weight`, w(`${p}.post_attention_layernorm.weight`), [h]))
    const gateUp = g.op('MatMul', [mlpIn, g.weight(`${p}.mlp.gate_up_proj.weight`, transposeConcat([w(`${p}.mlp.gate_proj.weight`), w(`${p}.mlp.up_proj.weight`)], [inter, inter], h), [h, 2 * inter])])
    const [gate, up] = g.node('Split', [gateUp, g.int64([inter, inter])], {axis: -1}, {outputs: 2}) as [string, string]
    const act = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), up])
    const mlpOut = g.op('MatMul', [act, g.weight(`${p}.mlp.down_proj.weight_t`, transposeConcat([w(`${p}.mlp.down_proj.weight`)], [h], inter), [inter, h])])

    const nextNormName = layer + 1 < config.numLayers ? `model.layers.${layer + 1}.input_layernorm.weight` : 'model.norm.weight'
    ;[normed, hidden] = addNorm(afterAttn, mlpOut, g.weight(nextNormName, w(nextNormName), [h]))
  }

  // lm_head: tied models reuse the embedding through a Transpose that onnxruntime folds at load time
  // (the file stays one copy of the matrix); untied ones store lm_head transposed.
  const lmHead = config.tieWordEmbeddings
    ? g.op('Transpose', [embed], {perm: [1, 0]}, {prefix: 'lm_head_t'})
    : g.weight('lm_head.weight_t', transposeConcat([w('lm_head.weight')], [vocabSize], h), [h, vocabSize])
  const finalHidden = options.lastTokenLogits ? g.op('Gather', [normed, g.int64([-1], [1])], {axis: 1}, {prefix: 'last_position'}) : normed
  g.op('MatMul', [finalHidden, lmHead], {}, {output: 'logits'})

  const inputs = [
    valueInfo('input_ids', INT64, ['batch_size', 'sequence_length']),
    valueInfo('attention_mask', INT64, ['batch_size', 'total_sequence_length']),
    valueInfo('position_ids', INT64, ['batch_size', 'sequence_length']),
  ]
  const outputs = [valueInfo('logits', FLOAT, ['batch_size', options.lastTokenLogits ? 1 : 'sequence_length', vocabSize])]
  for (let layer = 0; layer < config.numLayers; layer++) {
    for (const kind of ['key', 'value']) {
      inputs.push(valueInfo(`past_key_values.${layer}.${kind}`, FLOAT, ['batch_size', numKvHeads, 'past_sequence_length', d]))
      outputs.push(valueInfo(`present.${layer}.${kind}`, FLOAT, ['batch_size', numKvHeads, 'total_sequence_length', d]))
    }
  }

  const opsetImport = [{domain: '', version: STANDARD_OPSET}]
  if (fused) opsetImport.push({domain: 'com.microsoft', version: MICROSOFT_OPSET})
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'ars',
    producerVersion: '0.1.0',
    opsetImport,
    graph: {name: options.name ?? 'qwen2', node: g.nodes, initializer: g.initializers, input: inputs, output: outputs},
  })
  // Estimate before encoding: protobuf cannot hold more than 2 GB, so say what to do instead of crashing.
  const inlineBytes = g.initializers.reduce((sum, t) => sum + (t.rawData?.byteLength ?? 0), 0)
  if (inlineBytes > PROTOBUF_LIMIT - 64 * 1024 * 1024) {
    throw new DataError(`the model's weights (${(inlineBytes / 2 ** 30).toFixed(2)} GiB) do not fit inline in one ONNX protobuf (2 GiB limit)`, {
      code: 'model-too-large',
      fix: 'Build with externalDataLocation (ars export writes onnx/model.onnx_data for big models).',
    })
  }
  const bytes = onnx.ModelProto.encode(model).finish()
  return {
    bytes,
    externalData: options.externalDataLocation === undefined || options.externalDataSink ? undefined : g.externalChunks,
    inputNames: inputNames(config),
    outputNames: outputNames(config),
  }
}

/** RoPE for the 5-D query [B, S, kvH, rep, D]: viewed as [B, S, heads, D] so cos/sin broadcast the same way. */
function rope4(g: GraphBuilder, rope: (x: string) => string, q5: string, heads: number, d: number, q5Shape: string): string {
  const flat = g.op('Reshape', [q5, g.int64([0, 0, heads, d])])
  return g.op('Reshape', [rope(flat), q5Shape])
}
