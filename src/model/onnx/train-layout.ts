// The trainable parameters of the Qwen2 policy in the layout the ONNX training graph takes them (the same fused,
// [in, out] layout TfQwen2 keeps as tf.Variables): q/k/v fused into one [hidden, q+2kv] matrix (+ fused bias),
// gate/up into [hidden, 2·intermediate], o and down transposed; embedding and an untied lm_head stay
// [vocab, hidden]. Conversions to and from Hugging Face `Weights` are exact inverses (pure copies).
import {checkedWeight, expectedShape, type ModelConfig, type NamedTensor, type Weights} from '../config.js'
import {fuseColumns, splitColumns} from '../fused-columns.js'

export interface TrainParameter {
  /** Graph input name (`embed`, `norm`, `lm_head`, `l0.qkv`, …); the gradient output is `grad.<name>`. */
  name: string
  shape: number[]
  size: number
  /** Not decayed by AdamW (norm weights and biases, as TfQwen2.noDecayVariables). */
  noDecay: boolean
}

/** The parameters in a fixed order (the optimiser's state follows it; the same order as TfQwen2.variables). */
export function trainParameters(config: ModelConfig): TrainParameter[] {
  const h = config.hiddenSize
  const q = config.numHeads * config.headDim
  const kv = config.numKvHeads * config.headDim
  const list: TrainParameter[] = []
  const add = (name: string, shape: number[], noDecay = false) => list.push({name, shape, size: shape.reduce((a, b) => a * b, 1), noDecay})
  add('embed', [config.vocabSize, h])
  add('norm', [h], true)
  if (!config.tieWordEmbeddings) add('lm_head', [config.vocabSize, h])
  for (let i = 0; i < config.numLayers; i++) {
    add(`l${i}.ln1`, [h], true)
    add(`l${i}.qkv`, [h, q + 2 * kv])
    if (config.qkvBias) add(`l${i}.qkv_bias`, [q + 2 * kv], true)
    add(`l${i}.o`, [q, h])
    add(`l${i}.ln2`, [h], true)
    add(`l${i}.gate_up`, [h, 2 * config.intermediateSize])
    add(`l${i}.down`, [config.intermediateSize, h])
  }
  return list
}

export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c] as number
  return out
}


/** HF `Weights` → the parameters in `trainParameters` order (fresh arrays; the inputs are not kept). */
export function toTrainLayout(config: ModelConfig, weights: Weights): Float32Array[] {
  const get = (name: string): NamedTensor => checkedWeight(config, weights, name)
  const h = config.hiddenSize
  const q = config.numHeads * config.headDim
  const kv = config.numKvHeads * config.headDim
  const inter = config.intermediateSize
  const out: Float32Array[] = [Float32Array.from(get('model.embed_tokens.weight').data), Float32Array.from(get('model.norm.weight').data)]
  if (!config.tieWordEmbeddings) out.push(Float32Array.from(get('lm_head.weight').data))
  for (let i = 0; i < config.numLayers; i++) {
    const p = `model.layers.${i}`
    const a = `${p}.self_attn`
    const m = `${p}.mlp`
    out.push(Float32Array.from(get(`${p}.input_layernorm.weight`).data))
    out.push(fuseColumns([get(`${a}.q_proj.weight`).data, get(`${a}.k_proj.weight`).data, get(`${a}.v_proj.weight`).data], [q, kv, kv], h))
    if (config.qkvBias) {
      const bias = new Float32Array(q + 2 * kv)
      bias.set(get(`${a}.q_proj.bias`).data, 0)
      bias.set(get(`${a}.k_proj.bias`).data, q)
      bias.set(get(`${a}.v_proj.bias`).data, q + kv)
      out.push(bias)
    }
    out.push(transpose2d(get(`${a}.o_proj.weight`).data, h, q))
    out.push(Float32Array.from(get(`${p}.post_attention_layernorm.weight`).data))
    out.push(fuseColumns([get(`${m}.gate_proj.weight`).data, get(`${m}.up_proj.weight`).data], [inter, inter], h))
    out.push(transpose2d(get(`${m}.down_proj.weight`).data, h, inter))
  }
  return out
}

/** The inverse of `toTrainLayout`: parameters (or moments in the same layout) → HF names and layouts (copies). */
export function fromTrainLayout(config: ModelConfig, params: readonly Float32Array[]): Weights {
  const h = config.hiddenSize
  const q = config.numHeads * config.headDim
  const kv = config.numKvHeads * config.headDim
  const inter = config.intermediateSize
  const weights: Weights = new Map()
  const put = (name: string, data: Float32Array) => weights.set(name, {name, shape: expectedShape(config, name) as number[], data})
  let k = 0
  const next = () => params[k++] as Float32Array
  put('model.embed_tokens.weight', Float32Array.from(next()))
  put('model.norm.weight', Float32Array.from(next()))
  if (!config.tieWordEmbeddings) put('lm_head.weight', Float32Array.from(next()))
  for (let i = 0; i < config.numLayers; i++) {
    const p = `model.layers.${i}`
    put(`${p}.input_layernorm.weight`, Float32Array.from(next()))
    const [wq, wk, wv] = splitColumns(next(), h, [q, kv, kv]) as [Float32Array, Float32Array, Float32Array]
    put(`${p}.self_attn.q_proj.weight`, wq)
    put(`${p}.self_attn.k_proj.weight`, wk)
    put(`${p}.self_attn.v_proj.weight`, wv)
    if (config.qkvBias) {
      const bias = next()
      put(`${p}.self_attn.q_proj.bias`, bias.slice(0, q))
      put(`${p}.self_attn.k_proj.bias`, bias.slice(q, q + kv))
      put(`${p}.self_attn.v_proj.bias`, bias.slice(q + kv))
    }
    put(`${p}.self_attn.o_proj.weight`, transpose2d(next(), q, h))
    put(`${p}.post_attention_layernorm.weight`, Float32Array.from(next()))
    const [gate, up] = splitColumns(next(), h, [inter, inter]) as [Float32Array, Float32Array]
    put(`${p}.mlp.gate_proj.weight`, gate)
    put(`${p}.mlp.up_proj.weight`, up)
    put(`${p}.mlp.down_proj.weight`, transpose2d(next(), inter, h))
  }
  if (k !== params.length) throw new RangeError(`Expected ${k} parameter arrays, got ${params.length}`)
  return weights
}
