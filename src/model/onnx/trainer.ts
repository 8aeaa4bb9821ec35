// The CPU fast path of training (decision 0940): gradients from the ONNX training graph (train-graph.ts) on
// onnxruntime-node's native MLAS kernels, gradient accumulation, global-norm clipping and AdamW over Float32Arrays
// in place. The same contract as the tfjs PolicyTrainer, except that the loss is written over plain log-prob arrays:
// `lossFn(logp, mb)` gets the micro-batch's next-token log-probs [batch, seqLen − 1] and returns the loss and its
// gradient with respect to each log-prob (SFT's masked NLL and PPO's clipped objective both depend on the model
// only through these log-probs).
import type {ModelConfig, Weights} from '../config.js'
import type {AdamWOptions} from '../tfjs/adamw.js'
import type {OptimizerState, StepResult} from '../tfjs/policy-trainer.js'
import type {TokenBatch} from '../tfjs/qwen2.js'
import {OnnxSession, type HostTensor} from './runtime.js'
import {buildTrainGraph} from './train-graph.js'
import {fromTrainLayout, toTrainLayout, trainParameters, type TrainParameter} from './train-layout.js'

export interface OnnxTrainerOptions {
  optimizer?: Omit<AdamWOptions, 'noDecay'>
  /** Clip the global gradient norm to this (default 1.0; 0 disables). */
  maxGradNorm?: number
  optimizerState?: OptimizerState
  /** onnxruntime intra-op threads (default: $ARS_TRAIN_THREADS, else 1 — the other core generates). */
  threads?: number
}

/** What a loss function returns for one micro-batch: the loss and d loss / d logp, both over [batch, seqLen − 1]. */
export interface LogProbLoss {
  loss: number
  dlogp: Float32Array
}

export type LogProbLossFn<T> = (logp: Float32Array, microBatch: T) => LogProbLoss

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** The default intra-op thread count: $ARS_TRAIN_THREADS, else 1. */
export function defaultTrainThreads(): number {
  const env = Number(process.env.ARS_TRAIN_THREADS)
  return Number.isInteger(env) && env > 0 ? env : 1
}

export class OnnxPolicyTrainer {
  readonly config: ModelConfig
  readonly threads: number
  readonly #params: TrainParameter[]
  readonly #values: Float32Array[]
  readonly #m: Float32Array[]
  readonly #v: Float32Array[]
  readonly #options: Required<Omit<AdamWOptions, 'noDecay'>>
  readonly #maxGradNorm: number
  #step = 0
  #trainSession: OnnxSession | undefined
  #forwardSession: OnnxSession | undefined
  #disposed = false

  private constructor(config: ModelConfig, weights: Weights, options: OnnxTrainerOptions) {
    this.config = config
    this.threads = options.threads ?? defaultTrainThreads()
    this.#params = trainParameters(config)
    this.#values = toTrainLayout(config, weights)
    this.#m = this.#params.map((p) => new Float32Array(p.size))
    this.#v = this.#params.map((p) => new Float32Array(p.size))
    const o = options.optimizer ?? {}
    this.#options = {learningRate: o.learningRate ?? 1e-4, beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.999, epsilon: o.epsilon ?? 1e-8, weightDecay: o.weightDecay ?? 0.01}
    for (const [key, value] of Object.entries(this.#options)) {
      if (!(value >= 0 && Number.isFinite(value))) throw new RangeError(`AdamW ${key}: expected a finite number ≥ 0, got ${value}`)
    }
    this.#maxGradNorm = options.maxGradNorm ?? 1
    if (options.optimizerState) this.#importOptimizerState(options.optimizerState)
  }

  static async create(config: ModelConfig, weights: Weights, options: OnnxTrainerOptions = {}): Promise<OnnxPolicyTrainer> {
    const trainer = new OnnxPolicyTrainer(config, weights, options)
    trainer.#trainSession = await OnnxSession.create(buildTrainGraph(config).bytes, {intraOpNumThreads: trainer.threads})
    return trainer
  }

  get step(): number {
    return this.#step
  }

  get backendDescription(): string {
    return `onnxruntime-node cpu (MLAS, ${this.threads} thread${this.threads === 1 ? '' : 's'})`
  }

  get parameterCount(): number {
    return this.#params.reduce((a, p) => a + p.size, 0)
  }

  #feeds(tokens: TokenBatch, dlogp?: Float32Array): Record<string, HostTensor> {
    const {batch: b, seqLen: t, inputIds} = tokens
    const n = b * t
    if (!(b > 0 && t > 1) || inputIds.length !== n) throw new RangeError(`Expected ${b}×${t} input ids (seqLen ≥ 2), got ${inputIds.length}`)
    if (tokens.attentionMask && tokens.attentionMask.length !== n) throw new RangeError(`Expected an attention mask of ${n}, got ${tokens.attentionMask.length}`)
    if (tokens.positionIds && tokens.positionIds.length !== n) throw new RangeError(`Expected ${n} position ids, got ${tokens.positionIds.length}`)
    if (this.#disposed) throw new Error('OnnxPolicyTrainer used after dispose()')
    const ids = new BigInt64Array(n)
    const targets = new BigInt64Array(n)
    const positions = new BigInt64Array(n)
    const vocab = this.config.vocabSize
    for (let i = 0; i < n; i++) {
      const id = inputIds[i] as number
      if (!(id >= 0 && id < vocab)) throw new RangeError(`Token id ${id} at ${i} is outside the vocabulary (${vocab})`)
      ids[i] = BigInt(id)
      if (i % t < t - 1) targets[i] = BigInt(inputIds[i + 1] as number)
      positions[i] = BigInt(tokens.positionIds ? (tokens.positionIds[i] as number) : i % t)
    }
    const mask = new Float32Array(n)
    for (let i = 0; i < n; i++) mask[i] = tokens.attentionMask ? (tokens.attentionMask[i] ? 1 : 0) : 1
    const feeds: Record<string, HostTensor> = {
      input_ids: {data: ids, dims: [b, t]},
      position_ids: {data: positions, dims: [b, t]},
      attention_mask: {data: mask, dims: [b, t]},
      targets: {data: targets, dims: [n]},
    }
    if (dlogp) {
      // [b, t−1] → [b, t] with a zero gradient at each row's last position (it has no target).
      const full = new Float32Array(n)
      for (let r = 0; r < b; r++) full.set(dlogp.subarray(r * (t - 1), (r + 1) * (t - 1)), r * t)
      feeds.dlogp = {data: full, dims: [n]}
    }
    this.#params.forEach((p, i) => (feeds[p.name] = {data: this.#values[i] as Float32Array, dims: p.shape}))
    return feeds
  }

  /** [b, t] graph log-probs → [b, t−1] next-token log-probs. */
  static #nextToken(logp: Float32Array, b: number, t: number): Float32Array {
    const out = new Float32Array(b * (t - 1))
    for (let r = 0; r < b; r++) out.set(logp.subarray(r * t, r * t + t - 1), r * (t - 1))
    return out
  }

  /** Next-token log-probs [batch, seqLen − 1] under the current weights (forward only). */
  async tokenLogProbs(tokens: TokenBatch): Promise<Float32Array> {
    this.#forwardSession ??= await OnnxSession.create(buildTrainGraph(this.config, {gradients: false}).bytes, {intraOpNumThreads: this.threads})
    const out = await this.#forwardSession.run(this.#feeds(tokens))
    return OnnxPolicyTrainer.#nextToken(out.logp!.data as Float32Array, tokens.batch, tokens.seqLen)
  }

  /**
   * Loss, log-probs and gradients (train layout, trainParameters order) of one micro-batch, the gradient scaled by
   * `scale`. A loss whose gradient depends on the log-probs (PPO) gets a forward pass first; with `constantGradient`
   * (SFT's NLL: d loss / d logp is the same whatever logp is) the gradient is probed with zero log-probs and the
   * graph runs once.
   */
  async gradients<T extends {tokens: TokenBatch}>(mb: T, lossFn: LogProbLossFn<T>, options: {constantGradient?: boolean; scale?: number} = {}): Promise<{loss: number; logp: Float32Array; grads: Float32Array[]}> {
    const {batch: b, seqLen: t} = mb.tokens
    const scale = options.scale ?? 1
    const session = this.#trainSession as OnnxSession
    let loss: LogProbLoss
    let out: Record<string, HostTensor>
    let logp: Float32Array
    if (options.constantGradient) {
      const probe = lossFn(new Float32Array(b * (t - 1)), mb)
      out = await session.run(this.#feeds(mb.tokens, scaled(probe.dlogp, scale)))
      logp = OnnxPolicyTrainer.#nextToken(out.logp!.data as Float32Array, b, t)
      loss = lossFn(logp, mb)
    } else {
      logp = await this.tokenLogProbs(mb.tokens)
      loss = lossFn(logp, mb)
      out = await session.run(this.#feeds(mb.tokens, scaled(loss.dlogp, scale)))
    }
    return {loss: loss.loss, logp, grads: this.#params.map((p) => out[`grad.${p.name}`]!.data as Float32Array)}
  }

  /**
   * One optimiser step: each micro-batch's gradient (see `gradients`) weighted by `weightOf(mb)` (default 1),
   * averaged over the step, clipped to the global norm and applied with AdamW.
   */
  async trainStep<T extends {tokens: TokenBatch}>(
    microBatches: readonly T[],
    lossFn: LogProbLossFn<T>,
    options: {weightOf?: (microBatch: T) => number; learningRate?: number; constantGradient?: boolean} = {},
  ): Promise<StepResult> {
    if (microBatches.length === 0) throw new RangeError('Expected at least one micro-batch')
    const started = performance.now()
    const weights = microBatches.map((mb) => options.weightOf?.(mb) ?? 1)
    const totalWeight = weights.reduce((a, b) => a + b, 0)
    let sums: Float32Array[] | undefined
    let lossSum = 0
    for (const [k, mb] of microBatches.entries()) {
      // The mean gradient Σ w_k·∇_k / Σ w is accumulated directly: each run's upstream gradient carries its share.
      const share = totalWeight > 0 ? (weights[k] as number) / totalWeight : 0
      const result = await this.gradients(mb, lossFn, {constantGradient: options.constantGradient, scale: share})
      if (!Number.isFinite(result.loss)) throw new Error(`Loss is ${result.loss}; refusing to apply the step (lower the learning rate or check the batch)`)
      if (!sums) sums = result.grads
      else {
        sums.forEach((sum, i) => {
          const grad = result.grads[i] as Float32Array
          for (let j = 0; j < sum.length; j++) sum[j] = (sum[j] as number) + (grad[j] as number)
        })
      }
      lossSum += result.loss * (weights[k] as number)
      await yieldToEventLoop()
    }
    let sq = 0
    for (const s of sums as Float32Array[]) for (let j = 0; j < s.length; j++) sq += (s[j] as number) * (s[j] as number)
    const norm = Math.sqrt(sq)
    if (!Number.isFinite(norm)) throw new Error(`Gradient norm is ${norm}; refusing to apply the step (lower the learning rate or check the batch)`)
    const clip = this.#maxGradNorm > 0 && norm > this.#maxGradNorm ? this.#maxGradNorm / (norm + 1e-6) : 1
    this.#applyAdamW(sums as Float32Array[], clip, options.learningRate ?? this.#options.learningRate)
    await yieldToEventLoop()
    return {loss: totalWeight > 0 ? lossSum / totalWeight : 0, gradNorm: norm, step: this.#step, microBatches: microBatches.length, seconds: (performance.now() - started) / 1000}
  }

  /** torch.optim.AdamW's update, in place: p ← p·(1 − lr·wd) − lr/c1 · m / (√v / √c2 + ε). */
  #applyAdamW(grads: Float32Array[], gradScale: number, lr: number): void {
    const {beta1, beta2, epsilon, weightDecay} = this.#options
    this.#step++
    const c1 = 1 - beta1 ** this.#step
    const sqrtC2 = Math.sqrt(1 - beta2 ** this.#step)
    const stepSize = lr / c1
    this.#params.forEach((param, i) => {
      const p = this.#values[i] as Float32Array
      const g = grads[i] as Float32Array
      const m = this.#m[i] as Float32Array
      const v = this.#v[i] as Float32Array
      const decay = weightDecay > 0 && !param.noDecay ? 1 - lr * weightDecay : 1
      for (let j = 0; j < p.length; j++) {
        const gj = (g[j] as number) * gradScale
        const mj = (m[j] = beta1 * (m[j] as number) + (1 - beta1) * gj) as number
        const vj = (v[j] = beta2 * (v[j] as number) + (1 - beta2) * gj * gj) as number
        p[j] = (p[j] as number) * decay - (stepSize * mj) / (Math.sqrt(vj) / sqrtC2 + epsilon)
      }
    })
  }

  exportWeights(): Weights {
    return fromTrainLayout(this.config, this.#values)
  }

  /** AdamW's state in HF names and layouts (the same file format as the tfjs trainer's). */
  exportOptimizerState(): OptimizerState {
    return {step: this.#step, firstMoments: fromTrainLayout(this.config, this.#m), secondMoments: fromTrainLayout(this.config, this.#v)}
  }

  #importOptimizerState(state: OptimizerState): void {
    if (!(Number.isInteger(state.step) && state.step >= 0)) throw new RangeError(`AdamW state step: expected an integer ≥ 0, got ${state.step}`)
    const read = (moments: Weights, label: string) => {
      try {
        return toTrainLayout(this.config, moments)
      } catch (error) {
        throw new RangeError(`Optimizer state ${label}: ${(error as Error).message}`)
      }
    }
    const m = read(state.firstMoments, 'exp_avg')
    const v = read(state.secondMoments, 'exp_avg_sq')
    m.forEach((a, i) => this.#m[i]!.set(a))
    v.forEach((a, i) => this.#v[i]!.set(a))
    this.#step = state.step
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return
    this.#disposed = true
    await this.#trainSession?.release()
    await this.#forwardSession?.release()
  }
}

function scaled(values: Float32Array, factor: number): Float32Array {
  if (factor === 1) return values
  const out = new Float32Array(values.length)
  for (let i = 0; i < values.length; i++) out[i] = (values[i] as number) * factor
  return out
}
