// The eval loop (ordered output under concurrency, seeded samples, resume, per-question failures) and the
// report it feeds (Markdown + self-contained HTML with inline SVG).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {EvalResult, Question} from '../../src/core/records/index.js'
import {runEval, resultKey, type Answerer} from '../../src/eval/run.js'
import {writeReport, barChart, histogram, reportData} from '../../src/eval/report.js'
import {episodeSeed} from '../../src/core/index.js'
import {closedBookAnswerer} from '../../src/eval/answerers.js'
import type {GenerateInput, GenerateResult, LanguageModel, SamplingOptions} from '../../src/llm/language-model.js'

const questions: Question[] = Array.from({length: 12}, (_, i) => ({type: 'question', version: 1, id: `q${i}`, question: `What is ${i}?`, answers: [String(i)], source: 'toy', hops: 1 + (i % 3), meta: {}}))
const ctx = {benchmark: 'toy', split: 'test', model: 'm', search: 's', seed: 100, metrics: ['em', 'f1']}

/** Answers correctly on even questions, after a delay that makes later questions finish first. */
const answerer: Answerer = async (q, sample) => {
  const i = Number(q.id.slice(1))
  await new Promise((r) => setTimeout(r, (12 - i) % 5))
  if (i === 7) throw new Error('tool crashed')
  return {answer: i % 2 === 0 ? String(i) : 'no idea', stats: {turns: 1 + (i % 4), tokens: 50 * (i + 1), seed_seen: sample.seed}}
}

async function collect(it: AsyncIterable<EvalResult>): Promise<EvalResult[]> {
  const out: EvalResult[] = []
  for await (const r of it) out.push(r)
  return out
}

test('results come out in (question, sample) order under concurrency, each sample seeded by the one episode seed rule', async () => {
  const rows = await collect(runEval(questions, {answerer, score: ctx, k: 2, concurrency: 5}))
  assert.equal(rows.length, 24)
  // The seed rule of rollout, filter and train (was seed + sample_index here): a function of (seed, id, sample).
  const seed = (id: string, s: number): number => episodeSeed(100, id, s)
  assert.deepEqual(rows.slice(0, 4).map((r) => [r.id, r.sample_index, r.seed]), [['q0', 0, seed('q0', 0)], ['q0', 1, seed('q0', 1)], ['q1', 0, seed('q1', 0)], ['q1', 1, seed('q1', 1)]])
  assert.equal(new Set(rows.map((r) => r.seed)).size, 24, 'every (question, sample) has its own seed')
  assert.equal(rows[0]?.stats.seed_seen, seed('q0', 0))
  assert.equal(rows[1]?.stats.seed_seen, seed('q0', 1))
  assert.deepEqual(rows[0]?.scores, {em: 1, f1: 1})
  assert.deepEqual(rows[2]?.scores, {em: 0, f1: 0})
  // an episode that throws becomes a row with an error and a null prediction, not a crash
  const failed = rows.find((r) => r.id === 'q7')
  assert.equal(failed?.prediction, null)
  assert.equal(failed?.error, 'tool crashed')
  assert.deepEqual(failed?.metrics, {em: 'squad-v1.1/1', f1: 'hotpotqa-v1/1'})
  for (const r of rows) assert.equal(r.benchmark, 'toy')
})

test('resume skips (benchmark, id, sample) keys already done', async () => {
  const done = new Set([resultKey('toy', 'q0', 0), resultKey('toy', 'q0', 1), resultKey('toy', 'q5', 0)])
  const rows = await collect(runEval(questions, {answerer, score: ctx, k: 2, concurrency: 3, done}))
  assert.equal(rows.length, 21)
  assert.ok(!rows.some((r) => r.id === 'q0'))
  assert.deepEqual(rows.filter((r) => r.id === 'q5').map((r) => r.sample_index), [1])
})

test('an abort stops the run with the abort reason', async () => {
  const controller = new AbortController()
  const slow: Answerer = (_q, s) => new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve({answer: 'x', stats: {}}), 10_000)
    s.signal.addEventListener('abort', () => {
      clearTimeout(t)
      reject(s.signal.reason)
    })
  })
  setTimeout(() => controller.abort(new Error('stop now')), 20)
  await assert.rejects(collect(runEval(questions, {answerer: slow, score: ctx, concurrency: 2, signal: controller.signal})), /stop now/)
})

test('closed-book answerer answers through src/answer and counts tokens', async () => {
  const model: LanguageModel = {
    specificationVersion: 'ars-lm-v1', id: 'echo', capabilities: {tokens: false, logprobs: false, chat: true},
    async generate(input: GenerateInput, options: SamplingOptions): Promise<GenerateResult> {
      assert.equal(input.kind, 'chat')
      assert.deepEqual(options.stop, ['</answer>'])
      return {text: '<answer> 3 </answer>', finishReason: 'stop', usage: {promptTokens: 40, completionTokens: 5}}
    },
  }
  const [r] = await collect(runEval(questions.slice(3, 4), {answerer: closedBookAnswerer(model), score: ctx}))
  assert.equal(r?.prediction, '3')
  assert.equal(r?.scores.em, 1)
  assert.equal(r?.stats.tokens, 45)
})

test('report: markdown tables and a self-contained HTML page with five inline SVG plots', async () => {
  const rows = await collect(runEval(questions, {answerer, score: ctx, k: 1, concurrency: 4}))
  const dir = mkdtempSync(join(tmpdir(), 'ars-report-'))
  const paths = writeReport(rows, dir, 'toy report')
  const md = readFileSync(paths.markdown, 'utf8')
  assert.match(md, /^# toy report/)
  assert.match(md, /\| toy \| test \| em \| squad-v1\.1\/1 \| 12 \| 1 \| 50\.0 \| 50\.0 \|/)
  assert.match(md, /## em by hop count/)
  const html = readFileSync(paths.html, 'utf8')
  assert.equal((html.match(/<svg /g) ?? []).length, 5)
  assert.doesNotMatch(html, /<script|<link|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/)
  assert.match(html, /em by benchmark/)
  assert.match(html, /em vs turns/)
  const data = reportData(rows)
  assert.deepEqual(data.byHops.map((b) => b.label), ['1 hop', '2 hops', '3 hops'])
  // q0,q3,q6,q9 have 1 hop; q0 and q6 are right → 50%
  assert.equal(data.byHops[0]?.value, 50)
  // q7's episode failed before reporting stats: 11 questions have a turn count
  assert.deepEqual(data.turns.map((b) => [b.label, b.value]), [['1', 3], ['2', 3], ['3', 3], ['4', 2]])
})

test('charts and histograms', () => {
  const svg = barChart([{label: 'a', value: 10}, {label: 'b<c', value: 5}], {title: 'T & U', yLabel: 'y'})
  assert.match(svg, /T &amp; U/)
  assert.match(svg, /b&lt;c/)
  assert.equal((svg.match(/<rect /g) ?? []).length, 2)
  assert.match(barChart([], {title: 'empty', yLabel: 'y'}), /no data/)
  const h = histogram([1.5, 2.5, 100], 4)
  assert.equal(h.length, 4)
  assert.equal(h.reduce((s, b) => s + b.value, 0), 3)
})
