// A plain-JS Qwen2/Qwen3 forward (float64 arithmetic over the fp32 weights), written straight from the transformers
// modelling code: the reference the ONNX graph is checked against. Slow and simple on purpose.
import type {ModelConfig, Weights} from '../../src/model/config.js'

/** Logits [tokens.length][vocab] for one unpadded sequence at positions 0..n-1. */
export function referenceLogits(config: ModelConfig, weights: Weights, tokens: number[]): Float64Array[] {
  const {hiddenSize: h, numHeads, numKvHeads, headDim: d, intermediateSize: inter, vocabSize} = config
  const w = (name: string): Float32Array => {
    const t = weights.get(name)
    if (!t) throw new Error(`reference: missing ${name}`)
    return t.data
  }
  const n = tokens.length
  const linear = (x: Float64Array, weight: Float32Array, out: number, inDim: number, bias?: Float32Array): Float64Array => {
    const y = new Float64Array(out)
    for (let o = 0; o < out; o++) {
      let s = bias ? bias[o] as number : 0
      for (let i = 0; i < inDim; i++) s += (x[i] as number) * (weight[o * inDim + i] as number)
      y[o] = s
    }
    return y
  }
  const rmsNorm = (x: Float64Array, weight: Float32Array): Float64Array => {
    let ms = 0
    for (const v of x) ms += v * v
    const r = 1 / Math.sqrt(ms / x.length + config.rmsNormEps)
    return x.map((v, i) => v * r * (weight[i] as number))
  }
  const rope = (x: Float64Array, heads: number, pos: number): Float64Array => {
    const y = new Float64Array(x.length)
    const half = d / 2
    for (let hd = 0; hd < heads; hd++) {
      for (let i = 0; i < half; i++) {
        const angle = pos / config.ropeTheta ** ((2 * i) / d)
        const a = x[hd * d + i] as number
        const b = x[hd * d + i + half] as number
        y[hd * d + i] = a * Math.cos(angle) - b * Math.sin(angle)
        y[hd * d + i + half] = b * Math.cos(angle) + a * Math.sin(angle)
      }
    }
    return y
  }
  const embed = w('model.embed_tokens.weight')
  let hidden = tokens.map((t) => Float64Array.from(embed.subarray(t * h, (t + 1) * h)))
  for (let l = 0; l < config.numLayers; l++) {
    const p = `model.layers.${l}`
    const bias = (name: string): Float32Array | undefined => (config.qkvBias ? w(`${p}.self_attn.${name}.bias`) : undefined)
    const xs = hidden.map((x) => rmsNorm(x, w(`${p}.input_layernorm.weight`)))
    // Qwen3 (modeling_qwen3.py): q_norm/k_norm, RMSNorm over each head's head_dim, between the projection and RoPE.
    const headNorm = (x: Float64Array, heads: number, name: string): Float64Array => {
      if (!config.qkNorm) return x
      const weight = w(`${p}.self_attn.${name}.weight`)
      const y = new Float64Array(x.length)
      for (let hd = 0; hd < heads; hd++) y.set(rmsNorm(x.subarray(hd * d, (hd + 1) * d), weight), hd * d)
      return y
    }
    const qs = xs.map((x, pos) => rope(headNorm(linear(x, w(`${p}.self_attn.q_proj.weight`), numHeads * d, h, bias('q_proj')), numHeads, 'q_norm'), numHeads, pos))
    const ks = xs.map((x, pos) => rope(headNorm(linear(x, w(`${p}.self_attn.k_proj.weight`), numKvHeads * d, h, bias('k_proj')), numKvHeads, 'k_norm'), numKvHeads, pos))
    const vs = xs.map((x) => linear(x, w(`${p}.self_attn.v_proj.weight`), numKvHeads * d, h, bias('v_proj')))
    const rep = numHeads / numKvHeads
    const attn = qs.map((q, i) => {
      const out = new Float64Array(numHeads * d)
      for (let hd = 0; hd < numHeads; hd++) {
        const kvh = Math.floor(hd / rep)
        const scores = new Float64Array(i + 1)
        for (let j = 0; j <= i; j++) {
          let s = 0
          for (let e = 0; e < d; e++) s += (q[hd * d + e] as number) * ((ks[j] as Float64Array)[kvh * d + e] as number)
          scores[j] = s / Math.sqrt(d)
        }
        const max = Math.max(...scores)
        let z = 0
        for (let j = 0; j <= i; j++) z += Math.exp((scores[j] as number) - max)
        for (let j = 0; j <= i; j++) {
          const pj = Math.exp((scores[j] as number) - max) / z
          for (let e = 0; e < d; e++) out[hd * d + e] = (out[hd * d + e] as number) + pj * ((vs[j] as Float64Array)[kvh * d + e] as number)
        }
      }
      return out
    })
    hidden = hidden.map((x, i) => {
      const o = linear(attn[i] as Float64Array, w(`${p}.self_attn.o_proj.weight`), h, numHeads * d)
      return x.map((v, k) => v + (o[k] as number))
    })
    hidden = hidden.map((x) => {
      const xn = rmsNorm(x, w(`${p}.post_attention_layernorm.weight`))
      const gate = linear(xn, w(`${p}.mlp.gate_proj.weight`), inter, h)
      const up = linear(xn, w(`${p}.mlp.up_proj.weight`), inter, h)
      const act = gate.map((g, k) => (g / (1 + Math.exp(-g))) * (up[k] as number))
      const down = linear(act, w(`${p}.mlp.down_proj.weight`), h, inter)
      return x.map((v, k) => v + (down[k] as number))
    })
  }
  const head = config.tieWordEmbeddings ? embed : w('lm_head.weight')
  return hidden.map((x) => linear(rmsNorm(x, w('model.norm.weight')), head, vocabSize, h))
}

/** log-softmax of one logits row. */
export function logSoftmax(row: ArrayLike<number>): Float64Array {
  let max = -Infinity
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i] as number)
  let z = 0
  for (let i = 0; i < row.length; i++) z += Math.exp((row[i] as number) - max)
  const lz = max + Math.log(z)
  return Float64Array.from({length: row.length}, (_, i) => (row[i] as number) - lz)
}
