// The one episode scheduler (src/core/episodes.ts) used by rollout, eval, filter and synthesize.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {episodeSeed, runEpisodes, trajectoryId} from '../../src/core/episodes.js'

const questions = Array.from({length: 6}, (_, i) => ({id: `q${i}`}))
const collect = async <T>(gen: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = []
  for await (const x of gen) out.push(x)
  return out
}
const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

test('questions × samples in input order under concurrency, each seeded by (seed, id, sample)', async () => {
  let inFlight = 0
  let most = 0
  const rows = await collect(runEpisodes(questions, async ({question, sample, seed}) => {
    most = Math.max(most, ++inFlight)
    await delay((7 - Number(question.id.slice(1))) * 2)
    inFlight--
    return {id: trajectoryId(question.id, sample), seed}
  }, {samples: 2, concurrency: 3, seed: 5}))
  assert.deepEqual(rows.map((r) => r.id), questions.flatMap((q) => [`${q.id}#0`, `${q.id}#1`]))
  assert.deepEqual(rows.map((r) => r.seed), questions.flatMap((q) => [episodeSeed(5, q.id, 0), episodeSeed(5, q.id, 1)]))
  assert.equal(most, 3)
  assert.notEqual(episodeSeed(5, 'q0', 0), episodeSeed(5, 'q1', 0))
})

test('resume skips, null results are dropped, unordered yields as completed', async () => {
  let skipped = 0
  let dropped = 0
  const rows = await collect(runEpisodes(questions, async ({question}) => (question.id === 'q2' ? null : question.id), {skip: (key) => key === 'q0', onSkip: () => skipped++, onDrop: () => dropped++, ordered: false, concurrency: 2}))
  assert.deepEqual(rows.sort(), ['q1', 'q3', 'q4', 'q5'])
  assert.deepEqual([skipped, dropped], [1, 1])
})

test('an episode that throws: the intake stops, finished results are still yielded, then the error', async () => {
  const seen: string[] = []
  await assert.rejects((async () => {
    for await (const id of runEpisodes(questions, async ({question, signal}) => {
      if (question.id === 'q2') throw new Error('broken episode')
      if (question.id === 'q3') await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
      return question.id
    }, {concurrency: 1})) seen.push(id)
  })(), /broken episode/)
  assert.deepEqual(seen, ['q0', 'q1'])
})

test('stop ends the intake (in-flight finish); abort drops what is in flight; a consumer that stops early aborts', async () => {
  const stop = new AbortController()
  const stopped = await collect(runEpisodes(questions, async ({question}) => {
    if (question.id === 'q1') stop.abort()
    await delay(5)
    return question.id
  }, {concurrency: 1, stopSignal: stop.signal}))
  assert.deepEqual(stopped, ['q0', 'q1'])
  const abort = new AbortController()
  const aborted = await collect(runEpisodes(questions, async ({question, signal}) => {
    if (question.id === 'q1') abort.abort()
    return signal.aborted ? null : question.id
  }, {concurrency: 1, abortSignal: abort.signal}))
  assert.deepEqual(aborted, ['q0'])
  let cancelled = 0
  for await (const id of runEpisodes(questions, async ({question, signal}) => {
    if (question.id !== 'q0') await new Promise<void>((resolve) => signal.addEventListener('abort', () => (cancelled++, resolve())))
    else await delay(20)
    return question.id
  }, {concurrency: 3})) {
    assert.equal(id, 'q0')
    break
  }
  assert.ok(cancelled >= 2, `those in flight were aborted when the consumer left (${cancelled})`)
})
