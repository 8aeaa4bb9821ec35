import {test} from 'node:test'
import assert from 'node:assert/strict'
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ArsError, UsageError} from '../../src/core/errors.js'
import {Bm25Index} from '../../src/search/bm25/bm25-index.js'
import {buildIndex} from '../../src/search/bm25/build-index.js'
import {RetrievalServerProvider} from '../../src/search/retrieval-client.js'
import {parseRetryAfter} from '../../src/core/retry-after.js'
import {startRetrievalServer} from '../../src/search/retrieval-server.js'
import {registerSearchScheme, resolveSearch} from '../../src/search/registry.js'
import type {SearchProvider} from '../../src/search/provider.js'

const DOCS = [
  {id: 'h1', title: 'Harbour Light', text: 'The harbour light was built by the guild of keepers in 1820.'},
  {id: 'h2', title: 'Keepers Guild', text: 'The guild of keepers maintains every light on the coast.'},
  {id: 'h3', title: 'Coast Road', text: 'The coast road runs past the old harbour.', url: 'https://example.org/coast'},
]

async function index(t: {after: (fn: () => void) => void}): Promise<{dir: string; root: string}> {
  const root = mkdtempSync(join(tmpdir(), 'ars-retrieval-'))
  t.after(() => rmSync(root, {recursive: true, force: true}))
  await buildIndex(DOCS, join(root, 'index'))
  return {dir: join(root, 'index'), root}
}

async function post(url: string, body: unknown): Promise<{status: number; json: any}> {
  const response = await fetch(url, {method: 'POST', headers: {'content-type': 'application/json'}, body: typeof body === 'string' ? body : JSON.stringify(body)})
  return {status: response.status, json: await response.json()}
}

test('ars retrieval server speaks Search-R1: /retrieve with and without scores, /access, errors', async (t) => {
  const local = Bm25Index.open((await index(t)).dir)
  const server = await startRetrievalServer({provider: local})
  t.after(async () => {
    await server.close()
    await local.close()
  })
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)

  const scored = await post(`${server.url}/retrieve`, {queries: ['guild of keepers', 'coast road'], topk: 2, return_scores: true})
  assert.equal(scored.status, 200)
  assert.equal(scored.json.result.length, 2)
  const first = scored.json.result[0][0]
  assert.deepEqual(Object.keys(first).sort(), ['document', 'score'])
  assert.deepEqual(first.document, {id: 'h2', contents: '"Keepers Guild"\nThe guild of keepers maintains every light on the coast.'})
  assert.equal(typeof first.score, 'number')
  assert.equal(scored.json.result[1][0].document.url, 'https://example.org/coast')

  const bare = await post(`${server.url}/retrieve`, {queries: ['harbour'], topk: 1})
  assert.deepEqual(bare.json, {result: [[{id: 'h1', contents: '"Harbour Light"\nThe harbour light was built by the guild of keepers in 1820.'}]]})

  const access = await post(`${server.url}/access`, {urls: ['doc:h3', 'doc:missing']})
  assert.equal(access.json.result[0].title, 'Coast Road')
  assert.equal(access.json.result[0].text, 'The coast road runs past the old harbour.')
  assert.equal(access.json.result[1], null)

  assert.equal((await post(`${server.url}/retrieve`, 'not json')).status, 400)
  const notStrings = await post(`${server.url}/retrieve`, {queries: ['ok', 7], topk: 3})
  assert.equal(notStrings.status, 400)
  assert.match(notStrings.json.error, /queries\[1\]: expected a string, got number/)
  assert.match((await post(`${server.url}/retrieve`, {queries: ['x'], topk: -1})).json.error, /topk: expected an integer in \[1, 1000\]/)
  assert.match((await post(`${server.url}/retrieve`, {queries: ['x'], topk: 2.5})).json.error, /topk: expected an integer/)
  assert.equal((await fetch(`${server.url}/nope`)).status, 404)
})

// Search-R1's generation loop (search_r1/llm_agent/generation.py) POSTs `requests.post(url, json=payload).json()`
// on every turn, with the queries of the rollouts that searched — possibly none, possibly `<search></search>` —
// and indexes `['result']` of whatever comes back. The bodies below are byte for byte what Python's json.dumps
// (requests' `json=`) writes: ", " and ": " separators, non-ASCII as \u escapes, None as null.
test('a Search-R1-shaped client: empty batch, blank queries, no/zero/null topk, a 2,560-query GRPO batch', async (t) => {
  const local = Bm25Index.open((await index(t)).dir)
  const server = await startRetrievalServer({provider: local})
  t.after(async () => {
    await server.close()
    await local.close()
  })
  const requestsPost = async (body: string): Promise<{status: number; json: any}> => {
    const response = await fetch(`${server.url}/retrieve`, {method: 'POST', headers: {'Content-Type': 'application/json', 'User-Agent': 'python-requests/2.31.0', Accept: '*/*'}, body})
    return {status: response.status, json: await response.json()}
  }
  // _passages2string: title = first line of contents, text = the rest.
  const passages = (items: Array<{document: {contents: string}}>): string[] => items.map((item, i) => {
    const [title, ...rest] = item.document.contents.split('\n')
    return `Doc ${i + 1}(Title: ${title}) ${rest.join('\n')}`
  })

  assert.deepEqual(await requestsPost('{"queries": [], "topk": 3, "return_scores": true}'), {status: 200, json: {result: []}})

  const mixed = await requestsPost('{"queries": ["guild of keepers", "", "   ", "\\u00a0\\t", "harbour"], "topk": 3, "return_scores": true}')
  assert.equal(mixed.status, 200)
  assert.equal(mixed.json.result.length, 5)
  assert.deepEqual(mixed.json.result.slice(1, 4), [[], [], []])
  assert.equal(passages(mixed.json.result[0])[0], 'Doc 1(Title: "Keepers Guild") The guild of keepers maintains every light on the coast.')
  assert.equal(mixed.json.result[4][0].document.id, 'h1')

  // No topk, null (Python None) and 0 all mean the server's default (3 here; --topk sets it).
  for (const body of ['{"queries": ["harbour coast light"], "return_scores": true}', '{"queries": ["harbour coast light"], "topk": null, "return_scores": true}', '{"queries": ["harbour coast light"], "topk": 0, "return_scores": true}']) {
    const reply = await requestsPost(body)
    assert.equal(reply.status, 200, body)
    assert.equal(reply.json.result[0].length, 3, body)
  }
  const narrow = await startRetrievalServer({provider: local, defaultTopK: 1, maxBatch: 2})
  t.after(() => narrow.close())
  const one = await post(`${narrow.url}/retrieve`, {queries: ['harbour coast light'], topk: 0})
  assert.equal(one.json.result[0].length, 1)
  const tooMany = await post(`${narrow.url}/retrieve`, {queries: ['a', 'b', 'c']})
  assert.equal(tooMany.status, 413)
  assert.match(tooMany.json.error, /3 queries, at most 2 per request \(raise it with ars serve retrieval --max-batch\)/)

  // Search-R1's train_grpo.sh: train_batch_size=512, n_agent=5 → 2,560 queries in one POST.
  const batch = Array.from({length: 2560}, (_, i) => (i % 7 === 0 ? '' : `keepers guild ${i}`))
  const big = await requestsPost(JSON.stringify({queries: batch, topk: 3, return_scores: true}).replace(/,/g, ', ').replace(/":/g, '": '))
  assert.equal(big.status, 200)
  assert.equal(big.json.result.length, 2560)
  assert.deepEqual(big.json.result[0], [])
  assert.equal(big.json.result[1][0].document.id, 'h2')

  const access = await post(`${server.url}/access`, {urls: []})
  assert.deepEqual(access, {status: 200, json: {result: []}})
})

test('RetrievalServerProvider against the real ars server returns what the local index returns', async (t) => {
  const {dir} = await index(t)
  const local = Bm25Index.open(dir)
  const server = await startRetrievalServer({provider: local})
  t.after(async () => {
    await server.close()
    await local.close()
  })
  const remote = new RetrievalServerProvider(`${server.url}/retrieve`)
  const viaServer = await remote.search('keepers light', {topK: 3})
  const direct = await local.search('keepers light', {topK: 3})
  assert.deepEqual(viaServer.map((h) => [h.id, h.title, h.url, h.text, h.score]), direct.map((h) => [h.id, h.title, h.url, h.text, h.score]))
  const batch = await remote.searchBatch(['harbour', 'coast'], {topK: 1})
  assert.deepEqual(batch.map((hits) => hits[0]?.id), ['h1', 'h3'])
  assert.deepEqual((await remote.access(['doc:h2']))[0]?.title, 'Keepers Guild')
  await assert.rejects(remote.search(''), UsageError)
})

/** A real HTTP server on loopback whose behaviour each test scripts. */
async function hostile(t: {after: (fn: () => Promise<void>) => void}, handler: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<{url: string; calls: () => number}> {
  let n = 0
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => handler(req, res, n++))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  }))
  return {url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => n}
}

const OK_BODY = JSON.stringify({result: [[{document: {id: '9', contents: '"T"\ntext'}, score: 1.5}]]})

test('500 is retried with backoff, then reported with the status', async (t) => {
  const server = await hostile(t, (_req, res) => {
    res.writeHead(500, {'content-type': 'application/json'})
    res.end('{"error": "index exploded"}')
  })
  const delays: number[] = []
  const client = new RetrievalServerProvider(server.url, {retries: 2, backoffMs: 100, random: () => 0.5, sleep: async (ms) => void delays.push(ms)})
  await assert.rejects(client.search('q'), (e: unknown) => e instanceof ArsError && /failed after 3 attempt\(s\): HTTP 500: index exploded/.test(e.message))
  assert.equal(server.calls(), 3)
  assert.deepEqual(delays, [100, 200])
})

test('429 waits as long as retry-after says, then succeeds; an excessive retry-after fails at once', async (t) => {
  const server = await hostile(t, (_req, res, n) => {
    if (n === 0) {
      res.writeHead(429, {'retry-after': '3'})
      return res.end('slow down')
    }
    res.writeHead(200, {'content-type': 'application/json'})
    res.end(OK_BODY)
  })
  const delays: number[] = []
  const client = new RetrievalServerProvider(server.url, {backoffMs: 100, random: () => 0.5, sleep: async (ms) => void delays.push(ms)})
  const hits = await client.search('q')
  assert.deepEqual(hits.map((h) => [h.id, h.title, h.text, h.score]), [['9', 'T', 'text', 1.5]])
  assert.deepEqual(delays, [3000])

  const stubborn = await hostile(t, (_req, res) => {
    res.writeHead(429, {'retry-after': '3600'})
    res.end()
  })
  const impatient = new RetrievalServerProvider(stubborn.url, {sleep: async () => assert.fail('must not wait an hour')})
  await assert.rejects(impatient.search('q'), /asks to wait 3600 s/)
  assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT')), 60_000)
})

test('garbage answers fail at once with what was received', async (t) => {
  for (const body of ['<html>proxy error</html>', '{"results": []}', '{"result": [[{"document": 42}]]}']) {
    const server = await hostile(t, (_req, res) => {
      res.writeHead(200, {'content-type': 'application/json'})
      res.end(body)
    })
    const client = new RetrievalServerProvider(server.url, {sleep: async () => assert.fail('garbage is not retried')})
    await assert.rejects(client.search('q'), (e: unknown) => e instanceof ArsError && /answered garbage/.test(e.message), body)
    assert.equal(server.calls(), 1)
  }
})

test('a server that never answers times out per attempt; a closed port is a connection failure', async (t) => {
  const silent = await hostile(t, () => {})
  const client = new RetrievalServerProvider(silent.url, {timeoutMs: 150, retries: 1, backoffMs: 1})
  await assert.rejects(client.search('q'), /failed after 2 attempt\(s\): no answer within 0\.1 s/)
  assert.equal(silent.calls(), 2)

  // A port that was just free: listen, note it, close.
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as AddressInfo).port
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  const gone = new RetrievalServerProvider(`http://127.0.0.1:${port}`, {retries: 1, backoffMs: 1})
  await assert.rejects(gone.search('q'), /failed after 2 attempt\(s\): connection failed \(ECONNREFUSED\)/)
})

test('resolveSearch: index dir, world dir, URL, registered schemes, and the accepted-forms error', async (t) => {
  const {dir, root} = await index(t)
  const direct = await resolveSearch(dir)
  assert.equal(direct.id, `bm25:${dir}`)
  await direct.close?.()
  const world = await resolveSearch(root)
  assert.equal(world.id, `bm25:${dir}`)
  await world.close?.()
  const explicit = await resolveSearch(`bm25:${dir}`)
  assert.equal((await explicit.search('coast'))[0]?.id, 'h3')
  await explicit.close?.()
  assert.equal((await resolveSearch('http://127.0.0.1:8000/')).id, 'retrieval:http://127.0.0.1:8000')
  assert.equal((await resolveSearch('retrieval:https://example.org/retrieve')).id, 'retrieval:https://example.org')

  const made: string[] = []
  registerSearchScheme('fake', (rest) => {
    made.push(rest)
    return {specificationVersion: 'ars-search-v1', id: `fake:${rest}`, search: async () => []} satisfies SearchProvider
  }, 'fake:NAME', 'a test provider')
  assert.equal((await resolveSearch('fake:abc')).id, 'fake:abc')
  assert.deepEqual(made, ['abc'])

  await assert.rejects(resolveSearch('gopher:thing'), (e: unknown) => e instanceof UsageError && /unknown scheme "gopher:"/.test(e.message) && /fake:NAME +a test provider/.test(e.message) && /DIR +an index made by `ars index`/.test(e.message))
  assert.match((await resolveSearch('serper:', {env: {}})).id, /^serper/)
  await assert.rejects(resolveSearch('searxng:'), /searxng: needs the instance URL/)
  assert.match((await resolveSearch('searxng:http://127.0.0.1:8888')).id, /^searxng/)
  await assert.rejects(resolveSearch(''), /empty/)
  mkdirSync(join(root, 'empty'))
  await assert.rejects(resolveSearch(join(root, 'empty')), /meta\.json: missing/)
})
