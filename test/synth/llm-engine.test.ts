import {test, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {createServer, type Server} from 'node:http'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {AddressInfo} from 'node:net'
import {parseRecord, QuestionType, SynthItemType, type SynthItem} from '../../src/core/records/index.js'
import {buildIndex} from '../../src/search/bm25/build-index.js'
import {Bm25Index} from '../../src/search/bm25/bm25-index.js'
import {SearxngProvider} from '../../src/search/web/searxng.js'
import {ClosedBookSolver, CLOSED_BOOK_SYSTEM} from '../../src/answer/index.js'
import {LlmEngine} from '../../src/synth/llm/llm-engine.js'
import {runSynthesis, type SynthRejected} from '../../src/synth/run.js'
import {SynthStats} from '../../src/synth/stats.js'
import type {SearchProvider} from '../../src/search/provider.js'
import {FunctionModel} from '../filter/scripted-model.js'

const dir = mkdtempSync(join(tmpdir(), 'ars-synth-llm-'))
let index: Bm25Index

const CORPUS = [
  {id: 'd1', title: 'Harrow Guild', url: 'http://wiki.local/Harrow_Guild', text: 'The Harrow Guild is a merchants\' guild headquartered in Osk, established in 1931 by Mira Tal. It trades amber.'},
  {id: 'd2', title: 'Osk', url: 'http://wiki.local/Osk', text: 'Osk is a river port in Veltria. The Osk river freezes in winter.'},
  {id: 'd3', title: 'Mira Tal', url: 'http://wiki.local/Mira_Tal', text: 'Mira Tal (born 1899) was a merchant from Osk.'},
]
const seed = parseRecord(QuestionType, {id: 'q1', question: 'Who founded the Harrow Guild?', answers: ['Mira Tal'], source: 'test', hops: 1})

before(async () => {
  await buildIndex(CORPUS, join(dir, 'index'))
  index = Bm25Index.open(join(dir, 'index'))
})
after(async () => {
  await index.close?.()
})

/** A model that plays the proposer, the judge and the closed-book solver, keyed on each prompt's TASK line. */
function scriptedModel(overrides: Partial<Record<string, (prompt: string) => string>> = {}): FunctionModel {
  return new FunctionModel('fn:synth-script', (prompt) => {
    const task = /^TASK: ([a-z-]+)/.exec(prompt)?.[1] ?? 'closed-book'
    const override = overrides[task]
    if (override) return override(prompt)
    switch (task) {
      case 'plan':
        // Inject while the guild is named, then fuzz (chatter and code fences around the JSON are fine).
        return /Question: [^\n]*Harrow Guild/.test(prompt) ? 'Sure! {"op": "inject", "entity": "Harrow Guild", "query": "Harrow Guild merchants"}' : '```json\n{"op": "fuzz"}\n```'
      case 'inject':
        return JSON.stringify({doc: 1, quote: 'headquartered in Osk, established in 1931', fact: 'The Harrow Guild is a merchants\' guild headquartered in Osk, established in 1931.', question: 'Who founded the merchants\' guild that was established in Osk in 1931?'})
      case 'fuzz':
        return JSON.stringify({original: 'in 1931', replacement: 'in the 1930s', question: 'Who founded the merchants\' guild that was established in Osk in the 1930s?'})
      case 'judge-validity':
        return '{"valid": true, "reason": "one question"}'
      case 'judge-answer-from-facts':
        return '{"answer": "Mira Tal"}'
      case 'judge-alternative':
        return '{"also_correct": false, "reason": "the facts name Mira Tal as founder"}'
      default:
        // Closed-book: knows the seed and the 1931 version, not the fuzzed one.
        return prompt.includes('1930s') ? '<answer>Ola Brin</answer>' : '<answer>Mira Tal</answer>'
    }
  })
}

async function run(engine: LlmEngine, search?: SearchProvider, maxTries = 3): Promise<{items: SynthItem[]; rejected: SynthRejected[]; stats: SynthStats}> {
  void search
  const items: SynthItem[] = []
  const rejected: SynthRejected[] = []
  const stats = new SynthStats()
  async function* seeds() {
    yield seed
  }
  for await (const item of runSynthesis(seeds(), {engine, stats, maxTries, retryDelayMs: 5, onReject: (r) => void rejected.push(r)})) items.push(item)
  return {items, rejected, stats}
}

test('LLM engine: plan → search → grounded inject → fuzz, judged after every edit, stops once the model fails', async () => {
  const model = scriptedModel()
  const engine = new LlmEngine({model, search: index, difficulty: {solver: new ClosedBookSolver(model), samples: 4}})
  const {items, rejected} = await run(engine)
  assert.equal(rejected.length, 0, JSON.stringify(rejected))
  const item = items[0]!
  parseRecord(SynthItemType, item)
  assert.deepEqual(item.history.map((h) => h.op), ['seed', 'inject', 'fuzz'])
  assert.equal(item.question, 'Who founded the merchants\' guild that was established in Osk in the 1930s?')
  assert.equal(item.hops, 2)
  assert.equal(item.facts.length, 1)
  assert.deepEqual(item.facts[0]!.source, {url: 'http://wiki.local/Harrow_Guild', doc_id: 'd1', title: 'Harrow Guild', quote: 'headquartered in Osk, established in 1931'})
  assert.equal(item.history[1]!.checks!.difficulty!.verdict, 'fail', 'the 1931 version is still answered closed-book')
  assert.equal(item.checks.difficulty!.verdict, 'pass')
  assert.equal(item.checks.uniqueness!.verdict, 'pass')
  assert.deepEqual(item.checks.uniqueness!.checked, ['Ola Brin'], 'the wrong closed-book answer was checked as a second answer')
  assert.equal((item.meta.seed_difficulty as {verdict: string}).verdict, 'fail')
})

test('a quote that is not in the document is refused (no ungrounded facts)', async () => {
  const model = scriptedModel({inject: () => JSON.stringify({doc: 1, quote: 'founded in 1850 by pirates', fact: 'made up', question: 'Who founded the pirate guild?'})})
  const engine = new LlmEngine({model, search: index, difficulty: {solver: new ClosedBookSolver(model), samples: 2}, limits: {maxEdits: 2}})
  const {items, rejected} = await run(engine)
  // The fuzz rounds cannot apply either ("in 1931" is not in the seed), so nothing passes.
  assert.equal(items.length, 0)
  assert.equal(rejected[0]!.reasons[0]!.code, 'no-valid-edit')
  assert.match(rejected[0]!.reasons[0]!.detail, /quote-not-in-source/)
})

test('a second valid answer found by the judge fails uniqueness; the item ends too easy', async () => {
  const model = scriptedModel({'judge-alternative': () => '{"also_correct": true, "reason": "Ola Brin co-founded it"}'})
  const engine = new LlmEngine({model, search: index, difficulty: {solver: new ClosedBookSolver(model), samples: 2}, limits: {maxEdits: 2}})
  const {items, rejected} = await run(engine)
  assert.equal(items.length, 0)
  // The inject is kept (no wrong answer to check); every fuzz makes "Ola Brin" a second answer and is refused,
  // so the question stays answerable closed-book.
  assert.equal(rejected[0]!.reasons[0]!.code, 'too-easy')
  const partial = rejected[0]!.partial!
  assert.deepEqual(partial.history.map((h) => h.op), ['seed', 'inject'])
  assert.ok(((partial.meta.failed_attempts as Record<string, number>).uniqueness ?? 0) >= 1)
})

test('unparseable judge output: retried, then the seed is rejected with the reason', async () => {
  let judged = 0
  const model = scriptedModel({'judge-validity': () => (judged++, 'Looks good to me!')})
  const engine = new LlmEngine({model, search: index, difficulty: {solver: new ClosedBookSolver(model), samples: 2}, judgeRetries: 2})
  const {items, rejected} = await run(engine)
  assert.equal(items.length, 0)
  assert.equal(judged, 3, 'one ask and two retries')
  assert.equal(rejected[0]!.reasons[0]!.code, 'judge-unparseable')
  assert.match(rejected[0]!.reasons[0]!.detail, /judge-validity.*no JSON object.*after 3 tries.*Looks good to me!/)
})

test('search provider down: the seed is retried later, and rejected with the reason only after the last try', async () => {
  let requests = 0
  let failFirst = Infinity
  const server: Server = createServer((req, res) => {
    requests++
    if (requests <= failFirst) {
      res.writeHead(503, {'content-type': 'application/json'}).end('{"error":"down"}')
      return
    }
    const results = CORPUS.map((d, i) => ({url: d.url, title: d.title, content: d.text, score: 1 / (i + 1)}))
    res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify({results}))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  try {
    const searx = new SearxngProvider(base, {cacheDir: false, retries: 0, timeoutMs: 2000})
    const model = scriptedModel()
    const engine = new LlmEngine({model, search: searx, difficulty: {solver: new ClosedBookSolver(model), samples: 2}})
    const down = await run(engine, searx, 3)
    assert.equal(down.items.length, 0)
    assert.equal(down.rejected[0]!.reasons[0]!.code, 'tool-unavailable')
    assert.match(down.rejected[0]!.reasons[0]!.detail, /searxng:.*still failing after 3 tries/)
    assert.equal(down.stats.retried, 2)
    // Down for the first request only: the retry succeeds and the item is made.
    requests = 0
    failFirst = 1
    const flaky = await run(new LlmEngine({model: scriptedModel(), search: searx, difficulty: {solver: new ClosedBookSolver(model), samples: 2}}), searx, 3)
    assert.equal(flaky.rejected.length, 0, JSON.stringify(flaky.rejected))
    assert.equal(flaky.items.length, 1)
    assert.equal(flaky.stats.retried, 1)
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
})

test('the closed-book solver sees its own system prompt, not the synthesis prompts', () => {
  assert.match(CLOSED_BOOK_SYSTEM, /<answer>/)
})
