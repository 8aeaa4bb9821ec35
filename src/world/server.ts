// `ars serve web`: the world's web site on loopback, plus a search endpoint that speaks Serper's JSON
// (POST /search {q, num}) and SearXNG's (GET /search?q=…&format=json), so the real web providers and the
// real page reader run against it. Corpus URLs use the placeholder origin http://world.local; results are
// rewritten onto the address the client used to reach this server.
import {createReadStream, existsSync, statSync} from 'node:fs'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join, normalize, sep} from 'node:path'
import {UsageError} from '../core/index.js'
import type {ProgressCallback} from '../core/index.js'
import {worldPaths} from '../core/index.js'
import {isIndexDir, openOrBuildIndex, type OpenedIndex} from '../search/index.js'
import type {SearchHit} from '../search/index.js'
import {readManifest} from './load.js'
import {escapeHtml} from './site.js'
import {rebase} from './url.js'

export {rebase}

/** Anything that can rank the corpus for a query (the term index now; src/search's BM25 later). */
export interface WorldSearcher {
  search(query: string, options?: {topK?: number}): Promise<SearchHit[]>
}

export interface WebServerOptions {
  world: string
  port?: number
  /** Default 127.0.0.1 (loopback only). */
  host?: string
  /** A BM25 index of the world's corpus.jsonl (`ars index`). Default: <world>/index when it exists, else one is
   *  built into a temporary directory at start (a few seconds for the small world) and removed at close. */
  index?: string
  /** Override the search backend entirely. */
  searcher?: WorldSearcher
  onProgress?: ProgressCallback
  /** Largest `num` honoured (default 100). */
  maxResults?: number
}

export interface RunningWebServer {
  url: string
  port: number
  server: Server
  close(): Promise<void>
}

const TYPES: Record<string, string> = {'.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.txt': 'text/plain; charset=utf-8', '.jsonl': 'application/x-ndjson'}

export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  readManifest(options.world)
  const siteDir = worldPaths(options.world).site
  if (!existsSync(siteDir)) throw new UsageError(`${options.world}: no site/ directory`, {code: 'world-site', fix: 'Rebuild the world with `ars world build`.'})
  let searcher = options.searcher
  let opened: OpenedIndex | undefined
  if (!searcher) {
    if (options.index && !isIndexDir(options.index)) throw new UsageError(`--index ${options.index}: not a BM25 index (no meta.json)`, {code: 'index-missing', fix: `Build one: ars index ${worldPaths(options.world).corpus} --out ${options.index}`})
    opened = await openOrBuildIndex(options.index ?? worldPaths(options.world).index, worldPaths(options.world).corpus, {scratchPrefix: 'ars-serve-web-', ...(options.onProgress ? {onProgress: options.onProgress} : {})})
    searcher = opened.index
  }
  const search = searcher
  const cleanup = async (): Promise<void> => {
    await opened?.close()
  }
  const maxResults = options.maxResults ?? 100
  const host = options.host ?? '127.0.0.1'

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, {error: (error as Error).message})
      else res.destroy()
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://placeholder')
    const origin = `http://${req.headers.host ?? `${host}:${(server.address() as AddressInfo).port}`}`
    if (url.pathname === '/search') return searchRoute(req, res, url, origin)
    if (url.pathname === '/health') return sendJson(res, 200, {ok: true})
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, {error: `method ${req.method} not allowed`})
    let path: string
    try {
      path = decodeURIComponent(url.pathname)
    } catch {
      return notFound(res)
    }
    if (path === '/' || path === '/index.html') path = '/wiki/Main_page.html'
    const file = normalize(join(siteDir, path))
    if (!file.startsWith(siteDir + sep) || !existsSync(file) || !statSync(file).isFile()) return notFound(res)
    const ext = /\.[a-z]+$/.exec(file)?.[0] ?? ''
    res.writeHead(200, {'content-type': TYPES[ext] ?? 'application/octet-stream', 'content-length': statSync(file).size})
    if (req.method === 'HEAD') return void res.end()
    createReadStream(file).pipe(res)
  }

  async function searchRoute(req: IncomingMessage, res: ServerResponse, url: URL, origin: string): Promise<void> {
    if (req.method === 'POST') {
      // Serper: POST {q, num} → {searchParameters, organic: [{title, link, snippet, position}]}
      let body: {q?: unknown; num?: unknown}
      try {
        body = JSON.parse(await readBody(req)) as {q?: unknown; num?: unknown}
      } catch {
        return sendJson(res, 400, {error: 'Expected a JSON body {"q": "...", "num": 10}'})
      }
      if (typeof body.q !== 'string' || body.q.trim() === '') return sendJson(res, 400, {error: `Expected "q" to be a non-empty string, got ${JSON.stringify(body.q)}`})
      const num = clampNum(body.num, 10, maxResults)
      const hits = await search.search(body.q, {topK: num})
      return sendJson(res, 200, {searchParameters: {q: body.q, num, type: 'search', engine: 'ars-world'}, organic: hits.map((h, k) => ({title: h.title, link: rebase(h.url, origin), snippet: h.snippet, position: k + 1}))})
    }
    if (req.method !== 'GET') return sendJson(res, 405, {error: `method ${req.method} not allowed`})
    const q = url.searchParams.get('q') ?? ''
    const num = clampNum(url.searchParams.get('num') ?? url.searchParams.get('count'), 10, maxResults)
    const hits = q.trim() ? await search.search(q, {topK: num}) : []
    if (url.searchParams.get('format') === 'json') {
      // SearXNG: GET ?q=&format=json → {query, number_of_results, results: [{url, title, content, score}]}
      return sendJson(res, 200, {query: q, number_of_results: hits.length, results: hits.map((h) => ({url: rebase(h.url, origin), title: h.title, content: h.snippet, score: h.score, engine: 'ars-world'})), answers: [], suggestions: [], unresponsive_engines: []})
    }
    const items = hits.map((h) => `<li><a href="${escapeHtml(rebase(h.url, origin))}">${escapeHtml(h.title)}</a><p>${escapeHtml(h.snippet)}</p></li>`).join('')
    res.writeHead(200, {'content-type': 'text/html; charset=utf-8'})
    res.end(`<!DOCTYPE html><html><head><title>${escapeHtml(q)} — search</title></head><body><form action="/search"><input name="q" value="${escapeHtml(q)}"></form><ol>${items}</ol></body></html>\n`)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new UsageError(`--port ${options.port}: address already in use`, {code: 'port-in-use', fix: 'Pick another port, or --port 0 for any free one.'}) : error))
    server.listen(options.port ?? 0, host, () => resolve())
  }).catch(async (error: unknown) => {
    await cleanup()
    throw error
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    server,
    close: () => new Promise<void>((resolve) => {
      server.close(() => {
        void cleanup().then(resolve)
      })
      server.closeAllConnections()
    }),
  }
}

function clampNum(value: unknown, fallback: number, max: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : fallback
  return Number.isFinite(n) ? Math.max(1, Math.min(max, Math.floor(n))) : fallback
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value)
  res.writeHead(status, {'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body)})
  res.end(body)
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, {'content-type': 'text/html; charset=utf-8'})
  res.end('<!DOCTYPE html><html><head><title>Not found — Worldpedia</title></head><body><h1>Not found</h1><p>There is no page at this address.</p></body></html>\n')
}

async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limit) throw new Error('request body too large')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}
