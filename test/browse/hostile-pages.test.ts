// Hostile HTML against the real reader on a real loopback server: the page budget (time and heap) covers download,
// parsing and extraction, so each page gives a result or a clear ReadError within the budget — in `HttpPageReader`
// and in the agent's access tool — and never stalls the process.
import {after, before, describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {HttpPageReader} from '../../src/browse/http-page-reader.js'
import {ExtractPool} from '../../src/browse/extract-pool.js'
import {isReadError} from '../../src/browse/read-error.js'
import {AgentTools} from '../../src/agent/tools.js'
import {runEpisode} from '../../src/agent/loop.js'
import {ScriptedModel} from '../../src/llm/scripted.js'
import type {Question} from '../../src/core/records/index.js'
import {MemorySearch} from '../helpers/memory-search.js'
import {startServer, type TestServer} from '../helpers/http-server.js'

const BUDGET_MS = 2500
// Terminating a busy worker and the scheduler on a loaded 2-core machine: what may pass beyond the budget.
const SLACK_MS = 2000
let server: TestServer

const nested = (n: number): string => `<html><head><title>Deep</title></head><body>${'<div>'.repeat(n)}deep text${'</div>'.repeat(n)}</body></html>`

before(async () => {
  server = await startServer({
    '/nested-5k': (_q, res) => res.writeHead(200, {'content-type': 'text/html'}).end(nested(5000)),
    '/nested-100k': (_q, res) => res.writeHead(200, {'content-type': 'text/html'}).end(nested(100_000)),
    '/flood': (_q, res) => {
      // An endless stream of tiny <p> tags, written as fast as the reader takes them.
      res.writeHead(200, {'content-type': 'text/html'})
      res.write('<html><body>')
      const block = '<p>a'.repeat(10_000)
      const pump = (): void => {
        while (res.write(block));
      }
      res.on('drain', pump)
      res.on('close', () => res.removeAllListeners('drain'))
      pump()
    },
    '/fine': (_q, res) => res.writeHead(200, {'content-type': 'text/html'}).end('<html><head><title>Fine</title></head><body><p>A calm page about mills.</p></body></html>'),
  })
})
after(() => server.close())

async function timedRead(reader: HttpPageReader, path: string): Promise<{ms: number; outcome: string}> {
  const start = Date.now()
  try {
    const page = await reader.read(`${server.url}${path}`)
    return {ms: Date.now() - start, outcome: `ok ${page.text.length} chars${page.truncated ? ', truncated' : ''}`}
  } catch (error) {
    assert.ok(isReadError(error), `a ReadError, not ${String(error)}`)
    assert.ok(error.message.length < 300 && !/\n\s+at /.test(error.message), 'a short message, no stack')
    return {ms: Date.now() - start, outcome: `${error.code}: ${error.message}`}
  }
}

describe('hostile pages stay within the page budget', () => {
  for (const path of ['/nested-5k', '/nested-100k', '/flood']) {
    it(`${path}: a result or a clear error within ${BUDGET_MS} ms`, async () => {
      const reader = new HttpPageReader({allowPrivate: true, timeoutMs: BUDGET_MS, memoryCacheSize: 0})
      const {ms, outcome} = await timedRead(reader, path)
      assert.ok(ms < BUDGET_MS + SLACK_MS, `${path} took ${ms} ms (${outcome})`)
      assert.match(outcome, /^ok [1-9]|^over-budget: .*(page budget|too complex|nested too deeply)/)
      // The reader (and its shared worker pool) still works after a hostile page.
      assert.equal((await reader.read(`${server.url}/fine`)).title, 'Fine')
    })
  }

  it('5 000 nested divs are read (Readability is skipped for a tree that deep)', async () => {
    const page = await new HttpPageReader({allowPrivate: true, timeoutMs: 10_000}).read(`${server.url}/nested-5k`)
    assert.equal(page.text, 'deep text')
  })

  it('a page that needs more heap than the limit is an over-budget error, not a dead process', async () => {
    const pool = new ExtractPool({size: 1, maxHeapMb: 8})
    try {
      const reader = new HttpPageReader({allowPrivate: true, timeoutMs: 20_000, extractPool: pool, memoryCacheSize: 0, maxElements: 1_000_000})
      const {outcome} = await timedRead(reader, '/flood')
      assert.match(outcome, /^over-budget: .*more than 8 MiB/)
    } finally {
      await pool.close()
    }
  })

  it('in the agent access tool a hostile page is a tool error and the episode goes on', async () => {
    const question: Question = {type: 'question', version: 1, id: 'h1', question: 'What is on the page?', answers: ['mills'], source: 'test', meta: {}}
    const model = new ScriptedModel([{turns: [`<access>${server.url}/nested-100k</access>`, `<access>${server.url}/fine</access>`, '<answer>mills</answer>']}])
    const tools = new AgentTools({search: new MemorySearch([]), reader: new HttpPageReader({allowPrivate: true, timeoutMs: BUDGET_MS})})
    const start = Date.now()
    const trajectory = await runEpisode(question, {model, tools, reward: {metric: 'em'}})
    assert.ok(Date.now() - start < 2 * (BUDGET_MS + SLACK_MS))
    assert.equal(trajectory.finish_reason, 'answer')
    assert.equal(trajectory.tool_calls[0]!.ok, false)
    assert.match(trajectory.tool_calls[0]!.result, /^Error: access .*(page budget|nested too deeply)/)
    assert.equal(trajectory.tool_calls[1]!.ok, true)
  })
})
