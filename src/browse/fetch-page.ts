// HTTP(S) fetch for the page reader: manual redirects (each hop re-checked by the address guard), a wall-clock
// timeout covering headers and body, a byte cap applied while streaming (the rest is never read), transparent
// gzip/deflate/br, and a content-type check made from the headers before the body is read.
import http from 'node:http'
import https from 'node:https'
import {createBrotliDecompress, createGunzip, createInflate} from 'node:zlib'
import type {Readable} from 'node:stream'
import {BlockedAddressError, guardedLookup, isLinkLocalAddress, isPrivateAddress, literalAddress, type LookupFunction, type ResolveFunction} from './address-guard.js'
import {ReadError} from './read-error.js'
import {declaresUtf16} from './charset.js'

export interface FetchPageOptions {
  /** Wall-clock limit for the whole read of one URL, redirects and body included. Default 15000 ms. */
  timeoutMs?: number
  /** Bytes of (decompressed) body kept; the response is cut there and marked truncated. Default 5 MiB. */
  maxBytes?: number
  /** Redirect hops followed before giving up. Default 5. */
  maxRedirects?: number
  /**
   * Allow loopback and private addresses for the host the URL names, and for redirects that stay on that host
   * (tests, a local web server). A redirect to any other host is guarded as if this were false, so a loopback
   * page cannot send the reader to 10.0.0.1. Link-local and metadata addresses stay refused (see `linkLocal`).
   * Default false.
   */
  allowPrivate?: boolean
  /**
   * Link-local/metadata addresses (169.254.0.0/16, fe80::/10, …): 'never' (default), or 'when-named' — opened
   * only when `allowPrivate` is set and the URL's own host is such an address written as a literal (a user typing
   * `ars read --allow-private http://169.254.169.254/`). Never reached through a redirect or a host name.
   */
  linkLocal?: 'never' | 'when-named'
  userAgent?: string
  signal?: AbortSignal
  /** Test seams: the DNS resolver (default dns.lookup) and the address policy (default isPrivateAddress). */
  resolve?: ResolveFunction
  isBlocked?: (address: string) => boolean
}

export interface FetchedPage {
  url: string
  finalUrl: string
  status: number
  /** Lower-case MIME type without parameters, '' when the server sent none. */
  mimeType: string
  /** The charset parameter of Content-Type, if any. */
  charset: string | undefined
  body: Buffer
  /** True when the body was cut at `maxBytes`. */
  truncated: boolean
  redirects: string[]
}

export const FETCH_DEFAULTS = {
  timeoutMs: 15_000,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
  userAgent: 'ars-reader/0.1 (+https://github.com/ars; research search agent)',
} as const

const READABLE_TYPES = new Set(['text/html', 'application/xhtml+xml', 'text/plain'])
const REDIRECTS = new Set([301, 302, 303, 307, 308])

export async function fetchPage(url: string, options: FetchPageOptions = {}): Promise<FetchedPage> {
  const timeoutMs = options.timeoutMs ?? FETCH_DEFAULTS.timeoutMs
  const maxBytes = options.maxBytes ?? FETCH_DEFAULTS.maxBytes
  const maxRedirects = options.maxRedirects ?? FETCH_DEFAULTS.maxRedirects
  const timeout = AbortSignal.timeout(timeoutMs)
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout
  const isBlocked = options.isBlocked ?? isPrivateAddress
  const redirects: string[] = []
  const origin = parseHttpUrl(url)
  let current = origin
  const policy = addressPolicy(origin, options, isBlocked)

  for (;;) {
    const hop = policy(current)
    const literal = literalAddress(current.hostname)
    if (literal !== undefined && hop.blocked(literal)) throw blockedError(url, current.hostname, literal, hop.fix)
    const lookup = guardedLookup(options.resolve, hop.blocked)
    let response: http.IncomingMessage
    try {
      response = await request(current, {signal, lookup, userAgent: options.userAgent ?? FETCH_DEFAULTS.userAgent})
    } catch (error) {
      throw mapNetworkError(error, url, current, signal, timeout, timeoutMs, hop.fix)
    }
    const status = response.statusCode ?? 0
    if (REDIRECTS.has(status) && response.headers.location) {
      response.destroy()
      if (redirects.length >= maxRedirects) {
        throw new ReadError('too-many-redirects', url, `more than ${maxRedirects} redirects (last hop ${current.href} → ${response.headers.location})`, {fix: 'The page redirects in a loop or too deep; open the final URL directly.'})
      }
      let next: URL
      try {
        next = new URL(response.headers.location, current)
      } catch {
        throw new ReadError('bad-url', url, `redirect to an invalid URL ${JSON.stringify(response.headers.location)}`)
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new ReadError('unsupported-scheme', url, `redirect to unsupported scheme ${next.protocol}`)
      }
      redirects.push(next.href)
      current = next
      continue
    }
    if (status < 200 || status >= 300) {
      response.destroy()
      throw new ReadError('http-status', url, `HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`, {fix: status === 404 || status === 410 ? 'The page does not exist; try another search result.' : 'Try again later or another source.'})
    }
    const {mimeType, charset} = parseContentType(response.headers['content-type'])
    if (mimeType !== '' && !READABLE_TYPES.has(mimeType)) {
      response.destroy()
      throw unsupportedType(url, mimeType)
    }
    let body: Buffer
    let truncated: boolean
    try {
      ;({body, truncated} = await readCapped(decoded(response), maxBytes))
    } catch (error) {
      response.destroy()
      throw mapNetworkError(error, url, current, signal, timeout, timeoutMs)
    }
    response.destroy()
    if (sniffType(body) !== '' || (!declaresUtf16(body, charset) && looksBinary(body))) {
      throw unsupportedType(url, mimeType === '' ? sniffType(body) : `${mimeType} (but the body is binary)`)
    }
    return {url, finalUrl: current.href, status, mimeType, charset, body, truncated, redirects}
  }
}

interface HopPolicy {
  blocked: (address: string) => boolean
  /** The fix a refusal on this hop suggests. */
  fix: string
}

/**
 * Which addresses each hop may reach. Without allowPrivate every hop gets the strict guard. With it, only the host
 * the URL names (and redirects that stay on it) may be private; link-local stays refused unless `linkLocal` is
 * 'when-named' and the URL's host is that link-local literal. Redirects to other hosts get the strict guard.
 */
function addressPolicy(origin: URL, options: FetchPageOptions, strict: (address: string) => boolean): (hop: URL) => HopPolicy {
  const strictFix = 'Pass --allow-private to read from local or private networks (tests, a local web server).'
  if (!options.allowPrivate) return () => ({blocked: strict, fix: strictFix})
  const namedLiteral = literalAddress(origin.hostname)
  const namedLinkLocal = options.linkLocal === 'when-named' && namedLiteral !== undefined && isLinkLocalAddress(namedLiteral)
  const named: HopPolicy = namedLinkLocal
    ? {blocked: () => false, fix: ''}
    : {blocked: isLinkLocalAddress, fix: 'Link-local and cloud-metadata addresses are never opened through a host name or a redirect; name the address itself as the URL host if you mean it.'}
  const elsewhere: HopPolicy = {blocked: strict, fix: `--allow-private covers only the host the URL names (${origin.hostname}); a redirect to another host is refused when it leads to a loopback/private/link-local address. Open that URL directly if you trust it.`}
  return (hop) => (hop.hostname === origin.hostname ? named : elsewhere)
}

function parseHttpUrl(url: string): URL {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ReadError('bad-url', url, 'not a valid absolute URL', {fix: 'Pass a full URL such as https://example.org/page.'})
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    const fix = parsed.protocol === 'doc:' ? 'doc: URLs are opened by the search provider that returned them (the local index), not by the web reader.' : 'Only http: and https: URLs can be read.'
    throw new ReadError('unsupported-scheme', url, `unsupported URL scheme ${parsed.protocol}`, {fix})
  }
  return parsed
}

function request(url: URL, options: {signal: AbortSignal; lookup: LookupFunction | undefined; userAgent: string}): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http
    const req = client.request(url, {
      method: 'GET',
      signal: options.signal,
      ...(options.lookup ? {lookup: options.lookup as never} : {}),
      headers: {
        'user-agent': options.userAgent,
        accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1',
        'accept-encoding': 'gzip, deflate, br',
      },
    })
    req.once('response', resolve)
    req.once('error', reject)
    req.end()
  })
}

function decoded(response: http.IncomingMessage): Readable {
  const encoding = String(response.headers['content-encoding'] ?? '').trim().toLowerCase()
  let stream: Readable = response
  if (encoding === 'gzip' || encoding === 'x-gzip') stream = response.pipe(createGunzip())
  else if (encoding === 'deflate') stream = response.pipe(createInflate())
  else if (encoding === 'br') stream = response.pipe(createBrotliDecompress())
  if (stream !== response) response.once('error', (error) => stream.destroy(error))
  return stream
}

/** Read at most `maxBytes`, then stop reading: the remainder is never downloaded nor allocated. */
async function readCapped(stream: Readable, maxBytes: number): Promise<{body: Buffer; truncated: boolean}> {
  const parts: Buffer[] = []
  let size = 0
  let truncated = false
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const room = maxBytes - size
    if (chunk.length >= room) {
      parts.push(chunk.subarray(0, room))
      size += room
      truncated = chunk.length > room
      if (truncated) break
      continue
    }
    parts.push(chunk)
    size += chunk.length
  }
  // A body of exactly maxBytes may still have more behind it; one more byte would tell, but the cap is the cap.
  stream.destroy()
  return {body: Buffer.concat(parts, size), truncated}
}

export function parseContentType(header: string | undefined): {mimeType: string; charset: string | undefined} {
  if (!header) return {mimeType: '', charset: undefined}
  const [type, ...params] = header.split(';')
  let charset: string | undefined
  for (const param of params) {
    const match = /^\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(param)
    if (match) charset = match[1]!.toLowerCase()
  }
  return {mimeType: type!.trim().toLowerCase(), charset}
}

/** NUL bytes or a known binary signature in the first KiB: not a text page whatever the headers say. */
export function looksBinary(body: Buffer): boolean {
  if (sniffType(body) !== '') return true
  const head = body.subarray(0, 1024)
  let control = 0
  for (const byte of head) {
    if (byte === 0) return true
    if (byte < 9 || (byte > 13 && byte < 32)) control++
  }
  return head.length > 0 && control / head.length > 0.1
}

function sniffType(body: Buffer): string {
  const head = body.subarray(0, 8).toString('latin1')
  if (head.startsWith('%PDF-')) return 'application/pdf'
  if (head.startsWith('\x89PNG')) return 'image/png'
  if (head.startsWith('\xff\xd8\xff')) return 'image/jpeg'
  if (head.startsWith('GIF8')) return 'image/gif'
  if (head.startsWith('PK\x03\x04')) return 'application/zip'
  if (head.startsWith('\x1f\x8b')) return 'application/gzip'
  return ''
}

function unsupportedType(url: string, mimeType: string): ReadError {
  const what = mimeType.startsWith('application/pdf') ? 'a PDF document' : mimeType.startsWith('image/') ? 'an image' : 'not a text page'
  return new ReadError('unsupported-content-type', url, `${what} (${mimeType || 'binary data'}); only HTML, XHTML and plain text can be read`, {fix: 'Open an HTML or text version of this source, or try another search result.'})
}

function blockedError(url: string, host: string, address: string, fix: string): ReadError {
  const kind = isLinkLocalAddress(address) ? 'link-local/metadata' : 'loopback/private'
  return new ReadError('blocked-address', url, `refused: ${host === address ? address : `${host} resolves to ${address}`} is a ${kind} address`, {fix})
}

function mapNetworkError(error: unknown, url: string, current: URL, signal: AbortSignal, timeout: AbortSignal, timeoutMs: number, blockedFix = ''): ReadError {
  if (error instanceof ReadError) return error
  if (error instanceof BlockedAddressError || (error as {code?: string}).code === 'EBLOCKED') {
    const blocked = error as BlockedAddressError
    return blockedError(url, blocked.host ?? current.hostname, blocked.address ?? '?', blockedFix)
  }
  if (timeout.aborted) return new ReadError('timeout', url, `no complete answer within ${timeoutMs} ms`, {fix: 'The server is slow or not answering; try again later or another source.', cause: error})
  if (signal.aborted) return new ReadError('aborted', url, 'read cancelled', {cause: error})
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new ReadError('dns', url, `host ${current.hostname} not found`, {fix: 'Check the URL.', cause: error})
  const detail = code ? `${code}` : (error as Error).message
  return new ReadError('network', url, `connection failed (${detail}) at ${current.href}`, {fix: 'Check the URL or try again later.', cause: error})
}
