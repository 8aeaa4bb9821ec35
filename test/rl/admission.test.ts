import {test} from 'node:test'
import assert from 'node:assert/strict'
import {Admission, admissionLag} from '../../src/rl/admission.js'
import {trajectory} from './fixtures.js'

const group = (rewards: number[]) => rewards.map((reward, sample) => trajectory({sample, reward}))
const base = {groupsPerStep: 2, samples: 2, stepsLeft: 10, dropZeroVariance: false, questions: 3}

test('the lag: sync 0, one-step-off 1, async η', () => {
  assert.deepEqual([admissionLag('sync', 4), admissionLag('one-step-off', 4), admissionLag('async', 4)], [0, 1, 4])
})

test('groups start while live groups are fewer than (steps done + lag + 1) batches and the steps left need', () => {
  const a = new Admission({...base, lag: 1})
  for (let i = 0; i < 4; i++) {
    assert.equal(a.canStart(0, 0), true, `group ${i}`)
    a.started()
  }
  assert.equal(a.canStart(0, 0), false, 'two batches ahead with lag 1')
  assert.equal(a.canStart(1, 0), true, 'a step done opens a batch')
  assert.equal(a.canStart(0, 1), true, 'a group evicted as stale is not live')
  a.wasted(1)
  assert.equal(a.canStart(0, 0), true, 'a wasted group is not live')
  const end = new Admission({...base, lag: 4, stepsLeft: 1})
  end.started()
  end.started()
  assert.equal(end.canStart(0, 0), false, 'one step left needs two groups')
})

test('a wait ends at the next wake, and wasting a group wakes', async () => {
  const a = new Admission({...base, lag: 0})
  let woken = 0
  void a.waitForChange().then(() => woken++)
  await Promise.resolve()
  assert.equal(woken, 0)
  a.wasted(1)
  await new Promise((r) => setImmediate(r))
  assert.equal(woken, 1)
})

test('a group enters only complete; dynamic sampling wastes zero-variance groups and counts them', () => {
  const a = new Admission({...base, lag: 0, dropZeroVariance: true})
  assert.equal(a.judge(0, group([1])).kind, 'wasted', 'one of two samples finished')
  assert.equal(a.groupsFinished, 0)
  const entered = a.judge(1, group([1, 0]))
  assert.equal(entered.kind, 'enter')
  assert.equal(entered.kind === 'enter' && entered.trajectories.length, 2)
  assert.equal(a.judge(2, group([1, 1])).kind, 'wasted')
  assert.deepEqual([a.groupsFinished, a.groupsZeroVariance], [2, 1])
  const keep = new Admission({...base, lag: 0})
  assert.equal(keep.judge(0, group([0, 0])).kind, 'enter', 'without --drop-zero-variance equal rewards still enter')
})

test('a long run of equal-reward groups under dynamic sampling is a no-signal error with a fix', () => {
  const a = new Admission({...base, lag: 0, dropZeroVariance: true})
  for (let g = 0; g < 63; g++) assert.equal(a.judge(g, group([1, 1])).kind, 'wasted')
  const v = a.judge(63, group([1, 1]))
  assert.equal(v.kind, 'no-signal')
  assert.match(v.kind === 'no-signal' ? v.error.message : '', /last 64 groups all had equal rewards/)
})

test("a checkpoint's counters leave out groups at or after its cursor, and continue on resume", () => {
  const a = new Admission({...base, lag: 0, counters: {groups_finished: 10, groups_zero_variance: 4}})
  a.judge(5, group([1, 0]))
  a.judge(6, group([1, 1]))
  a.judge(7, group([0, 0]))
  assert.deepEqual([a.groupsFinished, a.groupsZeroVariance], [13, 6])
  assert.deepEqual(a.checkpointCounters(6), {groups_finished: 11, groups_zero_variance: 4})
  assert.deepEqual(a.checkpointCounters(8), {groups_finished: 13, groups_zero_variance: 6})
})
