// Episode rewards: every --reward metric maps to its eval metric, and the format penalty applies only without an answer.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {computeReward, REWARD_METRICS} from '../../src/agent/reward.js'
import {METRICS} from '../../src/answer/metrics.js'

test('every --reward metric scores with its eval metric; the format penalty only without an answer', () => {
  for (const name of REWARD_METRICS) {
    const metric = METRICS[name.replace('-', '_')]!
    const out = computeReward('1904', ['1906'], {metric: name, formatPenalty: 0.1})
    assert.equal(out.reward, metric.scoreOne('1904', '1906'), name)
    assert.equal(out.detail.metric_version, metric.version)
    assert.equal(computeReward(null, ['1906'], {metric: name, formatPenalty: 0.1}).reward, -0.1)
    assert.equal(computeReward('1906', [], {metric: name}).reward, null)
  }
  // char-sim: partial credit for a near copy where EM and token F1 give 0.
  assert.equal(computeReward('199926', ['179926'], {metric: 'char-sim'}).reward, 1 - 1 / 6)
  assert.equal(computeReward('199926', ['179926'], {metric: 'f1'}).reward, 0)
  assert.equal(computeReward('179926', ['179926'], {metric: 'char-sim'}).reward, 1)
})
