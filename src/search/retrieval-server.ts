// The Search-R1 / ASearcher retrieval-server API over any SearchProvider, so agents written for those stacks can
// search an ars index: `POST /retrieve {queries, topk, return_scores}` → `{result: [[{document: {id, contents},
// score}]]}` (bare documents without return_scores), `POST /access {urls}` → `{result: [page | null]}`.
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {isArsError} from '../core/index.js'
import {joinContents, type CorpusDocument} from './corpus-document.js'
import type {SearchProvider} from './provider.js'

/** Providers that can open a corpus document by id (the local BM25 index) also serve `/access`. */
export interface DocumentLookup {
  documentById(id: string): CorpusDocument | undefined
}

export interface RetrievalServerOptions {
  provider: SearchProvider & Partial<DocumentLookup>
  /** Default 127.0.0.1. */
  host?: string
  /** Default 0 (an ephemeral port; read it from the returned `port`). */
  port?: number
  /** Request body cap. Default 8 MiB. */
  maxBodyBytes?: number
  /** Queries (or urls) per request. Default 4096: Search-R1's GRPO scripts send 512 prompts × 5 rollouts = 2,560. */
  maxBatch?: number
  /** Largest topk accepted. Default 1000. */
  maxTopK?: number
  /** Used when a request has no topk (or null, or 0, as Search-R1's server does). Default 3, Search-R1's. */
  defaultTopK?: number
  onLog?: (line: string) => void
}

export interface RunningRetrievalServer {
  url: string
  port: number
  close(): Promise<void>
}

/** Search-R1's GRPO scripts send 512 prompts × 5 rollouts = 2,560 queries in one POST; leave room above that. */
export const DEFAULT_MAX_BATCH = 4096

class HttpProblem extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

export async function startRetrievalServer(options: RetrievalServerOptions): Promise<RunningRetrievalServer> {
  const host = options.host ?? '127.0.0.1'
  const maxBody = options.maxBodyBytes ?? 8 * 1024 * 1024
  const maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH
  const maxTopK = options.maxTopK ?? 1000
  const defaultTopK = options.defaultTopK ?? 3
  const provider = options.provider

  const retrieve = async (body: Record<string, unknown>): Promise<unknown> => {
    const queries = body.queries ?? (typeof body.query === 'string' ? [body.query] : undefined)
    // Search-R1's client POSTs on every turn (even one with no search calls) and reads `result` from whatever
    // comes back, so an empty batch and a blank query are answers, not errors.
    if (!Array.isArray(queries)) throw new HttpProblem(400, `queries: expected an array of strings, got ${describe(queries)}`)
    if (queries.length > maxBatch) throw new HttpProblem(413, `queries: ${queries.length} queries, at most ${maxBatch} per request (raise it with ars serve retrieval --max-batch)`)
    queries.forEach((q, i) => {
      if (typeof q !== 'string') throw new HttpProblem(400, `queries[${i}]: expected a string, got ${describe(q)}`)
    })
    const asked = body.topk ?? body.topK
    const topk = asked === undefined || asked === null || asked === 0 ? defaultTopK : asked
    if (typeof topk !== 'number' || !Number.isInteger(topk) || topk < 1 || topk > maxTopK) throw new HttpProblem(400, `topk: expected an integer in [1, ${maxTopK}] (0 or none: the server's ${defaultTopK}), got ${describe(topk)}`)
    const withScores = body.return_scores === true
    const result = []
    for (const query of queries as string[]) {
      const hits = query.trim() === '' ? [] : await provider.search(query, {topK: topk})
      result.push(hits.map((hit) => {
        const document: Record<string, string> = {id: hit.id, contents: joinContents(hit.title, hit.text ?? hit.snippet)}
        if (!hit.url.startsWith('doc:')) document.url = hit.url
        return withScores ? {document, score: hit.score} : document
      }))
    }
    return {result}
  }

  const access = async (body: Record<string, unknown>): Promise<unknown> => {
    const urls = body.urls ?? (typeof body.url === 'string' ? [body.url] : undefined)
    if (!Array.isArray(urls)) throw new HttpProblem(400, `urls: expected an array of strings, got ${describe(urls)}`)
    if (urls.length > maxBatch) throw new HttpProblem(413, `urls: ${urls.length} urls, at most ${maxBatch} per request (raise it with ars serve retrieval --max-batch)`)
    if (typeof provider.documentById !== 'function') throw new HttpProblem(501, `${provider.id} cannot open documents; /access needs a local index`)
    return {
      result: urls.map((url, i) => {
        if (typeof url !== 'string') throw new HttpProblem(400, `urls[${i}]: expected a string, got ${describe(url)}`)
        const doc = provider.documentById?.(url.startsWith('doc:') ? url.slice(4) : url)
        if (!doc) return null
        return {url, id: doc.id, title: doc.title, contents: joinContents(doc.title, doc.text), text: doc.text}
      }),
    }
  }

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = new URL(request.url ?? '/', 'http://x').pathname.replace(/\/+$/, '') || '/'
    try {
      if (path === '/health' || path === '/') {
        if (request.method !== 'GET') throw new HttpProblem(405, `${request.method} ${path}: use GET`)
        return send(response, 200, {ok: true, provider: provider.id})
      }
      if (path !== '/retrieve' && path !== '/access') throw new HttpProblem(404, `no endpoint ${path}; this server has POST /retrieve, POST /access, GET /health`)
      if (request.method !== 'POST') throw new HttpProblem(405, `${request.method} ${path}: use POST with a JSON body`)
      const body = await readJson(request, maxBody)
      send(response, 200, path === '/retrieve' ? await retrieve(body) : await access(body))
    } catch (error) {
      if (error instanceof HttpProblem) return send(response, error.status, {error: error.message})
      const message = isArsError(error) ? error.message : (error as Error).message
      options.onLog?.(`error: ${path}: ${message}`)
      send(response, 500, {error: message})
    }
  }

  const server: Server = createServer((request, response) => {
    void handle(request, response)
  })
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  return {
    url,
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}

async function readJson(request: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > maxBytes) throw new HttpProblem(413, `request body over ${maxBytes} bytes`)
    chunks.push(chunk as Buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new HttpProblem(400, `expected a JSON body, got ${JSON.stringify(text.slice(0, 60))}`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new HttpProblem(400, `expected a JSON object, got ${describe(value)}`)
  return value as Record<string, unknown>
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  response.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)})
  response.end(text)
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'string' ? `string ${JSON.stringify(value.slice(0, 40))}` : typeof value
}
