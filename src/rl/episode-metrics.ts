// Per-step episode statistics the RL loop adds to its TrainMetric: reward spread, tool calls and turns per
// episode, the share of zero-variance groups, and a per-sample staleness histogram (`staleness_count_<k>` = how
// many samples of the batch were k versions old) — what the training report plots.
import type {Trajectory} from '../core/index.js'

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0)

/** Population standard deviation (0 for fewer than two values). */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0
  const m = mean(xs)
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length)
}

export interface EpisodeMetricInput {
  /** Every episode of the batch (used or not). */
  episodes: readonly Trajectory[]
  /** Staleness of each sample of the batch (current version − oldest version that generated it). */
  staleness: readonly number[]
  /** Groups in the batch and how many of them had equal rewards. */
  groups: number
  zeroVarianceGroups: number
}

export function episodeMetrics(input: EpisodeMetricInput): Record<string, number> {
  const rewards = input.episodes.map((t) => t.reward).filter((r): r is number => r !== null)
  const out: Record<string, number> = {
    reward_std: std(rewards),
    reward_min: rewards.length ? Math.min(...rewards) : 0,
    reward_max: rewards.length ? Math.max(...rewards) : 0,
    tool_calls_mean: mean(input.episodes.map((t) => t.stats.tool_calls)),
    turns_mean: mean(input.episodes.map((t) => t.stats.turns)),
    groups: input.groups,
    zero_variance_frac: input.groups > 0 ? input.zeroVarianceGroups / input.groups : 0,
  }
  for (const s of input.staleness) out[`staleness_count_${s}`] = (out[`staleness_count_${s}`] ?? 0) + 1
  return out
}
