// The metrics of one RL step (the `metrics` map of a TrainMetric line in metrics.jsonl): what the batch held
// (rewards, answers, staleness, groups), what trained (episodes, tokens, loss, PPO statistics), how long each phase
// took, and the run-level counters. The key order is the order written to metrics.jsonl (a resumed run's lines
// must equal an uninterrupted run's, test/reliability/kill-resume).
import type {Trajectory} from '../core/index.js'
import type {GroupAdvantages} from './advantages.js'
import type {UpdateResult} from './policy-updater-types.js'
import {episodeMetrics} from './episode-metrics.js'

export interface StepBatch {
  /** Every episode of the batch (used or not). */
  episodes: readonly Trajectory[]
  /** The batch's groups with their advantages. */
  scored: readonly GroupAdvantages[]
  /** Per used sample: current version − oldest version. */
  staleness: readonly number[]
  droppedStale: number
}

export interface RunCounters {
  groupsFinished: number
  groupsZeroVariance: number
  updatesSkipped: number
}

export interface StepUpdate {
  loss: number
  gradNorm: number
  /** The updater's statistics (spread into the map before `tokens`, which overrides theirs). */
  stats: UpdateResult['stats']
  /** Loss tokens and real (unpadded) tokens over the micro-batches. */
  lossTokens: number
  realTokens: number
  trainSeconds: number
  waitSeconds: number
  publishSeconds: number
  /** Tokens generated since the loop began, and the seconds since. */
  generatedTokens: number
  loopSeconds: number
}

const zeroVarianceGroups = (b: StepBatch): number => b.scored.filter((g) => g.zeroVariance).length

const batchEpisodeMetrics = (b: StepBatch): Record<string, number> =>
  episodeMetrics({episodes: b.episodes, staleness: b.staleness, groups: b.scored.length, zeroVarianceGroups: zeroVarianceGroups(b)})

/** A step without signal (every advantage 0): no update, the policy version stays. */
export function skippedStepMetrics(b: StepBatch, counters: RunCounters, policyVersion: number): Record<string, number> {
  const all = b.episodes
  return {
    reward_mean: all.filter((t) => t.reward !== null).reduce((a, t) => a + (t.reward as number), 0) / Math.max(1, all.filter((t) => t.reward !== null).length),
    episodes: all.length, trained_episodes: 0, zero_variance_groups: zeroVarianceGroups(b), update_skipped: 1,
    groups_finished: counters.groupsFinished, zero_variance_share: counters.groupsZeroVariance / Math.max(1, counters.groupsFinished), policy_version: policyVersion,
    ...batchEpisodeMetrics(b),
  }
}

/** A step that updated the policy to `policyVersion`. */
export function updateStepMetrics(b: StepBatch, u: StepUpdate, counters: RunCounters, policyVersion: number): Record<string, number> {
  const all = b.episodes
  const rewarded = all.filter((t) => t.reward !== null)
  return {
    reward_mean: rewarded.length ? rewarded.reduce((a, t) => a + (t.reward as number), 0) / rewarded.length : 0,
    answer_rate: all.filter((t) => t.answer !== null && t.answer.trim() !== '').length / Math.max(1, all.length),
    staleness_mean: b.staleness.reduce((a, s) => a + s, 0) / Math.max(1, b.staleness.length),
    staleness_max: Math.max(0, ...b.staleness),
    dropped_stale: b.droppedStale,
    episodes: all.length,
    trained_episodes: b.scored.reduce((a, g) => a + g.samples.length, 0),
    excluded_episodes: b.scored.reduce((a, g) => a + g.excluded.length, 0),
    zero_variance_groups: zeroVarianceGroups(b),
    // Over the run so far, including groups dynamic sampling left out of batches.
    groups_finished: counters.groupsFinished,
    zero_variance_share: counters.groupsZeroVariance / Math.max(1, counters.groupsFinished),
    updates_skipped: counters.updatesSkipped,
    loss_tokens: u.lossTokens,
    gen_tokens_per_s: u.generatedTokens / Math.max(1e-9, u.loopSeconds),
    train_tokens_per_s: u.realTokens / Math.max(1e-9, u.trainSeconds),
    loss: u.loss,
    grad_norm: u.gradNorm,
    ...u.stats,
    tokens: u.realTokens,
    ppo_tokens: u.stats.tokens,
    wait_s: u.waitSeconds,
    train_s: u.trainSeconds,
    publish_s: u.publishSeconds,
    policy_version: policyVersion,
    ...batchEpisodeMetrics(b),
  }
}
