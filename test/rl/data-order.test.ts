import {test} from 'node:test'
import assert from 'node:assert/strict'
import type {Question} from '../../src/core/index.js'
import {DataOrder} from '../../src/rl/data-order.js'

const questions: Question[] = Array.from({length: 5}, (_, i) => ({type: 'question', version: 1, id: `q${i}`, question: `Q${i}?`, answers: [`a${i}`]}) as unknown as Question)

test('each epoch is a permutation of the questions, and epochs differ', () => {
  const data = new DataOrder(questions, 7)
  const epochs = [0, 1, 2].map((e) => Array.from({length: 5}, (_, i) => data.questionAt(e * 5 + i).id))
  for (const e of epochs) assert.deepEqual([...e].sort(), ['q0', 'q1', 'q2', 'q3', 'q4'])
  assert.ok(epochs.some((e) => e.join() !== epochs[0]!.join()), 'three epochs in the same order')
})

test("group g's question depends only on (seed, g): the order read backwards or after a resume is the same", () => {
  const forward = new DataOrder(questions, 3)
  const ids = Array.from({length: 12}, (_, g) => forward.questionAt(g).id)
  const backward = new DataOrder(questions, 3)
  assert.deepEqual(Array.from({length: 12}, (_, g) => backward.questionAt(11 - g).id).reverse(), ids)
  const resumed = new DataOrder(questions, 3, 7)
  assert.deepEqual([resumed.take(), resumed.take()].map((t) => [t.group, t.question.id]), [[7, ids[7]], [8, ids[8]]])
  const other = new DataOrder(questions, 4)
  assert.notDeepEqual(Array.from({length: 12}, (_, g) => other.questionAt(g).id), ids)
})

test('the cursor is the oldest group still open, so a resume generates unconsumed groups again', () => {
  const data = new DataOrder(questions, 1, 3)
  assert.equal(data.cursor(), 3)
  const a = data.take()
  const b = data.take()
  data.take()
  assert.equal(data.cursor(), 3)
  data.close(a.group)
  assert.equal(data.cursor(), 4)
  data.close(b.group)
  assert.equal(data.cursor(), 5)
  data.close(5)
  assert.equal(data.cursor(), 6)
  assert.equal(data.epochOf(6), 1)
  assert.equal(data.epochOf(4), 0)
})
