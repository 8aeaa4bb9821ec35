// GRPO advantages against hand-computed numbers, and the truncated/failed-episode policy (decision 0910).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {episodeVerdict, groupAdvantages} from '../../src/rl/advantages.js'
import {trajectory} from './fixtures.js'

const close = (a: number, b: number, tol = 1e-9): void => assert.ok(Math.abs(a - b) <= tol, `${a} ≉ ${b}`)

test('GRPO: (r − mean) / (std + eps) with the population std', () => {
  // rewards 1, 0, 0, 1 → mean 0.5, std 0.5 → ±1 (eps 0)
  const g = groupAdvantages([1, 0, 0, 1].map((r, i) => trajectory({sample: i, reward: r})), {eps: 0})
  assert.deepEqual(g.samples.map((s) => s.advantage), [1, -1, -1, 1])
  close(g.mean, 0.5)
  close(g.std, 0.5)
  // rewards 1, 0.5, -0.1 → mean 0.4666…, std = sqrt(((0.5333)² + (0.0333)² + (0.5666)²)/3)
  const h = groupAdvantages([1, 0.5, -0.1].map((r, i) => trajectory({sample: i, reward: r})), {eps: 1e-6})
  const mean = 1.4 / 3
  const std = Math.sqrt(((1 - mean) ** 2 + (0.5 - mean) ** 2 + (-0.1 - mean) ** 2) / 3)
  h.samples.forEach((s, i) => close(s.advantage, ([1, 0.5, -0.1][i]! - mean) / (std + 1e-6), 1e-12))
  close(std, 0.4496912521, 1e-9)
})

test('Dr. GRPO: centred only', () => {
  const g = groupAdvantages([1, 0.5, -0.1].map((r, i) => trajectory({sample: i, reward: r})), {scaleByStd: false})
  const mean = 1.4 / 3
  g.samples.forEach((s, i) => close(s.advantage, [1, 0.5, -0.1][i]! - mean, 1e-12))
})

test('--negative-weight scales only the below-average advantages; 0 keeps the better samples alone; below 0 is refused', () => {
  const rewards = [1, 0, 0, 0]
  const full = groupAdvantages(rewards.map((r, i) => trajectory({sample: i, reward: r})))
  const half = groupAdvantages(rewards.map((r, i) => trajectory({sample: i, reward: r})), {negativeWeight: 0.5})
  const none = groupAdvantages(rewards.map((r, i) => trajectory({sample: i, reward: r})), {negativeWeight: 0})
  close(full.samples[0]!.advantage, Math.sqrt(3), 1e-5)
  close(half.samples[0]!.advantage, full.samples[0]!.advantage, 1e-12)
  close(none.samples[0]!.advantage, full.samples[0]!.advantage, 1e-12)
  for (const i of [1, 2, 3]) {
    close(half.samples[i]!.advantage, full.samples[i]!.advantage / 2, 1e-12)
    assert.equal(none.samples[i]!.advantage, 0)
  }
  assert.equal(half.mean, full.mean, 'the baseline does not change')
  assert.throws(() => groupAdvantages(rewards.map((r, i) => trajectory({sample: i, reward: r})), {negativeWeight: -1}), /negativeWeight ≥ 0/)
})

test('zero-variance groups are reported, kept with zero advantages or dropped', () => {
  const group = [0.2, 0.2, 0.2].map((r, i) => trajectory({sample: i, reward: r}))
  const kept = groupAdvantages(group)
  assert.equal(kept.zeroVariance, true)
  assert.equal(kept.dropped, false)
  assert.deepEqual(kept.samples.map((s) => s.advantage), [0, 0, 0])
  const dropped = groupAdvantages(group, {dropZeroVariance: true})
  assert.equal(dropped.dropped, true)
  assert.equal(dropped.samples.length, 0)
})

test('truncated and overflowed episodes count in the baseline but are not trained; errors are dropped', () => {
  const group = [
    trajectory({sample: 0, reward: 1}),
    trajectory({sample: 1, reward: 0, truncations: 2}),
    trajectory({sample: 2, reward: -0.1, finish: 'context_overflow'}),
    trajectory({sample: 3, reward: -0.1, finish: 'error'}),
  ]
  const g = groupAdvantages(group, {eps: 0})
  // baseline: rewards 1, 0, -0.1 → mean 0.3, std sqrt((0.49 + 0.09 + 0.16)/3)
  close(g.mean, 0.3)
  assert.equal(g.baseline, 3)
  assert.deepEqual(g.samples.map((s) => s.trajectory.id), ['q1#0'])
  close(g.samples[0]!.advantage, 0.7 / Math.sqrt(0.74 / 3), 1e-12)
  assert.deepEqual(g.excluded.map((e) => [e.id, e.reason, e.use]), [['q1#1', 'truncated', 'baseline-only'], ['q1#2', 'context_overflow', 'baseline-only'], ['q1#3', 'error', 'drop']])
  // --truncated drop: neither baseline nor loss
  const d = groupAdvantages(group, {truncated: 'drop'})
  assert.equal(d.baseline, 1)
  assert.equal(d.zeroVariance, true)
})

test('episodes without reward, tokens or log-probs', () => {
  assert.deepEqual(episodeVerdict(trajectory({reward: null})), {use: 'drop', reason: 'no_reward'})
  assert.deepEqual(episodeVerdict(trajectory({tokens: [1, 2], mask: [0, 0], logprobs: [0, 0]})), {use: 'baseline-only', reason: 'no_tokens'})
  assert.deepEqual(episodeVerdict(trajectory({logprobs: []})), {use: 'baseline-only', reason: 'no_logprobs'})
  assert.deepEqual(episodeVerdict(trajectory({finish: 'turn_limit', reward: -0.1})), {use: 'train'})
})
