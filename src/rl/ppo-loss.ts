// The decoupled PPO objective (AReaL, Hilton et al.): the clipped ratio is taken against a *proximal* policy
// (the trainer's current weights, recomputed before the update), and the gap between the proximal policy and
// the behaviour policy that sampled the token (possibly several versions old) is corrected by an importance
// weight, capped. tfjs comes from the caller (`trainer.tf`); nothing here imports it.
import type * as TfCore from '@tensorflow/tfjs'
import type {TfQwen2, TokenBatch} from '../model/index.js'

type Tf = typeof TfCore

/** One padded micro-batch; every Float32Array is [batch, seqLen − 1], aligned with `tokenLogProbs`' targets. */
export interface PpoMicroBatch {
  tokens: TokenBatch
  /** 1 = a generated token trained on (predicting token t+1), 0 = prompt, observation or padding. */
  lossMask: Float32Array
  advantages: Float32Array
  /** Log-probs recorded at generation time (temperature 1, the sampling policy's weights). */
  behaviourLogprobs: Float32Array
  /** Log-probs under the trainer's weights before this update (`computeProximalLogprobs`). */
  proximalLogprobs?: Float32Array
  /** Log-probs under the frozen reference policy (the run's start model), for the KL penalty (`klCoef`). */
  referenceLogprobs?: Float32Array
  /** Number of mask-1 entries (the micro-batch's weight in the step's mean). */
  lossTokens: number
}

export interface PpoLossOptions {
  /** ε of the clipped ratio (default 0.2). */
  clipEps?: number
  /** Cap on the behaviour importance weight exp(logπ_prox − logπ_behav) (default 5; 0 or Infinity: no cap). */
  behavImpCap?: number
  /**
   * What happens above the cap: `mask` (default, as AReaL: the token gets weight 0 — it is too off-policy to
   * trust) or `clip` (the weight is truncated to the cap).
   */
  behavImpMode?: 'mask' | 'clip'
  /**
   * Take the proximal log-probs from this forward pass (detached) when the micro-batch has none: exact when the
   * update is the first since the weights were last changed (one minibatch per batch), and saves a forward pass.
   */
  proximalFromCurrent?: boolean
  /**
   * Train the tool-result tokens too (Search-R1's ablation, "loss mask off"): every token after the prompt is in
   * the loss. Tool results were not sampled, so they have no behaviour log-prob; theirs is NaN in the batch and
   * their importance weight is 1 (the proximal policy stands in for the behaviour one). Default false.
   */
  observationLoss?: boolean
  /**
   * β of a KL penalty towards the reference policy (the run's start model), added per trained token with weight > 0:
   * β·k3 = β·(exp(logπ_ref − logπθ) − (logπ_ref − logπθ) − 1), the non-negative, low-variance estimator of
   * KL(πθ ‖ π_ref) that GRPO (DeepSeekMath) and verl's `low_var_kl` use. Default 0: no penalty, no reference pass.
   */
  klCoef?: number
}

/** β·k3 of one token and its derivative with respect to logπθ (d/dx of e^(r−x) − (r−x) − 1 is 1 − e^(r−x)). */
export function referenceKlTerm(beta: number, logp: number, ref: number): {value: number; grad: number} {
  const e = Math.exp(ref - logp)
  return {value: beta * (e - (ref - logp) - 1), grad: beta * (1 - e)}
}

/** Runs the model without gradients over a micro-batch and returns its [b, t−1] next-token log-probs. */
export function computeProximalLogprobs(tf: Tf, model: TfQwen2, tokens: TokenBatch): Float32Array {
  return tf.tidy(() => model.tokenLogProbs(tokens).dataSync() as Float32Array).slice()
}

/** Per-token behaviour importance weights (0 where the mask is 0 or, in `mask` mode, above the cap). */
export function behaviourWeights(mb: PpoMicroBatch, options: PpoLossOptions = {}): {weights: Float32Array; capped: number} {
  const prox = requireProximal(mb)
  const cap = options.behavImpCap === undefined ? 5 : options.behavImpCap > 0 ? options.behavImpCap : Infinity
  const mode = options.behavImpMode ?? 'mask'
  const weights = new Float32Array(mb.lossMask.length)
  let capped = 0
  for (let i = 0; i < weights.length; i++) {
    if (!mb.lossMask[i]) continue
    const behaviour = mb.behaviourLogprobs[i] as number
    // NaN: a token nobody sampled (a tool result trained with observationLoss): the proximal policy is its behaviour.
    let w = Number.isNaN(behaviour) ? 1 : Math.exp((prox[i] as number) - behaviour)
    if (w > cap) {
      capped++
      w = mode === 'mask' ? 0 : cap
    }
    weights[i] = w
  }
  return {weights, capped}
}

/** Running statistics over the tokens of a step (or several), reported in the TrainMetric. */
export class PpoStats {
  tokens = 0
  clipped = 0
  approxKlSum = 0
  behaviourKlSum = 0
  weightSum = 0
  weightMax = 0
  capped = 0
  ratioMax = 0
  /** Σ k3(πθ ‖ π_ref) over the tokens the penalty applies to (weight > 0), and their count; only with a KL penalty. */
  referenceKlSum = 0
  referenceKlTokens = 0
  referenceKl = false

  /** Mean of the masked tokens' statistics. */
  summary(): {clip_frac: number; approx_kl: number; behav_kl: number; behav_imp_weight_mean: number; behav_imp_weight_max: number; behav_imp_capped_frac: number; ratio_max: number; ref_kl?: number} {
    const n = Math.max(1, this.tokens)
    return {
      clip_frac: this.clipped / n,
      approx_kl: this.approxKlSum / n,
      behav_kl: this.behaviourKlSum / n,
      behav_imp_weight_mean: this.weightSum / n,
      behav_imp_weight_max: this.weightMax,
      behav_imp_capped_frac: this.capped / n,
      ratio_max: this.ratioMax,
      // Only with a KL penalty, so runs without one keep their metrics line unchanged.
      ...(this.referenceKl ? {ref_kl: this.referenceKlSum / Math.max(1, this.referenceKlTokens)} : {}),
    }
  }
}

/**
 * −Σ mask·w·min(r·A, clip(r, 1−ε, 1+ε)·A) / lossTokens with r = exp(logπθ − logπ_prox), for one micro-batch.
 * `logp` is the model's differentiable [b, t−1] log-probs; everything else is a constant. When `stats` is given,
 * the masked tokens' clip fraction, approximate KL (k1: logπ_prox − logπθ) and importance weights are added to it.
 */
export function ppoLoss(tf: Tf, logp: TfCore.Tensor2D, mb: PpoMicroBatch, options: PpoLossOptions = {}, stats?: PpoStats): TfCore.Scalar {
  const eps = options.clipEps ?? 0.2
  if (!(eps > 0 && eps < 1)) throw new RangeError(`Expected clipEps in (0, 1), got ${eps}`)
  const shape = logp.shape as [number, number]
  if (shape[0] * shape[1] !== mb.lossMask.length) throw new RangeError(`Expected log-probs of ${mb.lossMask.length} entries ([batch, seqLen − 1]), got [${shape.join(', ')}]`)
  const current = stats || (options.proximalFromCurrent && !mb.proximalLogprobs) ? (logp.dataSync() as Float32Array) : undefined
  if (options.proximalFromCurrent && !mb.proximalLogprobs) mb.proximalLogprobs = Float32Array.from(current as Float32Array)
  const prox = requireProximal(mb)
  const {weights, capped} = behaviourWeights(mb, options)
  const beta = klCoefficient(options)
  const ref = beta > 0 ? requireReference(mb) : undefined
  if (stats) collectStats(current as Float32Array, mb, prox, weights, capped, eps, stats, ref)
  return tf.tidy(() => {
    const advantages = tf.tensor2d(mb.advantages, shape)
    const ratio = tf.exp(tf.sub(logp, tf.tensor2d(prox, shape)))
    const unclipped = tf.mul(tf.neg(advantages), ratio)
    const clipped = tf.mul(tf.neg(advantages), tf.clipByValue(ratio, 1 - eps, 1 + eps))
    // max of the two negated terms = −min(r·A, clip(r)·A); weights carry the mask and the behaviour correction.
    const perToken = tf.mul(tf.maximum(unclipped, clipped), tf.tensor2d(weights, shape))
    let total = tf.sum(perToken)
    if (ref) {
      // β·(e^(ref−logp) − (ref−logp) − 1) on the tokens that carry weight.
      const d = tf.sub(tf.tensor2d(ref, shape), logp)
      const k3 = tf.sub(tf.sub(tf.exp(d), d), 1)
      const on = tf.tensor2d(weights.map((w) => (w > 0 ? 1 : 0)), shape)
      total = tf.add(total, tf.mul(beta, tf.sum(tf.mul(k3, on))))
    }
    return tf.div(total, Math.max(1, mb.lossTokens)) as TfCore.Scalar
  })
}

/** Adds a micro-batch's masked tokens to `stats`; `ref`: the reference log-probs when a KL penalty is on. */
export function collectStats(logp: Float32Array, mb: PpoMicroBatch, prox: Float32Array, weights: Float32Array, capped: number, eps: number, stats: PpoStats, ref?: Float32Array): void {
  if (ref) stats.referenceKl = true
  for (let i = 0; i < logp.length; i++) {
    if (!mb.lossMask[i]) continue
    const delta = (logp[i] as number) - (prox[i] as number)
    const ratio = Math.exp(delta)
    const a = mb.advantages[i] as number
    // The clipped branch is the active one when it gives the smaller objective.
    if ((a > 0 && ratio > 1 + eps) || (a < 0 && ratio < 1 - eps)) stats.clipped++
    stats.tokens++
    stats.approxKlSum += -delta
    const behaviour = mb.behaviourLogprobs[i] as number
    if (!Number.isNaN(behaviour)) stats.behaviourKlSum += (prox[i] as number) - behaviour
    stats.weightSum += weights[i] as number
    stats.weightMax = Math.max(stats.weightMax, weights[i] as number)
    stats.ratioMax = Math.max(stats.ratioMax, ratio)
    if (ref && weights[i]) {
      stats.referenceKlSum += referenceKlTerm(1, logp[i] as number, ref[i] as number).value
      stats.referenceKlTokens++
    }
  }
  stats.capped += capped
}

function requireProximal(mb: PpoMicroBatch): Float32Array {
  if (!mb.proximalLogprobs) throw new RangeError('Expected proximal log-probs on the micro-batch: call computeProximalLogprobs before the update')
  if (mb.proximalLogprobs.length !== mb.lossMask.length) throw new RangeError(`Expected ${mb.lossMask.length} proximal log-probs, got ${mb.proximalLogprobs.length}`)
  return mb.proximalLogprobs
}

/** β of the KL penalty (0: none); a negative or non-finite value is a caller's mistake. */
export function klCoefficient(options: PpoLossOptions): number {
  const beta = options.klCoef ?? 0
  if (!(Number.isFinite(beta) && beta >= 0)) throw new RangeError(`Expected klCoef ≥ 0, got ${beta}`)
  return beta
}

export function requireReference(mb: PpoMicroBatch): Float32Array {
  if (!mb.referenceLogprobs) throw new RangeError('Expected reference log-probs on the micro-batch: a KL penalty (klCoef > 0) needs the reference policy\'s log-probs before the update')
  if (mb.referenceLogprobs.length !== mb.lossMask.length) throw new RangeError(`Expected ${mb.lossMask.length} reference log-probs, got ${mb.referenceLogprobs.length}`)
  return mb.referenceLogprobs
}
