// The LLM engine end to end against the real `ars serve model` (a scripted model behind the OpenAI-compatible
// server, spawned as its own process) through the `openai:` provider, searching a real BM25 index.
import {test, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseRecord, QuestionType, SynthItemType, type SynthItem} from '../../src/core/records/index.js'
import {buildIndex} from '../../src/search/bm25/build-index.js'
import {Bm25Index} from '../../src/search/bm25/bm25-index.js'
import {resolveModel} from '../../src/llm/registry.js'
import {ClosedBookSolver, CLOSED_BOOK_SYSTEM} from '../../src/answer/index.js'
import {LlmEngine} from '../../src/synth/llm/llm-engine.js'
import {runSynthesis, type SynthRejected} from '../../src/synth/run.js'
import {RUN, ROOT} from '../filter/cli.js'
import {waitForServerUrl} from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'ars-synth-serve-'))
let server: ChildProcess
let baseUrl = ''
let index: Bm25Index

// Scripts are tried in order; the first whose `match` (regex) fits the prompt replies.
const SCRIPTS = [
  {match: '/TASK: plan[\\s\\S]*Question: [^\\n]*Harrow Guild/', turns: ['{"op": "inject", "entity": "Harrow Guild", "query": "Harrow Guild merchants"}']},
  {match: 'TASK: plan', turns: ['{"op": "fuzz"}']},
  {match: 'TASK: inject', turns: [JSON.stringify({doc: 1, quote: 'established in 1931', fact: 'The Harrow Guild was established in 1931 in Osk.', question: 'Who founded the merchants\' guild established in Osk in 1931?'})]},
  {match: 'TASK: fuzz', turns: [JSON.stringify({original: 'in 1931', replacement: 'in the 1930s', question: 'Who founded the merchants\' guild established in Osk in the 1930s?'})]},
  {match: 'TASK: judge-validity', turns: ['{"valid": true, "reason": "one question"}']},
  {match: 'TASK: judge-answer-from-facts', turns: ['{"answer": "Mira Tal"}']},
  {match: 'TASK: judge-alternative', turns: ['{"also_correct": false, "reason": "not the founder"}']},
  {match: '/from your own knowledge[\\s\\S]*1930s/', turns: ['<answer>Ola Brin</answer>']},
  {turns: ['<answer>Mira Tal</answer>']},
]

before(async () => {
  const scriptPath = join(dir, 'synth-script.jsonl')
  writeFileSync(scriptPath, SCRIPTS.map((s) => JSON.stringify(s)).join('\n') + '\n')
  await buildIndex([
    {id: 'd1', title: 'Harrow Guild', url: 'http://wiki.local/Harrow_Guild', text: 'The Harrow Guild is a merchants\' guild of Osk, established in 1931 by Mira Tal.'},
    {id: 'd2', title: 'Osk', url: 'http://wiki.local/Osk', text: 'Osk is a river port in Veltria.'},
  ], join(dir, 'index'))
  index = Bm25Index.open(join(dir, 'index'))
  server = spawn(process.execPath, [RUN, 'serve', 'model', '-m', `scripted:${scriptPath}`, '--port', '0', '--name', 'synth-script', '-q'], {cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe']})
  baseUrl = await waitForServerUrl(server, /serving .* at (http:\/\/\S+\/v1)/)
})

after(async () => {
  server.kill('SIGTERM')
  await index.close?.()
})

test('synthesis through `ars serve model`: inject from search, fuzz, judged, stops when closed-book fails', async () => {
  assert.match(CLOSED_BOOK_SYSTEM, /from your own knowledge/, 'the script keys on the closed-book prompt')
  const model = await resolveModel('openai:synth-script', {baseUrl})
  const engine = new LlmEngine({model, search: index, difficulty: {solver: new ClosedBookSolver(model), samples: 3}})
  const seed = parseRecord(QuestionType, {id: 'q1', question: 'Who founded the Harrow Guild?', answers: ['Mira Tal'], hops: 1})
  const items: SynthItem[] = []
  const rejected: SynthRejected[] = []
  async function* seeds() {
    yield seed
  }
  for await (const item of runSynthesis(seeds(), {engine, onReject: (r) => void rejected.push(r)})) items.push(item)
  assert.deepEqual(rejected, [])
  const item = parseRecord(SynthItemType, items[0])
  assert.deepEqual(item.history.map((h) => h.op), ['seed', 'inject', 'fuzz'])
  assert.equal(item.question, 'Who founded the merchants\' guild established in Osk in the 1930s?')
  assert.equal(item.facts[0]!.source.doc_id, 'd1')
  assert.equal(item.facts[0]!.source.quote, 'established in 1931')
  assert.equal(item.checks.difficulty!.verdict, 'pass')
  assert.equal(item.meta.model, 'openai:synth-script')
})

test('ars synthesize --engine llm from the command line, against ars serve model and a BM25 index folder', async () => {
  const {runCli, jsonLines} = await import('../filter/cli.js')
  const seeds = JSON.stringify({id: 'q1', question: 'Who founded the Harrow Guild?', answers: ['Mira Tal'], hops: 1}) + '\n' + JSON.stringify({id: 'q2', question: 'Which river port is in Veltria?', answers: []}) + '\n'
  const rejects = join(dir, 'cli-rejects.jsonl')
  const r = await runCli(['synthesize', '--engine', 'llm', '--model', 'openai:synth-script', '--base-url', baseUrl, '--search', join(dir, 'index'), '--difficulty-samples', '3', '--rejects', rejects], seeds)
  assert.equal(r.code, 0, r.stderr)
  const items = jsonLines(r.stdout)
  assert.equal(items.length, 1)
  assert.deepEqual(items[0]!.history.map((h: {op: string}) => h.op), ['seed', 'inject', 'fuzz'])
  const {readFileSync} = await import('node:fs')
  const rej = jsonLines(readFileSync(rejects, 'utf8'))
  assert.deepEqual(rej.map((x) => [x.record.id, x.reasons[0].code]), [['q2', 'seed-no-answer']])
  assert.match(r.stderr, /2 seeds, 1 kept, 1 rejected \(seed-no-answer 1\)/)
})
