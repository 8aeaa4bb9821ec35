// Token sequences → micro-batches for the tfjs trainer (SFT and RL alike): right padding with an attention mask,
// per-target arrays in tokenLogProbs' [batch, seq−1] layout, packed by a padded-token budget, grouped by length.
// Pure JS (no tfjs), so it is cheap to test and to run ahead of the model.
import type {TokenBatch} from '../model/index.js'

/** One training sequence. Every per-token array is aligned with `tokenIds`. */
export interface SequenceSample {
  tokenIds: ArrayLike<number>
  /** 1 where the token is a training target (the model is trained to predict it), 0 for prompt/observations. */
  lossMask: ArrayLike<number>
  /** Weight of every target of this sample (default 1). */
  weight?: number
  /** Per-token values (behaviour log-probs, advantages …), shifted to targets like the loss mask. */
  extras?: Record<string, ArrayLike<number>>
}

export interface MicroBatch {
  /** Right-padded ids [batch, seqLen] with attentionMask (1 = real token). */
  tokens: TokenBatch
  /** [batch, seqLen − 1]: entry (b, t) = lossMask of token t+1 of row b (what tokenLogProbs(b, t) predicts); 0 on padding. */
  lossMask: Float32Array
  /** [batch, seqLen − 1]: the sample's weight where lossMask is 1, else 0. */
  targetWeights: Float32Array
  /** Each extra in the same [batch, seqLen − 1] target layout (0 on padding). */
  extras: Record<string, Float32Array>
  /** Index of each row's sample in the input list. */
  sampleIndices: number[]
  /** Σ lossMask. */
  lossTokens: number
  /** Σ targetWeights — the weight of this micro-batch in a weighted mean over a step. */
  targetWeight: number
  /** Real (unpadded) tokens. */
  realTokens: number
  /** batch × seqLen, the budget's unit. */
  paddedTokens: number
}

export type OverflowPolicy = 'drop' | 'truncate'

export interface PackOptions {
  /** Budget per micro-batch in padded tokens (rows × longest row). Required. */
  maxTokensPerMicroBatch: number
  /** Longest sequence kept (default: no limit, but still ≤ maxTokensPerMicroBatch). */
  maxSeqLen?: number
  /** Longer sequences are dropped (default) or cut to maxSeqLen (right side, losing their last targets). */
  overflow?: OverflowPolicy
  /** Sort by length (longest first) before packing so rows of a micro-batch have similar lengths (default true). */
  groupByLength?: boolean
  /** Padding id (default 0; padded positions are masked, so any valid id works). */
  padId?: number
}

export interface PackStats {
  samples: number
  /** Samples in the micro-batches. */
  kept: number
  /** Longer than maxSeqLen and dropped. */
  dropped: number
  /** Longer than maxSeqLen and cut (overflow truncate). */
  truncated: number
  /** Without any target after the first token (nothing to learn; skipped). */
  noTargets: number
  microBatches: number
  realTokens: number
  paddedTokens: number
  lossTokens: number
}

export interface PackResult {
  microBatches: MicroBatch[]
  stats: PackStats
}

function checkSample(sample: SequenceSample, index: number): void {
  const n = sample.tokenIds.length
  if (sample.lossMask.length !== n) throw new RangeError(`Sample ${index}: expected a loss mask of ${n}, got ${sample.lossMask.length}`)
  for (const [key, values] of Object.entries(sample.extras ?? {})) {
    if (values.length !== n) throw new RangeError(`Sample ${index}: expected extra "${key}" of ${n} values, got ${values.length}`)
  }
  const w = sample.weight ?? 1
  if (!(w >= 0 && Number.isFinite(w))) throw new RangeError(`Sample ${index}: expected a finite weight ≥ 0, got ${w}`)
}

function targetCount(sample: SequenceSample, length: number): number {
  let count = 0
  for (let t = 1; t < length; t++) if (sample.lossMask[t]) count++
  return count
}

/**
 * Pack samples into micro-batches of at most `maxTokensPerMicroBatch` padded tokens. Samples keep their index
 * (`sampleIndices`) so callers can map rows back; with grouping, rows are ordered longest first.
 */
export function packMicroBatches(samples: readonly SequenceSample[], options: PackOptions): PackResult {
  const budget = options.maxTokensPerMicroBatch
  if (!(Number.isInteger(budget) && budget >= 2)) throw new RangeError(`maxTokensPerMicroBatch: expected an integer ≥ 2, got ${budget}`)
  const maxSeqLen = options.maxSeqLen ?? budget
  if (!(Number.isInteger(maxSeqLen) && maxSeqLen >= 2)) throw new RangeError(`maxSeqLen: expected an integer ≥ 2, got ${maxSeqLen}`)
  if (maxSeqLen > budget) throw new RangeError(`maxSeqLen ${maxSeqLen} exceeds maxTokensPerMicroBatch ${budget}: one sequence would not fit in a micro-batch`)
  const overflow = options.overflow ?? 'drop'
  const stats: PackStats = {samples: samples.length, kept: 0, dropped: 0, truncated: 0, noTargets: 0, microBatches: 0, realTokens: 0, paddedTokens: 0, lossTokens: 0}
  const rows: {index: number; length: number}[] = []
  samples.forEach((sample, index) => {
    checkSample(sample, index)
    let length = sample.tokenIds.length
    if (length > maxSeqLen) {
      if (overflow === 'drop') {
        stats.dropped++
        return
      }
      length = maxSeqLen
      stats.truncated++
    }
    if (length < 2 || targetCount(sample, length) === 0) {
      stats.noTargets++
      return
    }
    rows.push({index, length})
  })
  if (options.groupByLength ?? true) rows.sort((a, b) => b.length - a.length || a.index - b.index)
  const groups: {index: number; length: number}[][] = []
  let current: {index: number; length: number}[] = []
  let longest = 0
  for (const row of rows) {
    const nextLongest = Math.max(longest, row.length)
    if (current.length > 0 && (current.length + 1) * nextLongest > budget) {
      groups.push(current)
      current = []
      longest = 0
    }
    current.push(row)
    longest = Math.max(longest, row.length)
  }
  if (current.length > 0) groups.push(current)
  const microBatches = groups.map((group) => buildMicroBatch(samples, group, options.padId ?? 0))
  for (const mb of microBatches) {
    stats.kept += mb.tokens.batch
    stats.realTokens += mb.realTokens
    stats.paddedTokens += mb.paddedTokens
    stats.lossTokens += mb.lossTokens
  }
  stats.microBatches = microBatches.length
  return {microBatches, stats}
}

/** One right-padded micro-batch from rows (sample index + length to use, ≤ the sample's length). */
export function buildMicroBatch(samples: readonly SequenceSample[], rows: readonly {index: number; length: number}[], padId = 0): MicroBatch {
  if (rows.length === 0) throw new RangeError('Expected at least one row')
  const batch = rows.length
  const seqLen = Math.max(...rows.map((r) => r.length))
  if (seqLen < 2) throw new RangeError(`Expected sequences of at least 2 tokens, got ${seqLen}`)
  const targets = seqLen - 1
  const inputIds = new Int32Array(batch * seqLen).fill(padId)
  const attentionMask = new Uint8Array(batch * seqLen)
  const lossMask = new Float32Array(batch * targets)
  const targetWeights = new Float32Array(batch * targets)
  const extraKeys = Object.keys(samples[rows[0]?.index ?? 0]?.extras ?? {})
  const extras: Record<string, Float32Array> = Object.fromEntries(extraKeys.map((k) => [k, new Float32Array(batch * targets)]))
  let lossTokens = 0
  let targetWeight = 0
  let realTokens = 0
  rows.forEach((row, b) => {
    const sample = samples[row.index] as SequenceSample
    const weight = sample.weight ?? 1
    const sampleKeys = Object.keys(sample.extras ?? {})
    if (sampleKeys.length !== extraKeys.length || sampleKeys.some((k) => !(k in extras))) {
      throw new RangeError(`Sample ${row.index}: extras [${sampleKeys.join(', ')}] differ from the micro-batch's [${extraKeys.join(', ')}]`)
    }
    for (let t = 0; t < row.length; t++) {
      const id = sample.tokenIds[t] as number
      if (!(Number.isInteger(id) && id >= 0)) throw new RangeError(`Sample ${row.index}: token ${t} is ${id}, expected an id ≥ 0`)
      inputIds[b * seqLen + t] = id
      attentionMask[b * seqLen + t] = 1
    }
    realTokens += row.length
    for (let t = 0; t + 1 < row.length; t++) {
      const at = b * targets + t
      const m = sample.lossMask[t + 1] ? 1 : 0
      lossMask[at] = m
      targetWeights[at] = m * weight
      lossTokens += m
      targetWeight += m * weight
      for (const key of extraKeys) (extras[key] as Float32Array)[at] = (sample.extras?.[key]?.[t + 1] ?? 0) as number
    }
  })
  return {
    tokens: {inputIds, batch, seqLen, attentionMask},
    lossMask,
    targetWeights,
    extras,
    sampleIndices: rows.map((r) => r.index),
    lossTokens,
    targetWeight,
    realTokens,
    paddedTokens: batch * seqLen,
  }
}
