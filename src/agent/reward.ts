// Episode rewards: the answer scored with the eval metrics (SQuAD-normalised EM, HotpotQA F1, Search-R1
// cover-EM, character similarity; src/answer/metrics.ts), minus a format penalty when the episode ended without a
// valid answer.
import {getMetric, scoreAnswer} from '../answer/index.js'

export const REWARD_METRICS = ['f1', 'em', 'cover-em', 'char-sim'] as const
export type RewardMetric = (typeof REWARD_METRICS)[number]

export interface RewardOptions {
  metric: RewardMetric
  /** Subtracted when the episode ends without a valid answer (default 0.1). */
  formatPenalty?: number
}

export interface RewardOutcome {
  reward: number | null
  detail: {metric: RewardMetric; metric_version: string; score: number | null; format_ok: boolean; format_penalty: number}
}

/** Null when the question has no gold answers; otherwise the score, minus the penalty when no answer was given. */
export function computeReward(answer: string | null, golds: readonly string[], options: RewardOptions): RewardOutcome {
  const metric = getMetric(options.metric.replace('-', '_'))
  const penalty = options.formatPenalty ?? 0.1
  const formatOk = answer !== null && answer.trim() !== ''
  const applied = formatOk ? 0 : penalty
  const detail = {metric: options.metric, metric_version: metric.version, format_ok: formatOk, format_penalty: applied}
  if (golds.length === 0) return {reward: null, detail: {...detail, score: null}}
  const score = formatOk ? (scoreAnswer(metric, answer, golds) as number) : 0
  return {reward: score - applied, detail: {...detail, score}}
}
