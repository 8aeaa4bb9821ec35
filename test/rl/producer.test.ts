// The RL producer on the one episode scheduler: admission bounds the groups started, each group's samples come back
// in sample order seeded by the one seed rule (keyed question@group), and a failing episode ends the run at once.
// The episodes here are hand-made records (the agent loop on a real model runs in controller.test.ts).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {episodeSeed, type Question} from '../../src/core/index.js'
import {Admission} from '../../src/rl/admission.js'
import {GroupBuffer} from '../../src/rl/buffer.js'
import {DataOrder} from '../../src/rl/data-order.js'
import {startProducer, type ProducerOptions} from '../../src/rl/producer.js'
import {trajectory} from './fixtures.js'

const questions: Question[] = ['qa', 'qb', 'qc'].map((id) => ({type: 'question', version: 1, id, question: `${id}?`, answers: ['a'], meta: {}}) as Question)
const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms))

function setup(extra: Partial<ProducerOptions> & {lag?: number; dropZeroVariance?: boolean} = {}) {
  const samples = 3
  const admission = new Admission({groupsPerStep: 2, samples, lag: extra.lag ?? 0, stepsLeft: 10, dropZeroVariance: extra.dropZeroVariance ?? false, questions: questions.length})
  const buffer = new GroupBuffer({maxStaleness: 4})
  const data = new DataOrder(questions, 7)
  const intake = new AbortController()
  const abort = new AbortController()
  const seen: Array<{id: string; group: number; sample: number; seed: number}> = []
  let steps = 0
  const o: ProducerOptions = {
    data, admission, buffer, samples, concurrency: 2, seed: 5, stepsDone: () => steps, intake: intake.signal, abort,
    // Later samples finish first, so completion order is not sample order.
    run: async (question, e) => {
      seen.push({id: question.id, group: e.question.group, sample: e.sample, seed: e.seed})
      await tick(1 + 3 * (samples - e.sample))
      return trajectory({question: question.id, sample: e.sample, reward: e.sample === 0 ? 1 : 0})
    },
    ...extra,
  }
  const producer = startProducer(o)
  return {producer, admission, buffer, data, intake, abort, seen, step: () => (steps++, admission.wake())}
}

test('sync admission: one batch of groups until a step, samples in order, seeded by (seed, question@group, sample)', async () => {
  const {producer, buffer, data, intake, abort, seen, step} = setup()
  const first = await buffer.waitFor(2, () => 0)
  assert.ok(first)
  await tick(30)
  assert.equal(new Set(seen.map((s) => s.group)).size, 2, 'no third group starts before a step')
  for (const g of first.groups) {
    assert.deepEqual(g.trajectories.map((t) => t.sample_index), [0, 1, 2])
    assert.deepEqual(g.trajectories.map((t) => t.id), [0, 1, 2].map((s) => `${g.questionId}#${s}`))
    assert.equal(g.questionId, data.questionAt(g.index).id)
  }
  for (const s of seen) assert.equal(s.seed, episodeSeed(5, `${s.id}@${s.group}`, s.sample))
  first.groups.forEach((g) => data.close(g.index))
  step()
  const second = await buffer.waitFor(2, () => 1)
  assert.deepEqual(second?.groups.map((g) => g.index).sort(), [2, 3])
  intake.abort()
  abort.abort()
  buffer.close()
  await producer.done
  assert.equal(producer.fatal, undefined)
})

test('an episode that throws is the run\'s error at once: in-flight episodes abort, the buffer closes', async () => {
  const boom = new Error('engine gone')
  let calls = 0
  const {producer, buffer, abort} = setup({
    lag: 2,
    concurrency: 4,
    run: async (question, e) => {
      if (++calls === 3) throw boom
      await new Promise((r) => e.signal.addEventListener('abort', r, {once: true}))
      return trajectory({question: question.id, sample: e.sample, finish: 'aborted'})
    },
  })
  assert.equal(await buffer.waitFor(2, () => 0), undefined)
  assert.equal(producer.fatal?.error, boom)
  assert.equal(abort.signal.aborted, true)
  await producer.done
})

test('dynamic sampling: equal-reward groups are wasted and free their place; a run of them is the no-signal error', async () => {
  const {producer, buffer} = setup({
    dropZeroVariance: true,
    run: async (question, e) => trajectory({question: question.id, sample: e.sample, reward: 1}),
  })
  assert.equal(await buffer.waitFor(2, () => 0), undefined)
  assert.match(String((producer.fatal?.error as Error)?.message), /last 64 groups all had equal rewards/)
  await producer.done
})
