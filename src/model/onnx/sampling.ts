// Token sampling from one logits row: temperature, top-k, top-p with a per-request Rng, returning the token
// with its log-prob under the raw policy (temperature 1, full vocabulary) and under the distribution sampled.
import type {Rng} from '../../core/index.js'

export interface SamplingParams {
  /** 0 = greedy (argmax). Default 1. */
  temperature: number
  /** Nucleus mass in (0, 1]; 1 = off. */
  topP: number
  /** Keep the k most likely tokens; 0 = off. */
  topK: number
}

export interface SampledToken {
  tokenId: number
  /** log softmax(logits)[token]: log π(token) of the policy itself, temperature 1, no truncation. */
  logprob: number
  /**
   * Log-prob of the token under the distribution it was actually drawn from (logits / temperature, top-k and
   * top-p applied and renormalised); 0 for greedy.
   */
  samplingLogprob: number
}

/** log Σ exp(x_i · scale) over a row, stably. */
function logSumExp(row: Float32Array, scale: number, max: number): number {
  let sum = 0
  for (let i = 0; i < row.length; i++) sum += Math.exp(((row[i] as number) - max) * scale)
  return max * scale + Math.log(sum)
}

export function sampleToken(row: Float32Array, params: SamplingParams, rng: Rng): SampledToken {
  let max = -Infinity
  let argmax = 0
  for (let i = 0; i < row.length; i++) {
    const v = row[i] as number
    if (v > max) {
      max = v
      argmax = i
    }
  }
  const policyLse = logSumExp(row, 1, max)
  const logprobOf = (token: number): number => (row[token] as number) - policyLse

  if (params.temperature === 0) {
    // Greedy still consumes one draw, so a request's random stream does not depend on earlier modes.
    rng.next()
    return {tokenId: argmax, logprob: logprobOf(argmax), samplingLogprob: 0}
  }
  const inv = 1 / params.temperature
  const u = rng.next()
  const truncated = params.topK > 0 && params.topK < row.length ? true : params.topP < 1
  if (!truncated) {
    // Full distribution: one scan for the normaliser, one to find where u falls.
    const lse = logSumExp(row, inv, max)
    let cumulative = 0
    let chosen = argmax
    for (let i = 0; i < row.length; i++) {
      cumulative += Math.exp((row[i] as number) * inv - lse)
      if (u < cumulative) {
        chosen = i
        break
      }
    }
    return {tokenId: chosen, logprob: logprobOf(chosen), samplingLogprob: (row[chosen] as number) * inv - lse}
  }
  // Truncated: candidates sorted by logit (ties by id, so the order is deterministic), cut by k then by p.
  let candidates = Array.from({length: row.length}, (_, i) => i)
  candidates.sort((a, b) => (row[b] as number) - (row[a] as number) || a - b)
  if (params.topK > 0) candidates = candidates.slice(0, params.topK)
  const lse = (() => {
    let sum = 0
    for (const i of candidates) sum += Math.exp(((row[i] as number) - max) * inv)
    return max * inv + Math.log(sum)
  })()
  if (params.topP < 1) {
    let cumulative = 0
    let keep = candidates.length
    for (let n = 0; n < candidates.length; n++) {
      cumulative += Math.exp((row[candidates[n] as number] as number) * inv - lse)
      if (cumulative >= params.topP) {
        keep = n + 1
        break
      }
    }
    candidates = candidates.slice(0, keep)
  }
  let sum = 0
  for (const i of candidates) sum += Math.exp(((row[i] as number) - max) * inv)
  const keptLse = max * inv + Math.log(sum)
  let cumulative = 0
  let chosen = candidates[candidates.length - 1] as number
  for (const i of candidates) {
    cumulative += Math.exp((row[i] as number) * inv - keptLse)
    if (u < cumulative) {
      chosen = i
      break
    }
  }
  return {tokenId: chosen, logprob: logprobOf(chosen), samplingLogprob: (row[chosen] as number) * inv - keptLse}
}
