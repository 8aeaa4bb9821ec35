// GRPO advantages: each question's n samples form a group; a sample's advantage is its reward minus the group
// mean, divided by the group's standard deviation (or not, as Dr. GRPO). Which episodes may be trained on, and
// which still count in the group baseline, is decided here (decision 0910).
import type {Trajectory} from '../core/index.js'

/**
 * What happens to one episode:
 * - `train`: reward counts in the group baseline and its generated tokens are trained on;
 * - `baseline-only`: reward counts in the baseline, but no token is trained (the recorded prefix is not what
 *   the model saw after a history truncation, or behaviour log-probs are missing);
 * - `drop`: neither (an infrastructure failure — error, aborted — says nothing about the policy; no reward).
 */
export type EpisodeUse = 'train' | 'baseline-only' | 'drop'

export type ExclusionReason = 'truncated' | 'context_overflow' | 'error' | 'aborted' | 'no_reward' | 'no_tokens' | 'no_logprobs'

export interface EpisodeVerdict {
  use: EpisodeUse
  reason?: ExclusionReason
}

export interface AdvantageOptions {
  /** Divide by the group's standard deviation (default true: GRPO); false is Dr. GRPO (centre only). */
  scaleByStd?: boolean
  /** Added to the standard deviation (default 1e-6). */
  eps?: number
  /** Drop groups whose rewards are all equal: their advantages are all 0 and only cost compute (default false). */
  dropZeroVariance?: boolean
  /** Episodes with history truncations or context overflow: `mask` (default: baseline only) or `drop` (neither). */
  truncated?: 'mask' | 'drop'
  /**
   * Multiplies the advantages below 0 (default 1). 0 reinforces only the better-than-average samples (positive
   * sample reinforcement, RAFT-like); between 0 and 1 the update leans towards them. The baseline is unchanged.
   */
  negativeWeight?: number
}

/** Classifies an episode by the policy documented in decision 0910. */
export function episodeVerdict(t: Trajectory, options: Pick<AdvantageOptions, 'truncated'> = {}): EpisodeVerdict {
  if (t.finish_reason === 'error' || t.finish_reason === 'aborted') return {use: 'drop', reason: t.finish_reason}
  if (t.reward === null) return {use: 'drop', reason: 'no_reward'}
  const truncated = ((t.stats as {truncations?: number}).truncations ?? 0) > 0
  if (truncated || t.finish_reason === 'context_overflow') {
    return {use: options.truncated === 'drop' ? 'drop' : 'baseline-only', reason: truncated ? 'truncated' : 'context_overflow'}
  }
  if (t.token_ids.length < 2 || !t.loss_mask.includes(1)) return {use: 'baseline-only', reason: 'no_tokens'}
  if (t.behaviour_logprobs.length !== t.token_ids.length) return {use: 'baseline-only', reason: 'no_logprobs'}
  return {use: 'train'}
}

export interface ScoredSample {
  trajectory: Trajectory
  advantage: number
}

export interface GroupAdvantages {
  questionId: string
  /** Episodes to train on, with their advantage (empty when the group was dropped). */
  samples: ScoredSample[]
  /** Reward mean and (population) standard deviation over the baseline episodes. */
  mean: number
  std: number
  /** Episodes that count in the baseline. */
  baseline: number
  zeroVariance: boolean
  /** True when `dropZeroVariance` removed the whole group. */
  dropped: boolean
  excluded: Array<{id: string; reason: ExclusionReason; use: EpisodeUse}>
}

/** Advantages for one group (the samples of one question). */
export function groupAdvantages(group: readonly Trajectory[], options: AdvantageOptions = {}): GroupAdvantages {
  const scale = options.scaleByStd ?? true
  const eps = options.eps ?? 1e-6
  if (!(eps >= 0)) throw new RangeError(`Expected eps ≥ 0, got ${eps}`)
  const negativeWeight = options.negativeWeight ?? 1
  if (!(negativeWeight >= 0)) throw new RangeError(`Expected negativeWeight ≥ 0, got ${negativeWeight}`)
  const excluded: GroupAdvantages['excluded'] = []
  const baseline: Trajectory[] = []
  const trainable = new Set<Trajectory>()
  for (const t of group) {
    const v = episodeVerdict(t, options)
    if (v.reason) excluded.push({id: t.id, reason: v.reason, use: v.use})
    if (v.use === 'drop') continue
    baseline.push(t)
    if (v.use === 'train') trainable.add(t)
  }
  const rewards = baseline.map((t) => t.reward as number)
  const mean = rewards.length ? rewards.reduce((a, b) => a + b, 0) / rewards.length : 0
  const std = rewards.length ? Math.sqrt(rewards.reduce((a, r) => a + (r - mean) ** 2, 0) / rewards.length) : 0
  // A group of one (or of equal rewards) has no signal: its advantages are 0 whatever the scaling.
  const zeroVariance = rewards.length < 2 || std <= 1e-12
  const dropped = zeroVariance && (options.dropZeroVariance ?? false)
  const advantage = (t: Trajectory): number => {
    if (zeroVariance) return 0
    const a = scale ? ((t.reward as number) - mean) / (std + eps) : (t.reward as number) - mean
    return a >= 0 ? a : negativeWeight === 0 ? 0 : a * negativeWeight
  }
  const samples = dropped ? [] : baseline.filter((t) => trainable.has(t)).map((t) => ({trajectory: t, advantage: advantage(t)}))
  return {questionId: group[0]?.question_id ?? '', samples, mean, std, baseline: baseline.length, zeroVariance, dropped, excluded}
}
