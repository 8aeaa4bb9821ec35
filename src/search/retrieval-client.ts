// A SearchProvider over any Search-R1 / ASearcher retrieval server (`POST /retrieve {queries, topk,
// return_scores}` → `{result: [[{document: {id, contents}, score}]]}`): per-attempt timeouts, retries with
// exponential backoff that honour retry-after on 429/5xx and lost connections, and errors that say which.
import {ArsError, UsageError} from '../core/index.js'
import {splitContents} from './corpus-document.js'
import type {SearchHit, SearchOptions, SearchProvider} from './provider.js'
import {checkRetryOptions, isRetryableStatus, withRetries, type AttemptOutcome, type RetryOptions} from '../core/index.js'
import {retryAfterFromHeaders} from '../core/index.js'

/** Retries (429, 5xx, timeouts, refused/reset connections) go through src/core/http-retry.ts with its defaults. */
export interface RetrievalClientOptions extends RetryOptions {
  /** Per-attempt timeout. Default 30 s. */
  timeoutMs?: number
  /** Default top-k. Default 10. */
  topK?: number
  fetch?: typeof fetch
}

export interface AccessedDocument {
  url: string
  id: string
  title: string
  text: string
}

const SNIPPET_CHARS = 240

export class RetrievalServerProvider implements SearchProvider {
  readonly specificationVersion = 'ars-search-v1' as const
  readonly id: string
  readonly baseUrl: string
  readonly #options: {timeoutMs: number; topK: number; fetch: typeof fetch}
  readonly #retry: RetryOptions

  constructor(url: string, options: RetrievalClientOptions = {}) {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      throw new UsageError(`Expected a retrieval server URL like http://127.0.0.1:8000, got ${JSON.stringify(url)}`, {code: 'search-spec'})
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`Expected an http(s) URL, got ${JSON.stringify(url)}`, {code: 'search-spec'})
    // Accept both the server root and its /retrieve endpoint.
    this.baseUrl = parsed.href.replace(/\/+$/, '').replace(/\/retrieve$/, '')
    this.id = `retrieval:${this.baseUrl}`
    this.#options = {timeoutMs: options.timeoutMs ?? 30_000, topK: options.topK ?? 10, fetch: options.fetch ?? fetch}
    checkRetryOptions(options, 'RetrievalServerProvider')
    this.#retry = {retries: options.retries, backoffMs: options.backoffMs, maxBackoffMs: options.maxBackoffMs, maxRetryAfterMs: options.maxRetryAfterMs, random: options.random, sleep: options.sleep}
    for (const key of ['timeoutMs', 'topK'] as const) {
      const value = this.#options[key]
      if (!Number.isFinite(value) || value < 0) throw new RangeError(`Expected ${key} >= 0, got ${value}`)
    }
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    if (query.trim().length === 0) throw new UsageError('empty query: expected some words to search for', {code: 'empty-query', fix: 'Write a query with at least one word.'})
    const [hits] = await this.searchBatch([query], options)
    return hits ?? []
  }

  /** One request for many queries, as Search-R1 batches them. */
  async searchBatch(queries: string[], options: SearchOptions = {}): Promise<SearchHit[][]> {
    const topK = options.topK ?? this.#options.topK
    const body = await this.#post('/retrieve', {queries, topk: topK, return_scores: true}, options.signal)
    const result = (body as {result?: unknown}).result
    if (!Array.isArray(result) || result.length !== queries.length) {
      throw this.#garbage(`expected {"result": [...]} with ${queries.length} list(s), got ${shape(body)}`)
    }
    return result.map((list, q) => {
      if (!Array.isArray(list)) throw this.#garbage(`result[${q}]: expected a list of documents, got ${shape(list)}`)
      return list.map((item, rank) => this.#hit(item, rank, `result[${q}][${rank}]`))
    })
  }

  /** Opens corpus documents (`doc:<id>` or the URLs search returned) through `POST /access`. */
  async access(urls: string[], options: {signal?: AbortSignal} = {}): Promise<(AccessedDocument | null)[]> {
    const body = await this.#post('/access', {urls}, options.signal)
    const result = (body as {result?: unknown}).result
    if (!Array.isArray(result) || result.length !== urls.length) throw this.#garbage(`expected {"result": [...]} with ${urls.length} item(s), got ${shape(body)}`)
    return result.map((item, i) => {
      if (item === null) return null
      if (typeof item !== 'object') throw this.#garbage(`result[${i}]: expected a page object or null, got ${shape(item)}`)
      const page = item as Record<string, unknown>
      const contents = typeof page.contents === 'string' ? splitContents(page.contents) : undefined
      const text = typeof page.text === 'string' ? page.text : contents?.text
      if (text === undefined) throw this.#garbage(`result[${i}]: expected text or contents`)
      return {
        url: typeof page.url === 'string' ? page.url : (urls[i] as string),
        id: typeof page.id === 'string' || typeof page.id === 'number' ? String(page.id) : (urls[i] as string),
        title: typeof page.title === 'string' ? page.title : (contents?.title ?? ''),
        text,
      }
    })
  }

  #hit(item: unknown, rank: number, where: string): SearchHit {
    // With return_scores: {document, score}; without (or from servers that ignore it): the document itself.
    let doc = item
    let score = 1 / (rank + 1)
    if (item !== null && typeof item === 'object' && 'document' in item) {
      doc = (item as {document: unknown}).document
      const s = (item as {score?: unknown}).score
      if (typeof s === 'number' && Number.isFinite(s)) score = s
    }
    if (doc === null || typeof doc !== 'object') throw this.#garbage(`${where}: expected a document object, got ${shape(doc)}`)
    const record = doc as Record<string, unknown>
    const rawId = record.id ?? record._id ?? record.docid
    const id = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : `${rank}`
    let title = typeof record.title === 'string' ? record.title : ''
    let text: string
    if (typeof record.contents === 'string') {
      const split = splitContents(record.contents)
      title ||= split.title
      text = split.text
    } else if (typeof record.text === 'string') text = record.text
    else throw this.#garbage(`${where}: document has neither contents nor text`)
    const url = typeof record.url === 'string' && record.url ? record.url : `doc:${id}`
    return {id, title, url, snippet: text.length > SNIPPET_CHARS ? `${text.slice(0, SNIPPET_CHARS)}…` : text, text, score}
  }

  async #post(path: string, payload: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    const url = this.baseUrl + path
    const {timeoutMs} = this.#options
    return withRetries<unknown, string>(async (): Promise<AttemptOutcome<unknown, string>> => {
      const attemptSignal = signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs)
      try {
        const response = await this.#options.fetch(url, {method: 'POST', headers: {'content-type': 'application/json', accept: 'application/json'}, body: JSON.stringify(payload), signal: attemptSignal})
        const text = await response.text()
        if (response.ok) {
          try {
            return {ok: true, value: JSON.parse(text) as unknown}
          } catch {
            throw this.#garbage(`not JSON: ${JSON.stringify(text.slice(0, 100))}`)
          }
        }
        const detail = errorDetail(text)
        if (!isRetryableStatus(response.status)) {
          throw new ArsError('search-server', `retrieval server ${url} refused the request: HTTP ${response.status}${detail}`, {fix: 'Check that the URL points at a Search-R1/ASearcher retrieval server (POST /retrieve).'})
        }
        const retryAfterMs = retryAfterFromHeaders(response.headers)
        return {ok: false, retry: true, problem: `HTTP ${response.status}${detail}`, ...(retryAfterMs !== undefined ? {retryAfterMs} : {})}
      } catch (error) {
        if (error instanceof ArsError) throw error
        if (signal?.aborted) throw signal.reason
        const e = error as Error & {cause?: {code?: string; message?: string}}
        const problem = e.name === 'TimeoutError' || e.name === 'AbortError'
          ? `no answer within ${(timeoutMs / 1000).toFixed(1)} s`
          : `connection failed (${e.cause?.code ?? e.cause?.message ?? e.message})`
        return {ok: false, retry: true, problem}
      }
    }, {
      ...this.#retry,
      ...(signal ? {signal} : {}),
      waitTooLong: (ms, max, problem) => new ArsError('search-server', `retrieval server ${url} answered ${problem} and asks to wait ${Math.ceil(ms / 1000)} s (more than the ${Math.ceil(max / 1000)} s allowed)`, {fix: 'Try again later, or lower the request rate.'}),
      giveUp: (problem, attempts) => new ArsError('search-server', `retrieval server ${url} failed after ${attempts} attempt(s): ${problem}`, {fix: 'Check that the server is running and reachable (`ars serve retrieval --index DIR --port P` starts one).'}),
    })
  }

  #garbage(detail: string): ArsError {
    return new ArsError('search-server', `retrieval server ${this.baseUrl} answered garbage: ${detail}`, {fix: 'Check that the URL points at a Search-R1/ASearcher retrieval server.'})
  }
}


function errorDetail(text: string): string {
  const trimmed = text.trim()
  if (!trimmed) return ''
  try {
    const body = JSON.parse(trimmed) as {error?: unknown; detail?: unknown}
    const message = body.error ?? body.detail
    if (typeof message === 'string') return `: ${message.slice(0, 200)}`
  } catch {}
  return `: ${JSON.stringify(trimmed.slice(0, 100))}`
}

function shape(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (typeof value === 'object') return `an object with keys ${JSON.stringify(Object.keys(value as object).slice(0, 5))}`
  return typeof value
}

