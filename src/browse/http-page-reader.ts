// The web PageReader: fetchPage (guards, caps) → charset decode → extract (Readability + fallback, in a bounded
// worker) → chunks, under one page budget (timeoutMs covers download, parsing and extraction), with an in-memory LRU, an optional disk cache and in-flight de-duplication so one URL is fetched once.
import {decodeBody} from './charset.js'
import {chunkText, DEFAULT_CHUNK_CHARS, validateChunkSize} from './chunk.js'
import {extractHtml, extractPlain, type DomEngine, type Extracted} from './extract.js'
import {ExtractBudgetError, sharedExtractPool, type ExtractPool} from './extract-pool.js'
import {FETCH_DEFAULTS, fetchPage, type FetchPageOptions} from './fetch-page.js'
import {DiskCache} from '../core/index.js'
import {LruCache} from './lru-cache.js'
import {ReadError} from './read-error.js'
import type {Page, PageReader, ReadOptions} from './reader.js'

export interface HttpPageReaderOptions extends Omit<FetchPageOptions, 'signal'> {
  /** DOM used for extraction. Default linkedom; jsdom is the reference implementation. */
  engine?: DomEngine
  /** Maximum characters per chunk. Default 2000 (≈ 500 tokens). */
  chunkSize?: number
  /** Pages kept in memory. Default 256; 0 disables. */
  memoryCacheSize?: number
  /** Directory for an on-disk page cache; none by default. */
  cacheDir?: string
  /** Age after which a disk-cached page is fetched again. Default 1 day. */
  cacheTtlMs?: number
  /**
   * Where HTML is parsed: a pool of worker threads with a heap limit, stopped at the page's deadline (default, the
   * process-wide pool), or 'inline' on this thread with no bound (only for trusted pages and measurements).
   */
  extractPool?: ExtractPool | 'inline'
  /** Tags parsed per page; HTML beyond the cap is cut and the page marked truncated. Default 100 000. */
  maxElements?: number
}

export const READER_DEFAULTS = {maxElements: 100_000} as const

/** Cut `html` before its (max+1)-th tag: a stream of millions of tiny tags costs a bounded parse. */
export function capElements(html: string, max: number): {html: string; cut: boolean} {
  const tag = /<[a-zA-Z!/?]/g
  let count = 0
  while (tag.exec(html)) {
    if (++count > max) return {html: html.slice(0, tag.lastIndex - 2), cut: true}
  }
  return {html, cut: false}
}

/** What is cached: extraction output, before chunking (chunk size is a per-reader choice). */
interface CachedPage {
  url: string
  finalUrl: string
  title: string
  text: string
  links: Page['links']
  truncated: boolean
}

export class HttpPageReader implements PageReader {
  readonly specificationVersion = 'ars-reader-v1' as const
  readonly id: string
  readonly #options: HttpPageReaderOptions
  readonly #chunkSize: number
  readonly #memory: LruCache<string, CachedPage>
  readonly #disk: DiskCache<CachedPage> | undefined
  readonly #inFlight = new Map<string, Promise<CachedPage>>()

  constructor(options: HttpPageReaderOptions = {}) {
    this.#options = options
    this.#chunkSize = validateChunkSize(options.chunkSize ?? DEFAULT_CHUNK_CHARS)
    this.#memory = new LruCache(options.memoryCacheSize ?? 256)
    this.#disk = options.cacheDir ? new DiskCache({dir: options.cacheDir, ttlMs: options.cacheTtlMs ?? 24 * 3600_000}) : undefined
    this.id = `http:${options.engine ?? 'linkedom'}`
  }

  async read(url: string, options: ReadOptions = {}): Promise<Page> {
    const cached = await this.#cached(url, options.signal)
    return {...cached, chunks: chunkText(cached.text, this.#chunkSize)}
  }

  async #cached(url: string, signal: AbortSignal | undefined): Promise<CachedPage> {
    const key = `${this.#options.engine ?? 'linkedom'} ${this.#options.maxBytes ?? ''} ${url}`
    const hit = this.#memory.get(key)
    if (hit) return hit
    const pending = this.#inFlight.get(key)
    if (pending) return pending
    const work = (async () => {
      const fromDisk = await this.#disk?.get(key)
      if (fromDisk) return fromDisk
      const page = await this.#fetchAndExtract(url, signal)
      await this.#disk?.set(key, page)
      return page
    })()
    this.#inFlight.set(key, work)
    try {
      const page = await work
      this.#memory.set(key, page)
      return page
    } finally {
      this.#inFlight.delete(key)
    }
  }

  async #fetchAndExtract(url: string, signal: AbortSignal | undefined): Promise<CachedPage> {
    const timeoutMs = this.#options.timeoutMs ?? FETCH_DEFAULTS.timeoutMs
    const deadline = Date.now() + timeoutMs
    const fetched = await fetchPage(url, {...this.#options, signal})
    const html = fetched.mimeType !== 'text/plain' && (fetched.mimeType !== '' || /^\s*</.test(fetched.body.subarray(0, 256).toString('latin1')))
    const {text: decoded} = decodeBody(fetched.body, fetched.charset, html)
    const capped = html ? capElements(decoded, this.#options.maxElements ?? READER_DEFAULTS.maxElements) : {html: decoded, cut: false}
    let extracted: Extracted
    try {
      if (!html) extracted = extractPlain(decoded)
      else if (this.#options.extractPool === 'inline') extracted = await extractHtml(capped.html, fetched.finalUrl, {engine: this.#options.engine})
      else extracted = await (this.#options.extractPool ?? sharedExtractPool()).extract(capped.html, fetched.finalUrl, this.#options.engine, deadline, signal)
    } catch (error) {
      throw extractError(error, url, timeoutMs)
    }
    if (!extracted.text.trim()) throw new ReadError('empty', url, 'the page has no readable text', {fix: 'The page may need JavaScript to render; try another source.'})
    return {url, finalUrl: fetched.finalUrl, title: extracted.title, text: extracted.text, links: extracted.links, truncated: fetched.truncated || capped.cut}
  }
}

function extractError(error: unknown, url: string, timeoutMs: number): ReadError {
  if (error instanceof ExtractBudgetError) {
    if (error.reason === 'aborted') return new ReadError('aborted', url, 'read cancelled', {cause: error})
    if (error.reason === 'deadline') return new ReadError('over-budget', url, `not read within the page budget of ${timeoutMs} ms (download, parsing and extraction): the HTML is too complex (deep nesting or a flood of tags)`, {fix: 'Try another source, or raise --timeout for this page.', cause: error})
    if (error.reason === 'failed' && /Maximum call stack/.test(error.message)) return new ReadError('over-budget', url, 'the HTML is nested too deeply to read', {fix: 'Try another source.', cause: error})
    if (error.reason === 'memory') return new ReadError('over-budget', url, `the HTML is too complex to read: ${error.message}`, {fix: 'Try another source.', cause: error})
  }
  return new ReadError('empty', url, `could not extract text (${(error as Error).message})`, {cause: error})
}

export function createPageReader(options: HttpPageReaderOptions = {}): PageReader {
  return new HttpPageReader(options)
}
