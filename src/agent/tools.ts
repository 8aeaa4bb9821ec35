// The agent's tools over a SearchProvider and a PageReader: `search` lists hits, `access` reads a page one
// chunk per call (DeepResearcher-style segment reading). A ToolSession holds one episode's reading positions.
import type {SearchHit, SearchProvider} from '../search/provider.js'
import type {Page, PageReader} from '../browse/reader.js'
import {neutraliseTags} from './formats.js'

export interface AgentToolsOptions {
  search: SearchProvider
  /** Reads http(s) URLs; `doc:<id>` URLs are served from search hits' text or the provider's own store. */
  reader?: PageReader
  /** Hits per search (default 5). */
  topK?: number
  /** Snippet length in a result list (default 300 characters). */
  snippetChars?: number
  /** Chunk size when the tool chunks text itself (`doc:` documents; default 2000 characters). */
  chunkChars?: number
  /** Per tool call (default 30 000 ms). */
  timeoutMs?: number
  /** Releases what the tools were built on (e.g. a world's scratch index); run once by `close()`. */
  onClose?: () => Promise<void>
}

/** How one search's results are shown (an agent format's choice; defaults are the tools' own settings). */
export interface SearchView {
  /** Show at most this many of the hits (default all `topK`). */
  maxHits?: number
  /** Characters of text per hit (default the tools' `snippetChars`). */
  snippetChars?: number
  /** Show each hit's URL (default true; formats without `access` have nothing to open). */
  urls?: boolean
  /** Show the opening of the hit's text instead of the query-centred snippet (default false). */
  lead?: boolean
}

/** A provider that can hand out its stored documents (local BM25 indexes do: `documentById`). */
interface DocumentStore {
  documentById(id: string): {id: string; title?: string; text: string; url?: string} | undefined
}

function hasStore(p: unknown): p is DocumentStore {
  return typeof (p as {documentById?: unknown})?.documentById === 'function'
}

/** Well-formed, printable text: lone surrogates and invalid bytes become U+FFFD, control characters go. */
export function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return neutraliseTags((text as string & {toWellFormed(): string}).toWellFormed().replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').replace(/\ufffd+/g, '\ufffd'))
}

/** Splits text at paragraph (then sentence, then hard) boundaries into pieces of at most `max` characters. */
export function chunkText(text: string, max: number): string[] {
  const chunks: string[] = []
  let current = ''
  const push = (): void => {
    if (current.trim()) chunks.push(current.trim())
    current = ''
  }
  for (const para of text.split(/\n{2,}/)) {
    if (current.length + para.length + 2 <= max) {
      current += (current ? '\n\n' : '') + para
      continue
    }
    push()
    if (para.length <= max) {
      current = para
      continue
    }
    for (const sentence of para.split(/(?<=[.!?])\s+/)) {
      if (current.length + sentence.length + 1 <= max) current += (current ? ' ' : '') + sentence
      else {
        push()
        for (let i = 0; i < sentence.length; i += max) {
          current = sentence.slice(i, i + max)
          if (i + max < sentence.length) push()
        }
      }
    }
  }
  push()
  return chunks.length ? chunks : ['']
}

export class AgentTools {
  readonly search: SearchProvider
  readonly reader: PageReader | undefined
  readonly topK: number
  readonly snippetChars: number
  readonly chunkChars: number
  readonly timeoutMs: number
  #onClose: (() => Promise<void>) | undefined

  constructor(options: AgentToolsOptions) {
    this.#onClose = options.onClose
    this.search = options.search
    this.reader = options.reader
    this.topK = options.topK ?? 5
    this.snippetChars = options.snippetChars ?? 300
    this.chunkChars = options.chunkChars ?? 2000
    this.timeoutMs = options.timeoutMs ?? 30_000
    for (const [k, v] of Object.entries({topK: this.topK, snippetChars: this.snippetChars, chunkChars: this.chunkChars, timeoutMs: this.timeoutMs})) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`Expected ${k} to be a positive integer, got ${v}`)
    }
  }

  session(): ToolSession {
    return new ToolSession(this)
  }

  #closed = false

  /** Closes the search provider and the reader, then runs `onClose`; a second call does nothing. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.search.close?.()
    await this.reader?.close?.()
    await this.#onClose?.()
  }
}

interface Cursor {
  title: string
  url: string
  chunks: string[]
  next: number
}

export class ToolSession {
  readonly #tools: AgentTools
  /** Text of hits seen in this episode, so `doc:` URLs open without another lookup. */
  readonly #hits = new Map<string, SearchHit>()
  readonly #cursors = new Map<string, Cursor>()

  constructor(tools: AgentTools) {
    this.#tools = tools
  }

  #signal(signal?: AbortSignal): AbortSignal {
    const t = AbortSignal.timeout(this.#tools.timeoutMs)
    return signal ? AbortSignal.any([signal, t]) : t
  }

  async search(query: string, signal?: AbortSignal, view: SearchView = {}): Promise<{text: string; hits: number; shown: SearchHit[]}> {
    const hits = await this.#tools.search.search(query, {topK: this.#tools.topK, signal: this.#signal(signal)})
    if (hits.length === 0) return {text: `No results for "${cleanText(query)}".`, hits: 0, shown: []}
    const chars = view.snippetChars ?? this.#tools.snippetChars
    const shown = hits.slice(0, view.maxHits ?? hits.length)
    const lines: string[] = []
    shown.forEach((h, i) => {
      if (h.text !== undefined) this.#hits.set(h.url, h)
      const source = view.lead ? h.text || h.snippet || '' : h.snippet || h.text || ''
      const snippet = cleanText(source).replace(/\s+/g, ' ').trim()
      const cut = snippet.length > chars ? `${snippet.slice(0, chars - 1)}…` : snippet
      lines.push(view.urls === false ? `[${i + 1}] ${cleanText(h.title)}: ${cut}` : `[${i + 1}] ${cleanText(h.title)}\nURL: ${h.url}\n${cut}`)
    })
    return {text: lines.join(view.urls === false ? '\n' : '\n\n'), hits: hits.length, shown}
  }

  async access(url: string, signal?: AbortSignal): Promise<{text: string; part: number; parts: number}> {
    let cursor = this.#cursors.get(url)
    if (!cursor) {
      cursor = await this.#open(url, this.#signal(signal))
      this.#cursors.set(url, cursor)
    }
    const parts = cursor.chunks.length
    if (cursor.next >= parts) {
      return {text: `You have read all ${parts} part${parts === 1 ? '' : 's'} of ${cursor.url}. Search or access another page.`, part: parts, parts}
    }
    const part = cursor.next++
    const head = `Page: ${cursor.title || cursor.url}\nURL: ${cursor.url}\nPart ${part + 1} of ${parts}`
    const tail = part + 1 < parts ? `[Part ${part + 1} of ${parts}. Access the same URL again to read part ${part + 2}.]` : '[End of page.]'
    return {text: `${head}\n\n${cursor.chunks[part]}\n\n${tail}`, part: part + 1, parts}
  }

  async #open(url: string, signal: AbortSignal): Promise<Cursor> {
    const hit = this.#hits.get(url)
    if (hit?.text !== undefined) return {title: cleanText(hit.title), url, chunks: chunkText(cleanText(hit.text), this.#tools.chunkChars), next: 0}
    if (url.startsWith('doc:') && hasStore(this.#tools.search)) {
      signal.throwIfAborted()
      const doc = this.#tools.search.documentById(url.slice(4))
      if (!doc) throw new Error(`no document ${url} in ${this.#tools.search.id}`)
      return {title: cleanText(doc.title ?? ''), url, chunks: chunkText(cleanText(doc.text), this.#tools.chunkChars), next: 0}
    }
    if (!this.#tools.reader) throw new Error(url.startsWith('doc:') ? `cannot open ${url}: search for it first` : `cannot open ${url}: no page reader is configured`)
    const page: Page = await this.#tools.reader.read(url, {signal})
    const chunks = page.chunks.length ? page.chunks.map(cleanText) : chunkText(cleanText(page.text), this.#tools.chunkChars)
    return {title: cleanText(page.title), url: page.finalUrl ?? url, chunks, next: 0}
  }
}
