// The agent's tools over a SearchProvider and a PageReader: `search` lists hits, `access` reads a page one
// chunk per call (DeepResearcher-style segment reading); with `enabled`, also `calculator` and `code` (run in
// src/tools' sandbox workers) and `file` (a question's attachments, read part by part like a page). A
// ToolSession holds one episode's reading positions and the question whose attachments it may open.
import {analyzerByName, type SearchHit, type SearchProvider} from '../search/index.js'
import type {Page, PageReader} from '../browse/index.js'
import {chunkText as chunkPage} from '../browse/index.js'
import {attachmentsOf, type AttachmentReader} from '../tools/index.js'
import type {CodeLimits} from '../tools/index.js'
import type {SandboxPool} from '../tools/index.js'
import {neutraliseTags, type SearchView} from './formats.js'
import {DEFAULT_TOOLS, type ToolName} from './tool-specs.js'

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
  /** Tools offered beyond search and access (default none): calculator, code, file. */
  enabled?: readonly ToolName[]
  /** Folder of question attachments for `file` (`--attachments DIR`). */
  attachmentsDir?: string
  /** Limits of the code tool (default DEFAULT_CODE_LIMITS: 5 s, 64 MiB, 256 KiB stack, 8000 characters). */
  codeLimits?: Partial<CodeLimits>
  /** Deadline of one calculator expression (default 2000 ms). */
  calculatorTimeoutMs?: number
  /** Sandbox worker threads shared by calculator and code (default 2). */
  sandboxWorkers?: number
}

/** Part of a question the tools look at: its attachments (meta.file_name, meta.attachments). */
export interface ToolQuestion {
  meta?: Record<string, unknown> | undefined
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
  readonly enabled: readonly ToolName[]
  readonly attachmentsDir: string | undefined
  readonly codeLimits: Partial<CodeLimits>
  readonly calculatorTimeoutMs: number
  readonly #sandboxWorkers: number
  #onClose: (() => Promise<void>) | undefined
  #pool: Promise<SandboxPool> | undefined
  #attachments: Promise<AttachmentReader> | undefined

  constructor(options: AgentToolsOptions) {
    this.#onClose = options.onClose
    this.enabled = [...new Set([...DEFAULT_TOOLS, ...(options.enabled ?? [])])]
    this.attachmentsDir = options.attachmentsDir
    this.codeLimits = options.codeLimits ?? {}
    this.calculatorTimeoutMs = options.calculatorTimeoutMs ?? 2000
    this.#sandboxWorkers = options.sandboxWorkers ?? 2
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

  /** A new episode's tools; `question` names the attachments `file` may open. */
  session(question?: ToolQuestion): ToolSession {
    return new ToolSession(this, question)
  }

  /** Tools in `tools` these cannot run (not enabled, or `file` without an attachments folder). */
  missing(tools: readonly ToolName[]): ToolName[] {
    return tools.filter((t) => !this.enabled.includes(t) || (t === 'file' && this.attachmentsDir === undefined))
  }

  #sandbox(): Promise<SandboxPool> {
    this.#pool ??= import('../tools/index.js').then(({SandboxPool}) => new SandboxPool({size: this.#sandboxWorkers}))
    return this.#pool
  }

  /** Evaluates a calculator expression in a sandbox worker. */
  async calculate(expression: string, signal?: AbortSignal): Promise<string> {
    if (!this.enabled.includes('calculator')) throw new Error('the calculator tool is not enabled in this run')
    return (await this.#sandbox()).run({tool: 'calculator', input: expression}, this.calculatorTimeoutMs, signal)
  }

  /** Runs a JavaScript program in QuickJS inside a sandbox worker. */
  async runCode(program: string, signal?: AbortSignal): Promise<string> {
    if (!this.enabled.includes('code')) throw new Error('the code tool is not enabled in this run')
    const {DEFAULT_CODE_LIMITS} = await import('../tools/index.js')
    const limits = {...DEFAULT_CODE_LIMITS, ...this.codeLimits}
    // The worker is terminated when QuickJS's own deadline has not stopped the program a second later.
    return (await this.#sandbox()).run({tool: 'code', input: program, limits}, limits.timeoutMs + 1000, signal)
  }

  /** The attachment reader over `attachmentsDir`. */
  attachments(): Promise<AttachmentReader> {
    if (!this.enabled.includes('file')) return Promise.reject(new Error('the file tool is not enabled in this run'))
    if (this.attachmentsDir === undefined) return Promise.reject(new Error('no attachments folder was given to this run (--attachments DIR)'))
    const dir = this.attachmentsDir
    this.#attachments ??= import('../tools/index.js').then(({AttachmentReader}) => new AttachmentReader({dir}))
    return this.#attachments
  }

  #closed = false

  /** Closes the search provider and the reader, then runs `onClose`; a second call does nothing. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.search.close?.()
    await this.reader?.close?.()
    if (this.#pool) await (await this.#pool).close()
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
  readonly #question: ToolQuestion | undefined

  constructor(tools: AgentTools, question?: ToolQuestion) {
    this.#tools = tools
    this.#question = question
  }

  /** Runs one tool call; resolves to the text the model sees, rejects with an Error whose message is for it. */
  async call(tool: ToolName, input: string, signal?: AbortSignal, view?: SearchView): Promise<string> {
    switch (tool) {
      case 'search':
        return (await this.search(input, signal, view)).text
      case 'access':
        return (await this.access(input, signal)).text
      case 'calculator':
        return cleanText(await this.#tools.calculate(input, signal))
      case 'code':
        return cleanText(await this.#tools.runCode(input, signal))
      case 'file':
        return (await this.file(input, signal)).text
      default:
        throw new Error(`unknown tool ${JSON.stringify(tool satisfies never)}`)
    }
  }

  /** Reads an attachment of the episode's question one part per call, like `access` reads a page. */
  async file(name: string, signal?: AbortSignal): Promise<{text: string; part: number; parts: number}> {
    const key = `file:${name.trim()}`
    let cursor = this.#cursors.get(key)
    if (!cursor) {
      signal?.throwIfAborted()
      const read = await (await this.#tools.attachments()).read(name, attachmentsOf(this.#question ?? {}))
      const chunks = chunkPage(cleanText(read.text), Math.max(50, this.#tools.chunkChars))
      cursor = {title: read.name, url: read.name, chunks: chunks.length ? chunks : ['(the file has no text)'], next: 0}
      this.#cursors.set(key, cursor)
    }
    const parts = cursor.chunks.length
    if (cursor.next >= parts) return {text: `You have read all ${parts} part${parts === 1 ? '' : 's'} of ${cursor.title}.`, part: parts, parts}
    const part = cursor.next++
    const tail = part + 1 < parts ? `[Part ${part + 1} of ${parts}. Read the same file again to read part ${part + 2}.]` : '[End of file.]'
    return {text: `File: ${cursor.title}\nPart ${part + 1} of ${parts}\n\n${cursor.chunks[part]}\n\n${tail}`, part: part + 1, parts}
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
      const source = cleanText(view.lead ? h.text || h.snippet || '' : h.snippet || h.text || '')
      const snippet = source.replace(/\s+/g, ' ').trim()
      let cut = snippet.length > chars ? `${snippet.slice(0, chars - 1)}…` : snippet
      if (view.focusChars && view.lead && snippet.length > chars) {
        const line = focusLine(source, h.title, query, snippet.slice(0, chars - 1))
        if (line) cut += ` ${line.length > view.focusChars ? `${line.slice(0, view.focusChars - 1)}…` : line}`
      }
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

/**
 * The line of `text` not wholly within `shown` (the opening a result already shows) whose English terms cover most
 * of the query's terms that the title lacks; undefined when none covers any (the query is the page's name alone). Ties go to the
 * earlier line, so an infobox row ("Presented by: …") wins over the prose that repeats it.
 */
export function focusLine(text: string, title: string, query: string, shown: string): string | undefined {
  const analyzer = analyzerByName('english')
  const titleTerms = new Set(analyzer.terms(title))
  const wanted = new Set(analyzer.terms(query).filter((t) => !titleTerms.has(t)))
  if (wanted.size === 0) return undefined
  let best: string | undefined
  let bestScore = 0
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+/g, ' ').trim()
    if (!line || shown.includes(line)) continue
    const terms = new Set(analyzer.terms(line))
    let score = 0
    for (const t of wanted) if (terms.has(t)) score++
    if (score > bestScore) {
      best = line
      bestScore = score
    }
  }
  return best
}
