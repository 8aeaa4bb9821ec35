// The SSRF guard end to end: a real loopback server that redirects, the real fetcher and the real address policy.
// --allow-private names one host; no redirect may widen it, and no IPv6 spelling of a private IPv4 gets through.
import {after, before, describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {fetchPage} from '../../src/browse/fetch-page.js'
import {isLinkLocalAddress, isPrivateAddress} from '../../src/browse/address-guard.js'
import {isReadError, type ReadError} from '../../src/browse/read-error.js'
import {startServer, type TestServer} from '../helpers/http-server.js'
import {hostileTargets} from '../helpers/hostile-inputs.js'

let server: TestServer

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
  server = await startServer({
    '/page': (_q, res) => res.writeHead(200, {'content-type': 'text/html'}).end('<html><body><p>fine</p></body></html>'),
    '/secret': (_q, res) => res.writeHead(200, {'content-type': 'text/html'}).end('<html><body><p>secret</p></body></html>'),
    '/same-host': (_q, res) => res.writeHead(302, {location: '/page'}).end(),
    '/redirect': (request, res) => res.writeHead(302, {location: new URL(request.url!, 'http://x').searchParams.get('to')!}).end(),
  })
})

after(() => server.close())

describe('SSRF: redirects never widen --allow-private', () => {
  it('follows a redirect that stays on the named loopback host', async () => {
    const page = await fetchPage(`${server.url}/same-host`, {allowPrivate: true})
    assert.equal(page.finalUrl, `${server.url}/page`)
  })

  it('refuses every redirect from the named loopback host to a private, loopback or link-local target', async () => {
    // 0x7f.1, 2130706433, 017700000001 and 127.1 are the named host itself once the URL parser normalises them.
    const elsewhere = hostileTargets(server.port).filter((target) => new URL(target).hostname !== '127.0.0.1')
    assert.ok(elsewhere.length >= 27)
    for (const target of elsewhere) {
      const before = server.hits.get('/secret') ?? 0
      const error = await readError(fetchPage(`${server.url}/redirect?to=${encodeURIComponent(target)}`, {allowPrivate: true, linkLocal: 'when-named', timeoutMs: 2000}))
      assert.equal(error.code, 'blocked-address', `${target}: ${error.message}`)
      assert.match(error.fix ?? '', /covers only the host the URL names \(127\.0\.0\.1\)/, target)
      assert.equal(server.hits.get('/secret') ?? 0, before, `${target} was never connected to`)
    }
  })

  it('refuses every such URL outright without --allow-private, before connecting', async () => {
    for (const target of hostileTargets(server.port)) {
      const before = server.hits.get('/secret') ?? 0
      const error = await readError(fetchPage(target, {timeoutMs: 2000}))
      assert.equal(error.code, 'blocked-address', `${target}: ${error.message}`)
      assert.equal(server.hits.get('/secret') ?? 0, before, target)
    }
  })

  it('refuses a named host that resolves to a link-local/metadata address even with --allow-private', async () => {
    const resolve = (_host: string, _o: unknown, callback: (e: null, a: {address: string; family: number}[]) => void): void => callback(null, [{address: '169.254.169.254', family: 4}])
    const error = await readError(fetchPage('http://metadata.test/', {allowPrivate: true, linkLocal: 'when-named', resolve: resolve as never, timeoutMs: 2000}))
    assert.equal(error.code, 'blocked-address')
    assert.match(error.message, /link-local\/metadata/)
  })

  it('opens a link-local literal only when the URL names it, with --allow-private and linkLocal when-named', async () => {
    // Named explicitly: the guard lets it through (the sandbox has no such host, so the read fails some other way).
    const named = await readError(fetchPage('http://169.254.169.254/', {allowPrivate: true, linkLocal: 'when-named', timeoutMs: 300}))
    assert.notEqual(named.code, 'blocked-address', named.message)
    // The agent's reader (linkLocal 'never') refuses it even with allowPrivate: a model cannot be talked into it.
    const agent = await readError(fetchPage('http://169.254.169.254/', {allowPrivate: true, timeoutMs: 300}))
    assert.equal(agent.code, 'blocked-address')
  })
})

describe('address policy for IPv6 forms embedding IPv4', () => {
  it('treats compatible, mapped, translated, NAT64, 6to4 and Teredo forms of private addresses as private', () => {
    for (const address of ['::7f00:1', '::127.0.0.1', '::ffff:0:7f00:1', '::ffff:0:10.0.0.1', '64:ff9b::a00:1', '64:ff9b:1::1', '2002:c0a8:101::1', '2001:0:4136:e378:8000:63bf:80ff:fffe', '100::1', '::a9fe:a9fe']) {
      assert.equal(isPrivateAddress(address), true, address)
    }
    for (const address of ['::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1', '2606:4700::1111']) assert.equal(isPrivateAddress(address), false, address)
  })
  it('knows link-local and metadata addresses in every spelling', () => {
    for (const address of ['169.254.169.254', 'fe80::1', '::ffff:169.254.169.254', '::a9fe:a9fe', '2002:a9fe:a9fe::1', 'fd00:ec2::254', '100.100.100.200']) assert.equal(isLinkLocalAddress(address), true, address)
    for (const address of ['127.0.0.1', '10.0.0.1', '::1']) assert.equal(isLinkLocalAddress(address), false, address)
  })
})
