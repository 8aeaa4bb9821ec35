// The Qwen2/Qwen3 decoder in TensorFlow.js for training: RMSNorm, RoPE (config theta), grouped-query attention with
// q/k/v biases (Qwen2) or per-head q/k RMSNorm (Qwen3), SwiGLU, tied or untied lm_head. Weights live as tf.Variables in [in, out] layout with q/k/v and
// gate/up fused (fewer, larger plain 2-D matmuls — the only fast kind on wasm; embedding and lm_head stay
// [vocab, hidden]); attention and the lm-head log-probs are fused ops. Export splits them back to HF names.
import type * as TfCore from '@tensorflow/tfjs'
import {checkedWeight, expectedShape, type ModelConfig, type NamedTensor, type Weights} from '../config.js'
import type {Tf} from './backend.js'
import {createCausalAttention, type CausalAttention} from './attention.js'
import {createOps, type Ops} from './ops.js'
import {fuseColumns, splitColumns} from '../fused-columns.js'

/** Loss and gradients of `lossFn` w.r.t. `variables` (in that order; untouched ones get zeros). Caller owns grads. */
export function variableGradients(tf: Tf, variables: Variable[], lossFn: () => TfCore.Scalar): {loss: number; grads: Tensor[]} {
  const {value, grads} = tf.variableGrads(lossFn, variables)
  const loss = (value.dataSync() as Float32Array)[0] as number
  value.dispose()
  return {loss, grads: variables.map((v) => grads[v.name] ?? tf.zerosLike(v))}
}

type Tensor = TfCore.Tensor
type Variable = TfCore.Variable

/** A batch of token sequences of one length (pad and mask shorter ones). */
export interface TokenBatch {
  /** Row-major [batch, seqLen] token ids. */
  inputIds: Int32Array
  batch: number
  seqLen: number
  /** [batch, seqLen]: 1 = real token, 0 = padding (padded keys are never attended to). Default all ones. */
  attentionMask?: Uint8Array | Float32Array
  /** [batch, seqLen] RoPE positions. Default 0..seqLen−1 on every row. */
  positionIds?: Int32Array
}

export interface Qwen2Options {
  /** Recompute each layer's activations in the backward pass instead of keeping them (less memory, ~1.3× time). */
  gradientCheckpointing?: boolean
}

interface RopeTables {
  cos: Float32Array
  sin: Float32Array
}

interface LayerVariables {
  inputNorm: Variable
  qkv: Variable
  qkvBias: Variable | undefined
  /** Qwen3: per-head RMSNorm weights [headDim] of q and k (applied before RoPE). */
  qNorm: Variable | undefined
  kNorm: Variable | undefined
  o: Variable
  postNorm: Variable
  gateUp: Variable
  down: Variable
}

function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c] as number
  return out
}


export class TfQwen2 {
  readonly config: ModelConfig
  readonly tf: Tf
  readonly ops: Ops
  readonly #attention: CausalAttention
  readonly #embed: Variable
  readonly #finalNorm: Variable
  readonly #lmHead: Variable | undefined
  readonly #layers: LayerVariables[]
  readonly #options: Qwen2Options
  readonly #invFreq: Float64Array
  #disposed = false
  #headInput: {batch: TokenBatch; hidden: Variable} | undefined

  constructor(tf: Tf, config: ModelConfig, weights: Weights, options: Qwen2Options = {}) {
    this.tf = tf
    this.config = config
    this.ops = createOps(tf)
    this.#attention = createCausalAttention(tf)
    this.#options = options
    const get = (name: string): NamedTensor => checkedWeight(config, weights, name)
    const h = config.hiddenSize
    const q = config.numHeads * config.headDim
    const kv = config.numKvHeads * config.headDim
    const variable = (data: Float32Array, shape: number[], name: string) => {
      const initial = tf.tensor(data, shape, 'float32')
      const v = tf.variable(initial, true, `${name}#${Math.random().toString(36).slice(2)}`)
      initial.dispose() // the variable holds its own reference to the data
      return v
    }
    this.#embed = variable(get('model.embed_tokens.weight').data, [config.vocabSize, h], 'embed')
    this.#finalNorm = variable(get('model.norm.weight').data, [h], 'norm')
    // lm_head stays in HF layout [vocab, hidden], like the tied embedding, so both feed the same head op.
    this.#lmHead = config.tieWordEmbeddings ? undefined : variable(get('lm_head.weight').data, [config.vocabSize, h], 'lm_head')
    this.#layers = []
    for (let i = 0; i < config.numLayers; i++) {
      const p = `model.layers.${i}`
      const a = `${p}.self_attn`
      const m = `${p}.mlp`
      this.#layers.push({
        inputNorm: variable(get(`${p}.input_layernorm.weight`).data, [h], `l${i}.ln1`),
        qkv: variable(fuseColumns([get(`${a}.q_proj.weight`).data, get(`${a}.k_proj.weight`).data, get(`${a}.v_proj.weight`).data], [q, kv, kv], h), [h, q + 2 * kv], `l${i}.qkv`),
        qkvBias: config.qkvBias
          ? variable(Float32Array.from([...get(`${a}.q_proj.bias`).data, ...get(`${a}.k_proj.bias`).data, ...get(`${a}.v_proj.bias`).data]), [q + 2 * kv], `l${i}.qkv_bias`)
          : undefined,
        qNorm: config.qkNorm ? variable(get(`${a}.q_norm.weight`).data, [config.headDim], `l${i}.q_norm`) : undefined,
        kNorm: config.qkNorm ? variable(get(`${a}.k_norm.weight`).data, [config.headDim], `l${i}.k_norm`) : undefined,
        o: variable(transpose2d(get(`${a}.o_proj.weight`).data, h, q), [q, h], `l${i}.o`),
        postNorm: variable(get(`${p}.post_attention_layernorm.weight`).data, [h], `l${i}.ln2`),
        gateUp: variable(fuseColumns([get(`${m}.gate_proj.weight`).data, get(`${m}.up_proj.weight`).data], [config.intermediateSize, config.intermediateSize], h), [h, 2 * config.intermediateSize], `l${i}.gate_up`),
        down: variable(transpose2d(get(`${m}.down_proj.weight`).data, h, config.intermediateSize), [config.intermediateSize, h], `l${i}.down`),
      })
    }
    const half = config.headDim / 2
    this.#invFreq = new Float64Array(half)
    for (let i = 0; i < half; i++) this.#invFreq[i] = 1 / config.ropeTheta ** ((2 * i) / config.headDim)
  }

  /** The trainable variables, in a fixed order (the optimiser's state follows it). */
  get variables(): Variable[] {
    const list = [this.#embed, this.#finalNorm]
    if (this.#lmHead) list.push(this.#lmHead)
    for (const l of this.#layers) {
      list.push(l.inputNorm, l.qkv)
      if (l.qkvBias) list.push(l.qkvBias)
      if (l.qNorm && l.kNorm) list.push(l.qNorm, l.kNorm)
      list.push(l.o, l.postNorm, l.gateUp, l.down)
    }
    return list
  }

  /** Variables that AdamW should not decay (norm weights and biases, as is customary). */
  get noDecayVariables(): Set<Variable> {
    const set = new Set<Variable>([this.#finalNorm])
    for (const l of this.#layers) {
      set.add(l.inputNorm)
      set.add(l.postNorm)
      if (l.qkvBias) set.add(l.qkvBias)
      if (l.qNorm) set.add(l.qNorm)
      if (l.kNorm) set.add(l.kNorm)
    }
    return set
  }

  get parameterCount(): number {
    return this.variables.reduce((a, v) => a + v.size, 0)
  }

  #checkBatch(batch: TokenBatch): void {
    const n = batch.batch * batch.seqLen
    if (!(batch.batch > 0 && batch.seqLen > 0) || batch.inputIds.length !== n) throw new RangeError(`Expected ${batch.batch}×${batch.seqLen} input ids, got ${batch.inputIds.length}`)
    if (batch.attentionMask && batch.attentionMask.length !== n) throw new RangeError(`Expected an attention mask of ${n}, got ${batch.attentionMask.length}`)
    if (batch.positionIds && batch.positionIds.length !== n) throw new RangeError(`Expected ${n} position ids, got ${batch.positionIds.length}`)
    if (this.#disposed) throw new Error('TfQwen2 used after dispose()')
  }

  /** cos/sin tables [n, headDim] for the rows' positions (rotate-half layout, as HF Qwen2). */
  #ropeTables(batch: TokenBatch): RopeTables {
    const d = this.config.headDim
    const half = d / 2
    const n = batch.batch * batch.seqLen
    const cos = new Float32Array(n * d)
    const sin = new Float32Array(n * d)
    for (let i = 0; i < n; i++) {
      const pos = batch.positionIds ? (batch.positionIds[i] as number) : i % batch.seqLen
      for (let j = 0; j < half; j++) {
        const angle = pos * (this.#invFreq[j] as number)
        const c = Math.cos(angle)
        const s = Math.sin(angle)
        cos[i * d + j] = c
        cos[i * d + j + half] = c
        sin[i * d + j] = s
        sin[i * d + j + half] = s
      }
    }
    return {cos, sin}
  }

  /** Qwen3: RMSNorm over each head's head_dim of the q and k columns of qkv [n, q + 2·kv] (v untouched), before RoPE. */
  #qkNorm(qkv: Tensor, n: number, qNorm: Variable, kNorm: Variable): Tensor {
    const {tf, ops, config} = this
    const d = config.headDim
    const qCols = config.numHeads * d
    const kvCols = config.numKvHeads * d
    const q = tf.reshape(ops.rmsNorm(tf.reshape(tf.slice(qkv, [0, 0], [n, qCols]), [n * config.numHeads, d]), qNorm, config.rmsNormEps), [n, qCols])
    const k = tf.reshape(ops.rmsNorm(tf.reshape(tf.slice(qkv, [0, qCols], [n, kvCols]), [n * config.numKvHeads, d]), kNorm, config.rmsNormEps), [n, kvCols])
    const v = tf.slice(qkv, [0, qCols + kvCols], [n, kvCols])
    return tf.concat([q, k, v], 1)
  }

  /** One decoder layer on hidden states [n, hidden]. */
  #layer(x: Tensor, l: LayerVariables, batch: TokenBatch, rope: RopeTables): Tensor {
    const {tf, ops, config} = this
    const {batch: b, seqLen: t} = batch
    const n = b * t
    const h1 = ops.rmsNorm(x, l.inputNorm, config.rmsNormEps)
    let qkv: Tensor = ops.matmul(h1, l.qkv)
    if (l.qkvBias) qkv = tf.add(qkv, l.qkvBias)
    if (l.qNorm && l.kNorm) qkv = this.#qkNorm(qkv, n, l.qNorm, l.kNorm)
    const attn = this.#attention(qkv, {batch: b, seqLen: t, numHeads: config.numHeads, numKvHeads: config.numKvHeads, headDim: config.headDim, ...rope, ...(batch.attentionMask ? {keyMask: batch.attentionMask} : {})})
    const x2 = tf.add(x, ops.matmul(attn, l.o))
    const h2 = ops.rmsNorm(x2, l.postNorm, config.rmsNormEps)
    const gu = ops.matmul(h2, l.gateUp)
    const inter = config.intermediateSize
    const gate = tf.slice(gu, [0, 0], [n, inter])
    const up = tf.slice(gu, [0, inter], [n, inter])
    const act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), up)
    return tf.add(x2, ops.matmul(act, l.down))
  }


  /** Final-norm hidden states [batch·seqLen, hidden] (from the checkpointed stack's output when one is set). */
  #hidden(batch: TokenBatch): Tensor {
    this.#checkBatch(batch)
    const {tf, ops, config} = this
    return tf.tidy(() => {
      let x: Tensor
      if (this.#headInput) {
        // Checkpointed backprop: the layer stack was run outside the tape; start from its output.
        if (this.#headInput.batch !== batch) throw new Error('lossAndGradients: the loss function must run the model on the batch it was given')
        x = this.#headInput.hidden
      } else {
        const rope = this.#ropeTables(batch)
        x = ops.embedding(this.#embed, batch.inputIds)
        for (const l of this.#layers) x = this.#layer(x, l, batch, rope)
      }
      return ops.rmsNorm(x, this.#finalNorm, config.rmsNormEps)
    })
  }

  /** Logits [batch·seqLen, vocab] (row-major over batch then position). Call inside tf.tidy or dispose the result. */
  logits(batch: TokenBatch): TfCore.Tensor2D {
    const {tf, ops} = this
    return tf.tidy(() => ops.matmul(this.#hidden(batch), tf.transpose(this.#lmHead ?? this.#embed)))
  }

  /**
   * Log-probs [batch, seqLen] of given targets: entry (b, t) is log p(targetIds[b, t] | inputIds[b, ≤t]).
   * Differentiable; call inside tf.tidy / a loss function.
   */
  targetLogProbs(batch: TokenBatch, targetIds: Int32Array): TfCore.Tensor2D {
    const {tf, ops} = this
    if (targetIds.length !== batch.batch * batch.seqLen) throw new RangeError(`Expected ${batch.batch * batch.seqLen} target ids, got ${targetIds.length}`)
    // lm_head and log-softmax as one op: its gradient needs no [vocab, n] transpose kernel (see ops.headLogProbs).
    return tf.tidy(() => tf.reshape(ops.headLogProbs(this.#hidden(batch), this.#lmHead ?? this.#embed, targetIds), [batch.batch, batch.seqLen]) as TfCore.Tensor2D)
  }

  /**
   * Per-token log-probs [batch, seqLen − 1]: entry (b, t) is log p(inputIds[b, t+1] | inputIds[b, ≤t]) — what
   * PPO needs for the proximal/current policy. Differentiable; call inside tf.tidy / a loss function.
   */
  tokenLogProbs(batch: TokenBatch): TfCore.Tensor2D {
    const {tf} = this
    const {batch: b, seqLen: t} = batch
    if (t < 2) throw new RangeError(`Expected sequences of at least 2 tokens for next-token log-probs, got ${t}`)
    const targets = new Int32Array(b * t)
    for (let r = 0; r < b; r++) for (let i = 0; i + 1 < t; i++) targets[r * t + i] = batch.inputIds[r * t + i + 1] as number
    return tf.tidy(() => tf.slice(this.targetLogProbs(batch, targets), [0, 0], [b, t - 1]) as TfCore.Tensor2D)
  }

  /**
   * Masked mean next-token negative log-likelihood (SFT loss). `lossMask` is [batch, seqLen − 1] aligned with
   * tokenLogProbs (1 = train on predicting token t+1; 0 = prompt, observation or padding).
   */
  nextTokenLoss(batch: TokenBatch, lossMask?: Float32Array): TfCore.Scalar {
    const {tf, ops} = this
    return tf.tidy(() => {
      const logp = this.tokenLogProbs(batch)
      const mask = lossMask ? tf.tensor2d(lossMask, logp.shape as [number, number]) : tf.onesLike(logp)
      return tf.neg(ops.maskedMean(logp, mask)) as TfCore.Scalar
    })
  }

  /**
   * Loss and gradients (in `variables` order) of `lossFn`, which must run this model once on `batch`. With
   * gradient checkpointing, the layer stack runs first without the tape keeping only each layer's input; then the
   * head and each layer are differentiated one at a time from the end (recomputing that layer's activations), so
   * peak memory holds one layer's activations instead of all of them.
   */
  lossAndGradients(batch: TokenBatch, lossFn: () => TfCore.Scalar): {loss: number; grads: Tensor[]} {
    const {tf} = this
    if (!this.#options.gradientCheckpointing) return variableGradients(tf, this.variables, lossFn)
    this.#checkBatch(batch)
    const rope = this.#ropeTables(batch)
    const inputs: Tensor[] = [tf.tidy(() => this.ops.embedding(this.#embed, batch.inputIds))]
    for (const l of this.#layers) inputs.push(tf.tidy(() => this.#layer(inputs.at(-1) as Tensor, l, batch, rope)))
    const grads = new Map<Variable, Tensor>()
    const addGrad = (v: Variable, g: Tensor) => {
      const previous = grads.get(v)
      grads.set(v, previous ? tf.tidy(() => tf.add(previous, g)) : g)
      if (previous) {
        previous.dispose()
        g.dispose()
      }
    }
    let loss = 0
    try {
      // Head: final norm, lm_head and the caller's loss, differentiated w.r.t. the stack's output.
      const hidden = tf.variable(inputs.at(-1) as Tensor, true)
      this.#headInput = {batch, hidden}
      const headVars = [hidden, this.#finalNorm, this.#lmHead ?? this.#embed]
      let dy: Tensor
      try {
        const result = variableGradients(tf, headVars, lossFn)
        loss = result.loss
        dy = result.grads[0] as Tensor
        addGrad(this.#finalNorm, result.grads[1] as Tensor)
        addGrad(this.#lmHead ?? this.#embed, result.grads[2] as Tensor)
      } finally {
        this.#headInput = undefined
        hidden.dispose()
      }
      // Layers, last to first: recompute one layer and pull dy back through it.
      for (let i = this.#layers.length - 1; i >= 0; i--) {
        const l = this.#layers[i] as LayerVariables
        const x = tf.variable(inputs[i] as Tensor, true)
        const vars = [x, l.inputNorm, l.qkv, ...(l.qkvBias ? [l.qkvBias] : []), ...(l.qNorm && l.kNorm ? [l.qNorm, l.kNorm] : []), l.o, l.postNorm, l.gateUp, l.down]
        const upstream = dy
        const result = variableGradients(tf, vars, () => tf.sum(tf.mul(this.#layer(x, l, batch, rope), upstream)) as TfCore.Scalar)
        upstream.dispose()
        x.dispose()
        dy = result.grads[0] as Tensor
        vars.slice(1).forEach((v, j) => addGrad(v, result.grads[j + 1] as Tensor))
      }
      // Embedding: the scatter-add of dy into the looked-up rows.
      const embedGrad = tf.tidy(() => tf.grad((table: Tensor) => tf.sum(tf.mul(this.ops.embedding(table, batch.inputIds), dy)))(this.#embed))
      dy.dispose()
      addGrad(this.#embed, embedGrad)
    } catch (error) {
      for (const g of grads.values()) g.dispose()
      throw error
    } finally {
      for (const t of inputs) t.dispose()
    }
    return {loss, grads: this.variables.map((v) => grads.get(v) ?? tf.zerosLike(v))}
  }

  /** Current weights in Hugging Face names and layouts (fp32 copies). */
  exportWeights(): Weights {
    const {config} = this
    const h = config.hiddenSize
    const q = config.numHeads * config.headDim
    const kv = config.numKvHeads * config.headDim
    const inter = config.intermediateSize
    const weights: Weights = new Map()
    const put = (name: string, data: Float32Array) => weights.set(name, {name, shape: expectedShape(config, name) as number[], data})
    const read = (v: Variable) => Float32Array.from(v.dataSync() as Float32Array)
    put('model.embed_tokens.weight', read(this.#embed))
    put('model.norm.weight', read(this.#finalNorm))
    if (this.#lmHead) put('lm_head.weight', read(this.#lmHead))
    for (const [i, l] of this.#layers.entries()) {
      const p = `model.layers.${i}`
      put(`${p}.input_layernorm.weight`, read(l.inputNorm))
      put(`${p}.post_attention_layernorm.weight`, read(l.postNorm))
      const [wq, wk, wv] = splitColumns(read(l.qkv), h, [q, kv, kv]) as [Float32Array, Float32Array, Float32Array]
      put(`${p}.self_attn.q_proj.weight`, wq)
      put(`${p}.self_attn.k_proj.weight`, wk)
      put(`${p}.self_attn.v_proj.weight`, wv)
      if (l.qkvBias) {
        const bias = read(l.qkvBias)
        put(`${p}.self_attn.q_proj.bias`, bias.slice(0, q))
        put(`${p}.self_attn.k_proj.bias`, bias.slice(q, q + kv))
        put(`${p}.self_attn.v_proj.bias`, bias.slice(q + kv))
      }
      if (l.qNorm && l.kNorm) {
        put(`${p}.self_attn.q_norm.weight`, read(l.qNorm))
        put(`${p}.self_attn.k_norm.weight`, read(l.kNorm))
      }
      put(`${p}.self_attn.o_proj.weight`, transpose2d(read(l.o), q, h))
      const [gate, up] = splitColumns(read(l.gateUp), h, [inter, inter]) as [Float32Array, Float32Array]
      put(`${p}.mlp.gate_proj.weight`, gate)
      put(`${p}.mlp.up_proj.weight`, up)
      put(`${p}.mlp.down_proj.weight`, transpose2d(read(l.down), inter, h))
    }
    return weights
  }

  dispose(): void {
    if (this.#disposed) return
    this.#disposed = true
    for (const v of this.variables) v.dispose()
  }
}
