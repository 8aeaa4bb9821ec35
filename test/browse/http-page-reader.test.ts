import {after, before, describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {HttpPageReader} from '../../src/browse/http-page-reader.js'
import {isReadError, type ReadError} from '../../src/browse/read-error.js'
import {generatePage} from '../helpers/boilerplate-pages.js'
import {startServer, type TestServer} from '../helpers/http-server.js'

const article = generatePage(3, 0)
const UTF16_PAGE = '<!DOCTYPE html><html><head><title>Über Zürich</title></head><body><article><h1>Über Zürich</h1><p>Die Stadt am See hat 420 000 Einwohner — und ein Café an jeder Ecke.</p></article></body></html>'
let server: TestServer
let bytesSentForHuge = 0
let cacheDir: string

async function readError(promise: Promise<unknown>): Promise<ReadError> {
  try {
    await promise
  } catch (error) {
    assert.ok(isReadError(error), `expected a ReadError, got ${String(error)}`)
    return error
  }
  assert.fail('expected the read to fail')
}

before(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'ars-reader-'))
  server = await startServer({
    '/article': (_q, res) => res.writeHead(200, {'content-type': 'text/html; charset=utf-8'}).end(article.html),
    '/gzip': (_q, res) => res.writeHead(200, {'content-type': 'text/html', 'content-encoding': 'gzip'}).end(gzipSync(article.html)),
    '/plain': (_q, res) => res.writeHead(200, {'content-type': 'text/plain'}).end('Plain title\n\nPlain body text.'),
    '/latin1': (_q, res) => res.writeHead(200, {'content-type': 'text/html; charset=windows-1252'}).end(Buffer.from('<html><body><p>Caf\xe9 na\xefve \x80 price</p></body></html>', 'latin1')),
    '/bad-utf8': (_q, res) => res.writeHead(200, {'content-type': 'text/html; charset=utf-8'}).end(Buffer.concat([Buffer.from('<html><body><p>before '), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from(' after</p></body></html>')])),
    '/malformed': (_q, res) => res.writeHead(200, {'content-type': 'text/html'}).end('<html><p>Unclosed <div><table><td>cell</span></p> trailing text that still counts <<<'),
    // UTF-16 declared three ways, as real servers do: a BOM, the Content-Type charset, a <meta> (no BOM).
    '/utf16-bom': (_q, res) => res.writeHead(200, {'content-type': 'text/html'}).end(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(UTF16_PAGE, 'utf16le')])),
    '/utf16-header': (_q, res) => res.writeHead(200, {'content-type': 'text/html; charset=UTF-16'}).end(Buffer.from(UTF16_PAGE, 'utf16le')),
    '/utf16-meta-be': (_q, res) => res.writeHead(200, {'content-type': 'text/html'}).end(Buffer.from(UTF16_PAGE.replace('<head>', '<head><meta charset="utf-16">'), 'utf16le').swap16()),
    '/binary': (_q, res) => res.writeHead(200, {'content-type': 'application/octet-stream'}).end(Buffer.alloc(4096, 7)),
    '/pdf': (_q, res) => res.writeHead(200, {'content-type': 'application/pdf'}).end('%PDF-1.7\n...'),
    '/disguised': (_q, res) => res.writeHead(200, {'content-type': 'text/html'}).end(Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(2048)])),
    '/untyped-binary': (_q, res) => res.writeHead(200).end(Buffer.from([0, 1, 2, 3, 0, 0, 0, 9])),
    '/huge': (_q, res) => {
      // 200 MB of HTML written as fast as the client reads; the reader must stop at its cap.
      res.writeHead(200, {'content-type': 'text/html', 'content-length': String(200 * 1024 * 1024)})
      const block = Buffer.from(`<p>${'lorem ipsum dolor sit amet '.repeat(2400)}</p>\n`)
      let sent = 0
      const pump = (): void => {
        while (sent < 200 * 1024 * 1024) {
          sent += block.length
          bytesSentForHuge = sent
          if (!res.write(block)) return void res.once('drain', pump)
        }
        res.end()
      }
      res.on('close', () => res.removeAllListeners('drain'))
      pump()
    },
    '/loop': (_q, res) => res.writeHead(302, {location: '/loop-b'}).end(),
    '/loop-b': (_q, res) => res.writeHead(302, {location: '/loop'}).end(),
    '/hop1': (_q, res) => res.writeHead(301, {location: '/hop2'}).end(),
    '/hop2': (_q, res) => res.writeHead(307, {location: '/article'}).end(),
    '/to-evil': (_q, res) => res.writeHead(302, {location: `http://evil.test:${server.port}/article`}).end(),
    '/silent': () => {}, // accepts, never answers
    '/slow-body': (_q, res) => {
      res.writeHead(200, {'content-type': 'text/html'})
      res.write('<html><body><p>start') // then nothing
    },
    '/missing': (_q, res) => res.writeHead(404, {'content-type': 'text/html'}).end('<p>gone</p>'),
    '/empty': (_q, res) => res.writeHead(200, {'content-type': 'text/html'}).end('<html><body><script>render()</script></body></html>'),
  })
})

after(async () => {
  await server.close()
  await rm(cacheDir, {recursive: true, force: true})
})

const open = (options: ConstructorParameters<typeof HttpPageReader>[0] = {}) => new HttpPageReader({allowPrivate: true, ...options})

describe('HttpPageReader on a real local server', () => {
  it('reads an article page: title, body text, links and ordered chunks', async () => {
    const page = await open({chunkSize: 800}).read(`${server.url}/article`)
    assert.equal(page.title, article.title)
    assert.match(page.text, new RegExp(article.truth.split('\n\n')[1]!.slice(0, 40).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    assert.doesNotMatch(page.text, /cookies|Advertisement/)
    assert.ok(page.links.length > 20 && page.links.every((l) => /^https?:\/\//.test(l.url)))
    assert.ok(page.links.some((l) => l.url.startsWith(`${server.url}/wiki/`)), 'relative links resolved against the page')
    assert.ok(page.chunks.length > 1 && page.chunks.every((c) => c.length <= 800))
    assert.equal(page.chunks.join('\n\n').replace(/\s+/g, ' '), page.text.replace(/\s+/g, ' '))
    assert.equal(page.truncated, false)
  })

  it('decompresses gzip, reads plain text, and decodes declared and invalid charsets without crashing', async () => {
    const reader = open()
    assert.equal((await reader.read(`${server.url}/gzip`)).title, article.title)
    const plain = await reader.read(`${server.url}/plain`)
    assert.deepEqual([plain.title, plain.text], ['Plain title', 'Plain title\n\nPlain body text.'])
    assert.match((await reader.read(`${server.url}/latin1`)).text, /Café naïve € price/)
    const bad = await reader.read(`${server.url}/bad-utf8`)
    assert.match(bad.text, /before .*\uFFFD.* after/)
  })

  it('reads malformed HTML', async () => {
    const page = await open().read(`${server.url}/malformed`)
    assert.match(page.text, /trailing text that still counts/)
  })

  it('follows redirects and reports the final URL', async () => {
    const page = await open().read(`${server.url}/hop1`)
    assert.equal(page.finalUrl, `${server.url}/article`)
    assert.equal(page.url, `${server.url}/hop1`)
  })

  it('stops an endless redirect loop at the redirect limit', async () => {
    const before = server.hits.get('/loop') ?? 0
    const error = await readError(open({maxRedirects: 4}).read(`${server.url}/loop`))
    assert.equal(error.code, 'too-many-redirects')
    assert.match(error.toolText(), /more than 4 redirects/)
    assert.equal((server.hits.get('/loop') ?? 0) - before, 3) // /loop, /loop-b, /loop, /loop-b, /loop → 5 requests
  })

  it('decodes a correctly declared UTF-16 page (BOM, header charset, or <meta> without BOM) instead of refusing it', async () => {
    for (const path of ['/utf16-bom', '/utf16-header', '/utf16-meta-be']) {
      const page = await open().read(`${server.url}${path}`)
      assert.equal(page.title, 'Über Zürich', path)
      assert.match(page.text, /420 000 Einwohner — und ein Café an jeder Ecke/, path)
    }
  })

  it('refuses binary, PDF and disguised binary pages with a tool-error text', async () => {
    const reader = open()
    for (const [path, pattern] of [['/binary', /not a text page \(application\/octet-stream\)/], ['/pdf', /a PDF document/], ['/disguised', /an image|binary/], ['/untyped-binary', /binary/]] as const) {
      const error = await readError(reader.read(`${server.url}${path}`))
      assert.equal(error.code, 'unsupported-content-type', path)
      assert.match(error.toolText(), pattern)
    }
  })

  it('cuts a 200 MB page at the byte cap without downloading it', async () => {
    const page = await open({maxBytes: 1024 * 1024}).read(`${server.url}/huge`)
    assert.equal(page.truncated, true)
    assert.ok(page.text.length <= 1024 * 1024 && page.text.length > 500_000, `text length ${page.text.length}`)
    // The server can run ahead by socket buffers, but nowhere near the 200 MB it offered.
    assert.ok(bytesSentForHuge < 32 * 1024 * 1024, `server wrote ${bytesSentForHuge} bytes`)
  })

  it('times out on a server that never answers, and on a body that stalls', async () => {
    for (const path of ['/silent', '/slow-body']) {
      const error = await readError(open({timeoutMs: 300}).read(`${server.url}${path}`))
      assert.equal(error.code, 'timeout', path)
      assert.match(error.message, /within 300 ms/)
    }
  })

  it('honours an AbortSignal from the caller', async () => {
    const controller = new AbortController()
    const reading = open({timeoutMs: 10_000}).read(`${server.url}/silent`, {signal: controller.signal})
    setTimeout(() => controller.abort(), 50)
    assert.equal((await readError(reading)).code, 'aborted')
  })

  it('refuses loopback addresses unless private addresses are allowed', async () => {
    const strict = new HttpPageReader()
    const error = await readError(strict.read(`${server.url}/article`))
    assert.equal(error.code, 'blocked-address')
    assert.match(error.fix ?? '', /--allow-private/)
    const byName = await readError(strict.read(`http://localhost:${server.port}/article`))
    assert.equal(byName.code, 'blocked-address')
  })

  it('re-checks the address on every redirect hop', async () => {
    // site.test and evil.test both resolve to the loopback server; the policy blocks only evil.test's address.
    const resolve = (host: string, _o: unknown, callback: (e: null, a: {address: string; family: number}[]) => void): void =>
      callback(null, [{address: host === 'evil.test' ? '127.0.0.2' : '127.0.0.1', family: 4}])
    const reader = new HttpPageReader({resolve: resolve as never, isBlocked: (address) => address === '127.0.0.2'})
    assert.equal((await reader.read(`http://site.test:${server.port}/article`)).title, article.title)
    const error = await readError(reader.read(`http://site.test:${server.port}/to-evil`))
    assert.equal(error.code, 'blocked-address')
    assert.match(error.message, /evil\.test resolves to 127\.0\.0\.2/)
  })

  it('reports HTTP errors, empty pages, bad URLs and unsupported schemes', async () => {
    const reader = open()
    assert.equal((await readError(reader.read(`${server.url}/missing`))).code, 'http-status')
    assert.match((await readError(reader.read(`${server.url}/empty`))).message, /no readable text/)
    assert.equal((await readError(reader.read('not a url'))).code, 'bad-url')
    const doc = await readError(reader.read('doc:12'))
    assert.equal(doc.code, 'unsupported-scheme')
    assert.match(doc.fix ?? '', /search provider/)
    assert.equal((await readError(reader.read('ftp://example.org/x'))).code, 'unsupported-scheme')
  })

  it('serves repeated reads from memory, and from disk across readers', async () => {
    const path = '/article'
    const start = server.hits.get(path) ?? 0
    const reader = open({cacheDir})
    const [a, b] = await Promise.all([reader.read(`${server.url}${path}`), reader.read(`${server.url}${path}`)])
    await reader.read(`${server.url}${path}`)
    assert.equal((server.hits.get(path) ?? 0) - start, 1, 'concurrent and repeated reads fetch once')
    assert.deepEqual(a, b)
    const second = open({cacheDir, chunkSize: 500})
    const fromDisk = await second.read(`${server.url}${path}`)
    assert.equal((server.hits.get(path) ?? 0) - start, 1, 'a new reader finds it on disk')
    assert.equal(fromDisk.text, a.text)
    assert.ok(fromDisk.chunks.every((c) => c.length <= 500), 'chunking follows the reader, not the cache')
  })
})
