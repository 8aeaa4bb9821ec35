// The decoupled PPO objective of ppo-loss.ts over plain arrays, with its gradient with respect to each log-prob, for
// the onnxruntime trainer (decision 0940): the loss depends on the model only through the [b, t−1] log-probs, so
// d loss / d logp is all the training graph needs. Same semantics as `ppoLoss` (proximal from the current pass,
// behaviour weights and their cap, statistics); test/rl/ppo-loss-grad.test.ts checks it against tfjs's autodiff of
// `ppoLoss`.
import {behaviourWeights, collectStats, klCoefficient, referenceKlTerm, requireReference, type PpoLossOptions, type PpoMicroBatch, type PpoStats} from './ppo-loss.js'

/** −Σ mask·w·min(r·A, clip(r, 1−ε, 1+ε)·A) / lossTokens (+ β·k3 towards the reference) and its gradient w.r.t. `logp` ([b, t−1]). */
export function ppoLossGradient(logp: Float32Array, mb: PpoMicroBatch, options: PpoLossOptions = {}, stats?: PpoStats): {loss: number; dlogp: Float32Array} {
  const eps = options.clipEps ?? 0.2
  if (!(eps > 0 && eps < 1)) throw new RangeError(`Expected clipEps in (0, 1), got ${eps}`)
  if (logp.length !== mb.lossMask.length) throw new RangeError(`Expected log-probs of ${mb.lossMask.length} entries ([batch, seqLen − 1]), got ${logp.length}`)
  if (options.proximalFromCurrent && !mb.proximalLogprobs) mb.proximalLogprobs = Float32Array.from(logp)
  const {weights, capped} = behaviourWeights(mb, options)
  const prox = mb.proximalLogprobs as Float32Array
  const beta = klCoefficient(options)
  const ref = beta > 0 ? requireReference(mb) : undefined
  if (stats) collectStats(logp, mb, prox, weights, capped, eps, stats, ref)
  const scale = 1 / Math.max(1, mb.lossTokens)
  const dlogp = new Float32Array(logp.length)
  let loss = 0
  for (let i = 0; i < logp.length; i++) {
    const w = weights[i] as number
    if (!w) continue
    // float32 like the tfjs version: the ratio is exactly 1 when the proximal log-probs are this pass's own.
    const ratio = Math.fround(Math.exp(Math.fround((logp[i] as number) - (prox[i] as number))))
    const a = mb.advantages[i] as number
    const unclipped = -a * ratio
    const clipped = -a * Math.min(Math.max(ratio, 1 - eps), 1 + eps)
    // max(unclipped, clipped); ties go to the unclipped branch (as tf.maximum's gradient). The clipped branch only
    // wins strictly outside [1−ε, 1+ε], where clip's gradient is 0.
    if (unclipped >= clipped) {
      loss += unclipped * w
      dlogp[i] = unclipped * w * scale // d(−A·r)/dlogp = −A·r
    } else loss += clipped * w
    if (ref) {
      const kl = referenceKlTerm(beta, logp[i] as number, ref[i] as number)
      loss += kl.value
      dlogp[i] = (dlogp[i] as number) + kl.grad * scale
    }
  }
  return {loss: loss * scale, dlogp}
}
