import {test} from 'node:test'
import assert from 'node:assert/strict'
import {ClosedBookSolver} from '../../src/answer/index.js'
import {filterRecords, type FilterRecord, type Rejected} from '../../src/filter/pipeline.js'
import {parsePassRange} from '../../src/filter/pass-range.js'
import {FilterStats} from '../../src/filter/stats.js'
import {parseRecord, QuestionType} from '../../src/core/records/index.js'
import type {Solver} from '../../src/answer/index.js'
import {FunctionModel} from './scripted-model.js'

function q(id: string, question: string, answers: string[], extra: Record<string, unknown> = {}): FilterRecord {
  return parseRecord(QuestionType, {id, question, answers, ...extra})
}

async function* from<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item
}

async function collect(gen: AsyncIterable<FilterRecord>): Promise<string[]> {
  const out: string[] = []
  for await (const r of gen) out.push(r.id)
  return out
}

test('--no-tool-fail drops questions the model answers closed-book, keeps order under concurrency', async () => {
  // The model "knows" Osk; it answers slowly for q1 so completion order differs from input order.
  const model = new FunctionModel('fn:knows-osk', async (prompt) => {
    if (prompt.includes('river')) return '<answer>Osk</answer>'
    await new Promise((r) => setTimeout(r, prompt.includes('first') ? 30 : 1))
    return '<answer>I do not know</answer>'
  })
  const solver = new ClosedBookSolver(model)
  const rejected: Rejected[] = []
  const stats = new FilterStats()
  const kept = await collect(filterRecords(from([
    q('first', 'Who was first to cross?', ['Mira Tal']),
    q('river', 'Which river flows through Veltria?', ['Osk']),
    q('third', 'Who founded the Guild?', ['Ana']),
  ]), {difficulty: {noTools: {solver, samples: 3}}, concurrency: 3, stats, onReject: (r) => void rejected.push(r)}))
  assert.deepEqual(kept, ['first', 'third'])
  assert.equal(rejected.length, 1)
  assert.equal(rejected[0]!.reasons[0]!.code, 'solved-without-tools')
  assert.match(rejected[0]!.reasons[0]!.detail, /3\/3 samples/)
  assert.equal(model.calls.length, 9)
  // Each of the K samples gets its own seed.
  assert.equal(new Set(model.calls.filter((c) => JSON.stringify(c.input).includes('first')).map((c) => c.options.seed)).size, 3)
  assert.deepEqual(stats.toJSON(), {seen: 3, kept: 2, rejected: 1, by_reason: {'solved-without-tools': 1}})
})

test('--difficulty keeps 0<p<1 and names never/always-solved', async () => {
  // A solver that is right on sample < k for question "k<n>".
  const solver: Solver = {id: 'counting', solve: async (r) => (r.sample < Number(r.id.slice(1)) ? r.answers[0]! : 'wrong')}
  const rejected: Rejected[] = []
  const kept = await collect(filterRecords(from([q('k0', 'a?', ['x']), q('k2', 'b?', ['y']), q('k4', 'c?', ['z']), q('k3', 'd?', [])]), {
    difficulty: {withTools: {solver, samples: 4, range: parsePassRange('0<p<1')}},
    onReject: (r) => void rejected.push(r),
  }))
  assert.deepEqual(kept, ['k2'])
  assert.deepEqual(rejected.map((r) => [r.record.id, r.reasons[0]!.code]), [['k0', 'never-solved'], ['k4', 'always-solved'], ['k3', 'no-answers']])
})

test('cheap reasons are all collected and a rejected record never enters the dedupe index', async () => {
  const {NearDuplicateIndex} = await import('../../src/filter/dedupe.js')
  const {parsePredicate} = await import('../../src/filter/predicate.js')
  const dedupe = new NearDuplicateIndex()
  const rejected: Rejected[] = []
  const kept = await collect(filterRecords(from([
    q('a', 'Who founded the Harrow Guild?', ['x'], {hops: 1, source: 'nq'}),
    q('b', 'Who founded the Harrow Guild?', ['x'], {hops: 2, source: 'world'}),
    q('c', 'Who wrote the Glass Orchard?', ['y']),
  ]), {where: [parsePredicate('source=world')], minHops: 2, dedupe, onReject: (r) => void rejected.push(r)}))
  assert.deepEqual(kept, ['b'])
  assert.deepEqual(rejected.find((r) => r.record.id === 'a')!.reasons.map((r) => r.code), ['where', 'min-hops'])
  assert.deepEqual(rejected.find((r) => r.record.id === 'c')!.reasons.map((r) => r.code), ['where', 'hops-unknown'])
})
