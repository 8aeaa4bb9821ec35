import {test} from 'node:test'
import assert from 'node:assert/strict'
import {groupAdvantages} from '../../src/rl/advantages.js'
import {skippedStepMetrics, updateStepMetrics} from '../../src/rl/step-metrics.js'
import {trajectory} from './fixtures.js'

const g1 = [trajectory({question: 'a', sample: 0, reward: 1}), trajectory({question: 'a', sample: 1, reward: 0})]
const g2 = [trajectory({question: 'b', sample: 0, reward: 1}), trajectory({question: 'b', sample: 1, reward: 1})]
const batch = {episodes: [...g1, ...g2], scored: [groupAdvantages(g1), groupAdvantages(g2)], staleness: [0, 0, 1, 2], droppedStale: 3}
const counters = {groupsFinished: 8, groupsZeroVariance: 2, updatesSkipped: 1}

test('an update step: the batch, the training, the run counters, in metrics.jsonl order', () => {
  const stats = {tokens: 99, clip_frac: 0.25}
  const m = updateStepMetrics(batch, {
    loss: 0.5, gradNorm: 2, stats: stats as never, lossTokens: 12, realTokens: 20, trainSeconds: 4, waitSeconds: 1, publishSeconds: 0.5,
    generatedTokens: 300, loopSeconds: 10,
  }, counters, 3)
  assert.deepEqual(Object.keys(m), [
    'reward_mean', 'answer_rate', 'staleness_mean', 'staleness_max', 'dropped_stale', 'episodes', 'trained_episodes', 'excluded_episodes',
    'zero_variance_groups', 'groups_finished', 'zero_variance_share', 'updates_skipped', 'loss_tokens', 'gen_tokens_per_s', 'train_tokens_per_s',
    'loss', 'grad_norm', 'tokens', 'clip_frac', 'ppo_tokens', 'wait_s', 'train_s', 'publish_s', 'policy_version',
    'reward_std', 'reward_min', 'reward_max', 'tool_calls_mean', 'turns_mean', 'groups', 'zero_variance_frac', 'staleness_count_0',
    'staleness_count_1', 'staleness_count_2',
  ])
  assert.equal(m.reward_mean, 0.75)
  assert.equal(m.staleness_mean, 0.75)
  assert.equal(m.staleness_max, 2)
  assert.equal(m.dropped_stale, 3)
  assert.equal(m.episodes, 4)
  assert.equal(m.trained_episodes, 4, 'a zero-variance group still trains (advantage 0) unless dropped')
  assert.equal(m.zero_variance_groups, 1)
  assert.equal(m.zero_variance_share, 0.25)
  assert.equal(m.gen_tokens_per_s, 30)
  assert.equal(m.train_tokens_per_s, 5)
  assert.equal(m.tokens, 20, "the real token count overrides the updater's")
  assert.equal(m.ppo_tokens, 99)
  assert.equal(m.staleness_count_0, 2)
  assert.equal(m.policy_version, 3)
})

test('a skipped step (no signal) records the batch and update_skipped, without training figures', () => {
  const m = skippedStepMetrics({...batch, episodes: [...g2, trajectory({question: 'c', reward: null})]}, counters, 2)
  assert.equal(m.update_skipped, 1)
  assert.equal(m.trained_episodes, 0)
  assert.equal(m.reward_mean, 1, 'episodes without a reward are left out of the mean')
  assert.equal(m.episodes, 3)
  assert.equal(m.policy_version, 2)
  assert.equal(m.loss, undefined)
  assert.deepEqual(Object.keys(m).slice(0, 8), ['reward_mean', 'episodes', 'trained_episodes', 'zero_variance_groups', 'update_skipped', 'groups_finished', 'zero_variance_share', 'policy_version'])
})
