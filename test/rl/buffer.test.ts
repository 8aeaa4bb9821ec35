// The staleness-bounded group buffer: oldest version of an episode, eviction past η, batches as soon as complete.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {GroupBuffer, oldestVersion} from '../../src/rl/buffer.js'
import {trajectory} from './fixtures.js'

const group = (q: string, index: number, versions: number[]): {questionId: string; index: number; trajectories: ReturnType<typeof trajectory>[]} => ({
  questionId: q, index, trajectories: versions.map((v, s) => trajectory({question: q, sample: s, version: v})),
})

test('oldestVersion is the oldest version that sampled a generated token', () => {
  // tokens 0-1 prompt, 2-4 generated; an interrupt swapped 3 → 5 at token 4
  const t = trajectory({version: 3, spans: [[2, 4, 3], [4, 5, 5]]})
  assert.equal(oldestVersion(t), 3)
  // a span over prompt tokens only does not count; the start version still bounds it
  const u = trajectory({version: 6, tokens: [1, 2, 3, 4, 5], mask: [0, 0, 1, 1, 1], spans: [[0, 2, 1], [2, 5, 6]]})
  assert.equal(oldestVersion(u), 6)
})

test('stale samples are dropped and counted; fresh groups come out in completion order', () => {
  const buffer = new GroupBuffer({maxStaleness: 2})
  buffer.put(group('a', 0, [0, 0]))
  buffer.put(group('b', 1, [1, 3]))
  buffer.put(group('c', 2, [3, 3]))
  assert.equal(buffer.take(3, 3), undefined) // at version 3, a (3 − 0 = 3 > η = 2) is dropped, leaving too few
  assert.equal(buffer.droppedStale, 2)
  const batch = buffer.take(2, 3)
  assert.ok(batch)
  assert.deepEqual(batch.groups.map((g) => g.questionId), ['b', 'c'])
  assert.deepEqual(batch.staleness, [2, 0, 0, 0])
  assert.equal(batch.droppedStale, 2) // reported with the batch that follows the drop
  assert.ok(batch.staleness.every((s) => s <= 2))
  // b lost none; a partially stale group keeps its fresh samples
  buffer.put(group('d', 3, [1, 2]))
  const next = buffer.take(1, 4)
  assert.deepEqual(next?.groups[0]?.trajectories.map((t) => t.policy_version), [2])
  assert.equal(next?.droppedStale, 1)
})

test('waitFor resolves when enough groups complete, and with undefined on close or abort', async () => {
  const buffer = new GroupBuffer({maxStaleness: 4})
  const pending = buffer.waitFor(2, () => 0)
  buffer.put(group('a', 0, [0]))
  await new Promise((r) => setImmediate(r))
  buffer.put(group('b', 1, [0]))
  const batch = await pending
  assert.deepEqual(batch?.groups.map((g) => g.questionId), ['a', 'b'])
  const stop = new AbortController()
  const aborted = buffer.waitFor(1, () => 0, stop.signal)
  stop.abort()
  assert.equal(await aborted, undefined)
  const closed = buffer.waitFor(1, () => 0)
  buffer.close()
  assert.equal(await closed, undefined)
  assert.throws(() => new GroupBuffer({maxStaleness: -1}), /maxStaleness/)
})
