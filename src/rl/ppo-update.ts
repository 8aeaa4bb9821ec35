// The decoupled-PPO update of one batch, split into `minibatches` optimiser steps and repeated for `epochs` passes over
// the batch — the same for both trainers (the tfjs one and the onnxruntime one); each supplies how it computes log-probs
// and takes a step.
import {klCoefficient, PpoStats, type PpoLossOptions, type PpoMicroBatch} from './ppo-loss.js'

const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

export interface PpoStepper {
  /** The current policy's log-probs of a micro-batch's tokens (no gradient): the proximal policy. */
  proximal(mb: PpoMicroBatch): Float32Array | Promise<Float32Array>
  /** The frozen reference policy's log-probs of a micro-batch's tokens: needed only with a KL penalty. */
  reference?(mb: PpoMicroBatch): Float32Array | Promise<Float32Array>
  /** One optimiser step over `chunk` with the PPO loss built from `loss`, adding to `stats`. */
  step(chunk: PpoMicroBatch[], loss: PpoLossOptions, stats: PpoStats): Promise<{loss: number; gradNorm: number}>
}

/**
 * `epochs` passes over the batch (PPO's epochs; verl's ppo_epochs), each of `minibatches` optimiser steps: the batch's
 * generation is paid once and trained on `epochs × minibatches` times, the ratio to the proximal policy (the weights
 * before the first step) clipped at 1 ± ε throughout. Loss and statistics are over every step; `stats.tokens` counts
 * a token once per pass.
 */
export async function ppoMinibatchUpdate(microBatches: PpoMicroBatch[], minibatches: number, options: PpoLossOptions | undefined, stepper: PpoStepper, epochs = 1): Promise<{loss: number; gradNorm: number; stats: ReturnType<PpoStats['summary']> & {tokens: number}}> {
  if (!(Number.isInteger(epochs) && epochs >= 1)) throw new RangeError(`Expected epochs to be an integer ≥ 1, got ${epochs}`)
  const parts = Math.max(1, Math.min(minibatches, microBatches.length))
  const steps = parts * epochs
  // With one optimiser step per batch the proximal policy is the current one: its log-probs come from the training
  // forward pass itself (decision 0912). With several, every micro-batch needs them before the first step.
  if (steps > 1) {
    for (const mb of microBatches) {
      mb.proximalLogprobs = await stepper.proximal(mb)
      await nextTick()
    }
  }
  if (klCoefficient(options ?? {}) > 0) {
    if (!stepper.reference) throw new Error('a KL penalty (klCoef > 0) needs the reference policy: the updater was made without reference weights')
    for (const mb of microBatches) {
      mb.referenceLogprobs = await stepper.reference(mb)
      await nextTick()
    }
  }
  const loss: PpoLossOptions = {...options, proximalFromCurrent: steps === 1}
  const stats = new PpoStats()
  let lossSum = 0
  let gradNorm = 0
  for (let e = 0; e < epochs; e++) {
    for (let m = 0; m < parts; m++) {
      const result = await stepper.step(microBatches.filter((_, i) => i % parts === m), loss, stats)
      lossSum += result.loss
      gradNorm = Math.max(gradNorm, result.gradNorm)
    }
  }
  return {loss: lossSum / steps, gradNorm, stats: {...stats.summary(), tokens: stats.tokens}}
}
