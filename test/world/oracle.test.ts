import {test} from 'node:test'
import assert from 'node:assert/strict'
import {Oracle} from '../../src/world/oracle.js'
import {loadWorld, readQuestions} from '../../src/world/load.js'
import {TruthPageReader} from '../../src/browse/site-truth-reader.js'
import {startWebServer} from '../../src/world/server.js'
import {SerperProvider} from '../../src/search/web/serper.js'
import {SearxngProvider} from '../../src/search/web/searxng.js'
import {HttpPageReader} from '../../src/browse/http-page-reader.js'
import {parseRecord} from '../../src/core/records/common.js'
import {TrajectoryType} from '../../src/core/records/trajectory.js'
import type {Question} from '../../src/core/records/question.js'
import {SMALL_WORLD} from './helpers.js'

const FAST = {ratePerSecond: Infinity, retries: 0, cacheDir: false as const}

test('end to end: the oracle answers ≥ 99% of test questions through serve web, Serper and the page reader', async () => {
  const {world} = await loadWorld(SMALL_WORLD)
  const server = await startWebServer({world: SMALL_WORLD, port: 0})
  try {
    const search = new SerperProvider({baseUrl: server.url, apiKey: 'local', ...FAST})
    const reader = new HttpPageReader({allowPrivate: true})
    const oracle = new Oracle({world, search, reader, now: () => 0})
    let solved = 0
    let total = 0
    const hops = new Set<number>()
    const failures: string[] = []
    for await (const q of readQuestions(SMALL_WORLD, 'test')) {
      const t = parseRecord(TrajectoryType, await oracle.solve(q))
      total++
      if (t.reward === 1) solved++
      else failures.push(`${q.question} → ${t.answer} (${JSON.stringify(t.reward_detail)})`)
      hops.add(q.hops ?? 0)
      assert.equal(t.question_id, q.id)
      assert.equal(t.messages[0]?.role, 'system')
      assert.equal(t.messages[1]?.content, q.question)
      const assistant = t.messages.filter((m) => m.role === 'assistant')
      assert.ok(assistant.some((m) => /<search>.+<\/search>/.test(m.content)))
      assert.ok(assistant.some((m) => new RegExp(`<access>${server.url}/wiki/.+\\.html</access>`).test(m.content)))
      assert.match(assistant.at(-1)!.content, /<think>[\s\S]+<\/think>\n<answer>.+<\/answer>$/)
      for (const m of t.messages.filter((x) => x.role === 'tool')) assert.match(m.content, /^<information>\n[\s\S]*\n<\/information>$/)
      assert.equal(t.tool_calls.length, t.messages.filter((m) => m.role === 'tool').length)
    }
    assert.ok(total >= 100)
    assert.ok(solved / total >= 0.99, `${solved}/${total}; failures:\n${failures.slice(0, 5).join('\n')}`)
    assert.deepEqual([...hops].sort(), [1, 2, 3, 4])
  } finally {
    await server.close()
  }
})

test('the oracle also works over the SearXNG shape and the offline truth reader', async () => {
  const {world} = await loadWorld(SMALL_WORLD)
  const server = await startWebServer({world: SMALL_WORLD, port: 0})
  try {
    const oracle = new Oracle({world, search: new SearxngProvider(server.url, FAST), reader: new TruthPageReader(SMALL_WORLD)})
    let solved = 0
    let total = 0
    for await (const q of readQuestions(SMALL_WORLD, 'dev')) {
      if (total === 60) break
      total++
      if ((await oracle.solve(q)).reward === 1) solved++
    }
    assert.ok(solved >= 59, `${solved}/${total}`)
  } finally {
    await server.close()
  }
})

test('the oracle does not answer what its pages do not show', async () => {
  const {world} = await loadWorld(SMALL_WORLD)
  const server = await startWebServer({world: SMALL_WORLD, port: 0})
  try {
    const reader = new TruthPageReader(SMALL_WORLD)
    // Fault injection: a reader that loses the page bodies. The oracle must fail rather than answer from the KB.
    const blind = {specificationVersion: 'ars-reader-v1' as const, id: 'blind', read: async (url: string) => ({...(await reader.read(url)), text: 'Nothing here.'})}
    const oracle = new Oracle({world, search: new SerperProvider({baseUrl: server.url, apiKey: 'local', ...FAST}), reader: blind})
    let q: Question | undefined
    for await (const x of readQuestions(SMALL_WORLD, 'test')) if (x.hops === 2) { q = x; break }
    const t = await oracle.solve(q!)
    assert.equal(t.answer, null)
    assert.equal(t.reward, 0)
    assert.match(t.messages.at(-1)!.content, /<answer>unknown<\/answer>/)
  } finally {
    await server.close()
  }
})
