import {test} from 'node:test'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {startWebServer} from '../../src/world/server.js'
import {UsageError} from '../../src/core/errors.js'
import {BIN, SMALL_WORLD} from './helpers.js'
import {waitForServerUrl} from '../helpers/cli.js'

test('serve web answers Serper and SearXNG shapes and serves pages', async () => {
  const server = await startWebServer({world: SMALL_WORLD, port: 0})
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)
    const kb = readFileSync(join(SMALL_WORLD, 'kb.jsonl'), 'utf8').split('\n', 40).map((l) => JSON.parse(l) as {name: string; title: string; url: string})
    const target = kb[30]!
    // Serper
    let res = await fetch(`${server.url}/search`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({q: target.title, num: 5})})
    assert.equal(res.status, 200)
    const serper = await res.json() as {organic: {title: string; link: string; snippet: string; position: number}[]}
    assert.ok(serper.organic.length > 0 && serper.organic.length <= 5)
    assert.deepEqual(serper.organic.map((o) => o.position), serper.organic.map((_, k) => k + 1))
    const hit = serper.organic.find((o) => o.title === target.title)
    assert.ok(hit, `${target.title} is found`)
    assert.equal(hit.link, target.url.replace('http://world.local', server.url))
    assert.equal(typeof hit.snippet, 'string')
    // SearXNG
    res = await fetch(`${server.url}/search?q=${encodeURIComponent(target.title)}&format=json`)
    const searx = await res.json() as {results: {url: string; title: string; content: string; score: number}[]}
    assert.ok(searx.results.some((r) => r.url === hit.link && r.title === target.title))
    assert.ok(searx.results.every((r, k) => typeof r.score === 'number' && typeof r.content === 'string' && (k === 0 || r.score <= searx.results[k - 1]!.score)))
    // The linked page is served as HTML with the article in it.
    res = await fetch(hit.link)
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /text\/html/)
    const html = await res.text()
    assert.ok(html.includes(`<h1 id="firstHeading">`) && html.includes(target.name.replace(/&/g, '&amp;').replace(/'/g, '&#39;')))
    // Not found, traversal and bad requests.
    assert.equal((await fetch(`${server.url}/wiki/No_such_page.html`)).status, 404)
    assert.equal((await fetch(`${server.url}/wiki/..%2F..%2Fworld.json`)).status, 404)
    assert.equal((await fetch(`${server.url}/../kb.jsonl`)).status, 404)
    res = await fetch(`${server.url}/search`, {method: 'POST', body: 'not json'})
    assert.equal(res.status, 400)
    assert.match((await res.json() as {error: string}).error, /Expected a JSON body/)
    res = await fetch(`${server.url}/search`, {method: 'POST', body: JSON.stringify({num: 3})})
    assert.equal(res.status, 400)
    assert.equal((await fetch(`${server.url}/`)).status, 200)
  } finally {
    await server.close()
  }
})

test('serve web rejects a directory that is not a world', async () => {
  await assert.rejects(startWebServer({world: join(SMALL_WORLD, 'questions'), port: 0}), (e: unknown) => e instanceof UsageError && /not a world directory/.test(e.message))
})

test('ars serve web prints its URL on stderr and stops cleanly on SIGINT', async () => {
  const child = spawn(process.execPath, [BIN, 'serve', 'web', '--world', SMALL_WORLD, '--port', '0'], {stdio: ['ignore', 'pipe', 'pipe']})
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()))
  const url = await waitForServerUrl(child, /at (http:\/\/127\.0\.0\.1:\d+)/)
  const res = await fetch(`${url}/search?q=Veloria&format=json`)
  assert.equal(res.status, 200)
  const code = await new Promise<number | null>((resolve) => {
    child.once('exit', (c) => resolve(c))
    child.kill('SIGINT')
  })
  assert.equal(code, 0)
  assert.match(stderr, /stopped/)
})
