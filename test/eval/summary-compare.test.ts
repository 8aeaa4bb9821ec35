// Avg@k / Pass@k aggregation and `compare`'s paired bootstrap on seeded, hand-checked cases.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import type {EvalResult} from '../../src/core/records/index.js'
import {Rng} from '../../src/core/rng.js'
import {passAtK, summarize, formatSummaryTable} from '../../src/eval/summary.js'
import {compareResults, pairedBootstrap, formatCompareTable} from '../../src/eval/compare.js'

function row(id: string, sample: number, em: number | null, extra: Partial<EvalResult> = {}): EvalResult {
  return {type: 'eval_result', version: 1, id, benchmark: 'b', split: 'test', sample_index: sample, model: 'm', search: 's', seed: sample, question: 'q', gold: em === null ? [] : ['a'], prediction: 'x', scores: {em}, metrics: {em: 'squad-v1.1/1'}, stats: {turns: 2, tokens: 100}, meta: {}, ...extra}
}

test('unbiased pass@k matches the closed form', () => {
  assert.equal(passAtK(4, 0, 1), 0)
  assert.equal(passAtK(4, 4, 4), 1)
  assert.equal(passAtK(4, 1, 1), 0.25)
  // 1 − C(3,2)/C(5,2) = 1 − 3/10
  assert.ok(Math.abs(passAtK(5, 2, 2) - 0.7) < 1e-12)
  assert.equal(passAtK(5, 4, 2), 1)
  assert.throws(() => passAtK(3, 1, 4), /Expected 1 <= k <= n/)
})

test('Avg@k and Pass@k over k samples; no-gold rows counted, not scored', () => {
  const rows = [row('q1', 0, 1), row('q1', 1, 0), row('q1', 2, 0), row('q1', 3, 0), row('q2', 0, 0), row('q2', 1, 0), row('q2', 2, 0), row('q2', 3, 0), row('q3', 0, null)]
  const [s] = summarize(rows)
  const em = s?.metrics[0]
  assert.equal(em?.k, 4)
  assert.equal(em?.questions, 2)
  assert.equal(em?.avg, 0.125)
  assert.equal(em?.pass, 0.5)
  assert.equal(em?.noGold, 1)
  const [s2] = summarize(rows, {passK: 1})
  assert.equal(s2?.metrics[0]?.pass, 0.125)
  assert.equal(s?.stats.turns, 2)
  const table = formatSummaryTable(summarize(rows))
  assert.match(table, /b\s+em\s+2\s+4\s+12\.5\s+50\.0@4\s+1\s+0/)
})

test('paired bootstrap: seeded, reproducible, and brackets the mean difference', () => {
  const diffs = [1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0]
  const a = pairedBootstrap(diffs, new Rng(7), 2000)
  const b = pairedBootstrap(diffs, new Rng(7), 2000)
  assert.deepEqual(a, b)
  assert.ok(a.low < 0.55 && a.high > 0.55)
  assert.ok(a.low > 0.25 && a.high < 0.8, `${a.low} ${a.high}`)
  const zero = pairedBootstrap([0, 0, 0, 0], new Rng(1), 100)
  assert.deepEqual(zero, {low: 0, high: 0})
})

test('compare matches rows by (benchmark, id, sample_index) and reports unmatched and version mismatch', () => {
  const a: EvalResult[] = []
  const b: EvalResult[] = []
  for (let i = 0; i < 40; i++) {
    a.push(row(`q${i}`, 0, i % 4 === 0 ? 1 : 0))
    b.push(row(`q${i}`, 0, i % 4 === 0 || i % 4 === 1 ? 1 : 0))
  }
  b.push(row('only-in-b', 0, 1))
  const [r] = compareResults(a, b, {seed: 3, resamples: 1000})
  assert.equal(r?.pairs, 40)
  assert.equal(r?.a, 0.25)
  assert.equal(r?.b, 0.5)
  assert.equal(r?.delta, 0.25)
  assert.ok((r?.low ?? 0) > 0 && (r?.high ?? 1) < 0.5, `${r?.low} ${r?.high}`)
  assert.equal(r?.unmatched, 1)
  // q1, q5, … (i % 4 === 1) are right in B only; none is right in A only.
  assert.deepEqual([r?.better, r?.worse], [10, 0])
  assert.equal(r?.versionMismatch, false)
  assert.deepEqual(compareResults(a, b, {seed: 3}), compareResults(a, b, {seed: 3}))
  const table = formatCompareTable([r!])
  assert.match(table, /b\s+em\s+40\s+25\.0\s+50\.0\s+\+25\.0\s+\[\+\d+\.\d, \+\d+\.\d\]\s+10\s+0\s+1\s+\*/)
  assert.match(table.split('\n')[0]!, /95% CI\s+B>A\s+A>B\s+unmatched$/)
  const c = b.map((x) => ({...x, metrics: {em: 'squad-v2/1'}}))
  assert.equal(compareResults(a, c)[0]?.versionMismatch, true)
})
