// An opened BM25 index directory: the lexicon and norms are read at open (small), postings are read per query
// term with pread and kept in a byte-bounded LRU, stored documents are read by offset only for returned hits.
// Top-k uses MaxScore with block-max bounds, scoring exactly as Lucene 8's BM25Similarity.
import {closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, statSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {DataError, UsageError} from '../../core/index.js'
import {analyzerByName, forEachToken, type Analyzer} from '../analyzer.js'
import type {CorpusDocument} from '../corpus-document.js'
import type {SearchHit, SearchOptions, SearchProvider} from '../provider.js'
import {validateBm25Parameters} from './index-writer.js'
import {BLOCK_SIZE, FILES, INDEX_FORMAT, INDEX_VERSION, type IndexMeta} from './index-format.js'
import {bm25Idf, normInverseCache, termScore} from './lucene-norms.js'

export interface Bm25OpenOptions {
  /** Override the index's stored k1 / b for every query (each query may still override). */
  k1?: number
  b?: number
  /** Bytes of decoded postings kept between queries. Default 256 MiB. */
  cacheBytes?: number
  /** Query tokens kept (the rest are dropped, as Lucene caps clauses at 1024). Default 1024. */
  maxQueryTokens?: number
  /** Distinct query terms kept, first occurrences first. Default 128. */
  maxQueryTerms?: number
}

export interface Bm25SearchOptions extends SearchOptions {
  k1?: number
  b?: number
}

export interface RankedDoc {
  /** Document number inside the index. */
  doc: number
  score: number
}

interface TermPostings {
  docs: Uint32Array
  freqs: Uint16Array
  blockLast: Uint32Array
  blockMaxFreq: Uint16Array
  blockMinNorm: Uint8Array
  bytes: number
}

/** A query longer than this is cut before analysis (a pasted page, not a query). */
const MAX_QUERY_CHARS = 100_000
const SNIPPET_CHARS = 240

export class Bm25Index implements SearchProvider {
  readonly specificationVersion = 'ars-search-v1' as const
  readonly id: string
  readonly dir: string
  readonly meta: IndexMeta
  readonly analyzer: Analyzer
  readonly #k1: number
  readonly #b: number
  readonly #termBytes: Buffer
  readonly #termOffsets: Uint32Array
  readonly #termDf: Uint32Array
  readonly #termStart: Float64Array
  readonly #termBlock: Float64Array
  readonly #norms: Uint8Array
  readonly #idBytes: Buffer
  readonly #idOffsets: Float64Array
  readonly #idDocs: Uint32Array
  readonly #fds: Record<string, number> = {}
  readonly #cache = new Map<number, TermPostings>()
  readonly #cacheLimit: number
  #cacheBytes = 0
  readonly #maxQueryTokens: number
  readonly #maxQueryTerms: number
  #normCacheKey = ''
  #normCache: Float64Array = new Float64Array(256)
  #closed = false

  private constructor(dir: string, meta: IndexMeta, options: Bm25OpenOptions) {
    this.dir = dir
    this.meta = meta
    this.id = `bm25:${dir}`
    this.analyzer = analyzerByName(meta.analyzer)
    this.#k1 = options.k1 ?? meta.k1
    this.#b = options.b ?? meta.b
    validateBm25Parameters(this.#k1, this.#b)
    this.#cacheLimit = options.cacheBytes ?? 256 * 1024 * 1024
    this.#maxQueryTokens = options.maxQueryTokens ?? 1024
    this.#maxQueryTerms = options.maxQueryTerms ?? 128
    const T = meta.termCount
    this.#termBytes = readFileSync(join(dir, FILES.terms))
    this.#termOffsets = loadArray(dir, FILES.termOffsets, Uint32Array)
    this.#termDf = loadArray(dir, FILES.termDf, Uint32Array)
    this.#norms = loadArray(dir, FILES.norms, Uint8Array)
    this.#idBytes = readFileSync(join(dir, FILES.ids))
    this.#idOffsets = loadArray(dir, FILES.idOffsets, Float64Array)
    this.#idDocs = loadArray(dir, FILES.idDocs, Uint32Array)
    // Postings and block starts are prefix sums of df; checking them against meta catches a corrupt lexicon.
    this.#termStart = new Float64Array(T + 1)
    this.#termBlock = new Float64Array(T + 1)
    let at = 0
    let block = 0
    for (let t = 0; t < T; t++) {
      this.#termStart[t] = at
      this.#termBlock[t] = block
      const df = this.#termDf[t] as number
      if (df === 0 || df > meta.docCount) throw corrupt(dir, FILES.termDf, `term ${t} has document frequency ${df}`)
      at += df
      block += Math.ceil(df / BLOCK_SIZE)
      if ((this.#termOffsets[t + 1] as number) < (this.#termOffsets[t] as number)) throw corrupt(dir, FILES.termOffsets, `offsets decrease at term ${t}`)
    }
    this.#termStart[T] = at
    this.#termBlock[T] = block
    if (at !== meta.postingCount) throw corrupt(dir, FILES.termDf, `document frequencies sum to ${at}, meta.json says ${meta.postingCount} postings`)
    if (block !== meta.blockCount) throw corrupt(dir, FILES.termDf, `blocks sum to ${block}, meta.json says ${meta.blockCount}`)
    if (this.#termOffsets[T] !== this.#termBytes.length) throw corrupt(dir, FILES.termOffsets, `last offset ${this.#termOffsets[T]} does not match ${FILES.terms} size ${this.#termBytes.length}`)
    for (const name of [FILES.postingDocs, FILES.postingFreqs, FILES.blockLast, FILES.blockMaxFreq, FILES.blockMinNorm, FILES.docs, FILES.docOffsets]) {
      this.#fds[name] = openSync(join(dir, name), 'r')
    }
  }

  /** Opens an index directory, checking meta.json and every file's size; errors name the file at fault. */
  static open(dir: string, options: Bm25OpenOptions = {}): Bm25Index {
    const path = resolve(dir)
    if (!existsSync(path)) throw new UsageError(`${dir}: no such index directory`, {code: 'index-missing', fix: 'Build one with `ars index CORPUS.jsonl --out DIR`, or check the path.'})
    if (!statSync(path).isDirectory()) throw new UsageError(`${dir}: not a directory (an index is a directory made by \`ars index\`)`, {code: 'index-missing', fix: 'Pass the directory given to `ars index --out`.'})
    const metaPath = join(path, FILES.meta)
    if (!existsSync(metaPath)) {
      throw new UsageError(`${metaPath}: missing — ${dir} is not an ars index, or its build was interrupted`, {code: 'index-missing', fix: 'Rebuild it with `ars index CORPUS.jsonl --out DIR`.'})
    }
    let meta: IndexMeta
    try {
      meta = JSON.parse(readFileSync(metaPath, 'utf8')) as IndexMeta
    } catch (error) {
      throw corrupt(path, FILES.meta, `not valid JSON (${(error as Error).message})`)
    }
    checkMeta(path, meta)
    return new Bm25Index(path, meta, options)
  }

  get docCount(): number {
    return this.meta.docCount
  }

  /** Top-k document numbers and scores (score descending, then document number ascending, like Lucene). */
  rank(query: string, options: Bm25SearchOptions = {}): RankedDoc[] {
    this.#checkOpen()
    const topK = options.topK ?? 10
    if (!Number.isInteger(topK) || topK < 1) throw new UsageError(`Expected topK to be a positive integer, got ${topK}`)
    const k1 = options.k1 ?? this.#k1
    const b = options.b ?? this.#b
    if (options.k1 !== undefined || options.b !== undefined) validateBm25Parameters(k1, b)
    const normInv = this.#normInverse(k1, b)
    const terms = this.queryTerms(query)
    const lists: {postings: TermPostings; weight: number; bounds: Float64Array; ub: number}[] = []
    for (const [term, count] of terms) {
      const t = this.#lookup(term)
      if (t < 0) continue
      const postings = this.#postings(t)
      const weight = Math.fround(count * bm25Idf(this.meta.docCount, this.#termDf[t] as number))
      const bounds = new Float64Array(postings.blockLast.length)
      let ub = 0
      for (let i = 0; i < bounds.length; i++) {
        const bound = termScore(weight, postings.blockMaxFreq[i] as number, normInv[postings.blockMinNorm[i] as number] as number)
        bounds[i] = bound
        if (bound > ub) ub = bound
      }
      lists.push({postings, weight, bounds, ub})
    }
    if (lists.length === 0) return []
    lists.sort((x, y) => x.ub - y.ub)
    return maxScore(lists, this.#norms, normInv, Math.min(topK, this.meta.docCount))
  }

  /** Query text → distinct terms with their counts, capped as documented in Bm25OpenOptions. */
  queryTerms(query: string): Map<string, number> {
    const text = query.length > MAX_QUERY_CHARS ? query.slice(0, MAX_QUERY_CHARS) : query
    const counts = new Map<string, number>()
    let tokens = 0
    forEachToken(text, (raw) => {
      if (tokens >= this.#maxQueryTokens) return
      const term = this.analyzer.term(raw)
      if (!term) return
      tokens++
      const seen = counts.get(term)
      if (seen !== undefined) counts.set(term, seen + 1)
      else if (counts.size < this.#maxQueryTerms) counts.set(term, 1)
    })
    return counts
  }

  async search(query: string, options: Bm25SearchOptions = {}): Promise<SearchHit[]> {
    options.signal?.throwIfAborted()
    if (query.trim().length === 0) throw new UsageError('empty query: expected some words to search for', {code: 'empty-query', fix: 'Write a query with at least one word.'})
    const ranked = this.rank(query, options)
    const rawTokens: string[] = []
    forEachToken(query.slice(0, 2000), (t) => {
      if (rawTokens.length < 64 && this.analyzer.term(t)) rawTokens.push(t)
    })
    return ranked.map(({doc, score}) => {
      const stored = this.document(doc)
      return {
        id: stored.id,
        title: stored.title,
        url: stored.url ?? `doc:${stored.id}`,
        snippet: makeSnippet(stored.text, rawTokens),
        text: stored.text,
        score,
      }
    })
  }

  /** The stored document by number. */
  document(doc: number): CorpusDocument {
    this.#checkOpen()
    if (!Number.isInteger(doc) || doc < 0 || doc >= this.meta.docCount) throw new RangeError(`Expected a document number in [0, ${this.meta.docCount}), got ${doc}`)
    const offsets = new Float64Array(2)
    readExactly(this.#fds[FILES.docOffsets] as number, new Uint8Array(offsets.buffer), doc * 8, this.dir, FILES.docOffsets)
    const [start, end] = offsets as unknown as [number, number]
    if (!(end >= start) || end > (this.meta.files[FILES.docs] as number) || end - start > 1 << 30) throw corrupt(this.dir, FILES.docOffsets, `bad offsets for document ${doc}`)
    const bytes = Buffer.allocUnsafe(end - start)
    readExactly(this.#fds[FILES.docs] as number, bytes, start, this.dir, FILES.docs)
    let value: unknown
    try {
      value = JSON.parse(bytes.toString('utf8'))
    } catch {
      throw corrupt(this.dir, FILES.docs, `document ${doc} at byte ${start} is not valid JSON`)
    }
    if (!Array.isArray(value) || typeof value[0] !== 'string' || typeof value[1] !== 'string' || typeof value[2] !== 'string') {
      throw corrupt(this.dir, FILES.docs, `document ${doc} at byte ${start} is not [id, title, text, url]`)
    }
    const [id, title, text, url] = value as [string, string, string, string | null]
    return url ? {id, title, text, url} : {id, title, text}
  }

  /** The document with this id (the first one, if the corpus repeated an id), or undefined. */
  documentById(id: string): CorpusDocument | undefined {
    this.#checkOpen()
    let lo = 0
    let hi = this.meta.docCount - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const key = this.#idBytes.toString('utf8', this.#idOffsets[mid] as number, this.#idOffsets[mid + 1] as number)
      if (key < id) lo = mid + 1
      else {
        if (key === id) found = mid
        hi = mid - 1
      }
    }
    return found < 0 ? undefined : this.document(this.#idDocs[found] as number)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const fd of Object.values(this.#fds)) closeSync(fd)
    this.#cache.clear()
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error(`Bm25Index ${this.dir}: used after close()`)
  }

  #normInverse(k1: number, b: number): Float64Array {
    const key = `${k1}/${b}`
    if (key !== this.#normCacheKey) {
      const avgdl = this.meta.docCount === 0 ? 1 : this.meta.totalTerms / this.meta.docCount
      this.#normCache = normInverseCache(k1, b, avgdl || 1)
      this.#normCacheKey = key
    }
    return this.#normCache
  }

  /** Lexicon position of `term`, or -1. */
  #lookup(term: string): number {
    let lo = 0
    let hi = this.meta.termCount - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const key = this.#termBytes.toString('utf8', this.#termOffsets[mid] as number, this.#termOffsets[mid + 1] as number)
      if (key < term) lo = mid + 1
      else if (key > term) hi = mid - 1
      else return mid
    }
    return -1
  }

  #postings(t: number): TermPostings {
    const cached = this.#cache.get(t)
    if (cached) {
      this.#cache.delete(t)
      this.#cache.set(t, cached)
      return cached
    }
    const start = this.#termStart[t] as number
    const n = this.#termDf[t] as number
    const blockStart = this.#termBlock[t] as number
    const blocks = (this.#termBlock[t + 1] as number) - blockStart
    const postings: TermPostings = {
      docs: new Uint32Array(n),
      freqs: new Uint16Array(n),
      blockLast: new Uint32Array(blocks),
      blockMaxFreq: new Uint16Array(blocks),
      blockMinNorm: new Uint8Array(blocks),
      bytes: n * 6 + blocks * 7,
    }
    this.#read(FILES.postingDocs, postings.docs, start * 4)
    this.#read(FILES.postingFreqs, postings.freqs, start * 2)
    this.#read(FILES.blockLast, postings.blockLast, blockStart * 4)
    this.#read(FILES.blockMaxFreq, postings.blockMaxFreq, blockStart * 2)
    this.#read(FILES.blockMinNorm, postings.blockMinNorm, blockStart)
    const docs = postings.docs
    for (let i = 1; i < n; i++) if ((docs[i] as number) <= (docs[i - 1] as number)) throw corrupt(this.dir, FILES.postingDocs, `postings of term ${t} are not ascending`)
    if (n > 0 && (docs[n - 1] as number) >= this.meta.docCount) throw corrupt(this.dir, FILES.postingDocs, `term ${t} points past the last document`)
    this.#cache.set(t, postings)
    this.#cacheBytes += postings.bytes
    while (this.#cacheBytes > this.#cacheLimit && this.#cache.size > 1) {
      const [oldest, value] = this.#cache.entries().next().value as [number, TermPostings]
      this.#cache.delete(oldest)
      this.#cacheBytes -= value.bytes
    }
    return postings
  }

  #read(name: string, array: ArrayBufferView, position: number): void {
    readExactly(this.#fds[name] as number, new Uint8Array(array.buffer, array.byteOffset, array.byteLength), position, this.dir, name)
  }
}

interface ScoredList {
  postings: TermPostings
  weight: number
  bounds: Float64Array
  ub: number
}

/**
 * MaxScore over lists sorted by ascending upper bound: documents are enumerated from the "essential" lists only
 * (those whose bounds, summed from the top, can still beat the k-th score); the others are probed by binary
 * search, and skipped early when the block-max bound shows the document cannot enter the top k.
 */
function maxScore(lists: ScoredList[], norms: Uint8Array, normInv: Float64Array, k: number): RankedDoc[] {
  const n = lists.length
  const prefix = new Float64Array(n)
  let sum = 0
  for (let i = 0; i < n; i++) prefix[i] = sum += (lists[i] as ScoredList).ub
  const pos = new Int32Array(n)
  const blk = new Int32Array(n)
  const docsOf = lists.map((l) => l.postings.docs)
  const freqsOf = lists.map((l) => l.postings.freqs)
  const weights = Float64Array.from(lists, (l) => l.weight)
  const heap = new TopK(k)
  let threshold = -1
  let firstEssential = 0
  const END = 0xffffffff
  for (;;) {
    let doc = END
    for (let i = firstEssential; i < n; i++) {
      const docs = docsOf[i] as Uint32Array
      const p = pos[i] as number
      if (p < docs.length && (docs[p] as number) < doc) doc = docs[p] as number
    }
    if (doc === END) break
    const ni = normInv[norms[doc] as number] as number
    let score = 0
    for (let i = firstEssential; i < n; i++) {
      const docs = docsOf[i] as Uint32Array
      const p = pos[i] as number
      if (p < docs.length && docs[p] === doc) {
        score += termScore(weights[i] as number, (freqsOf[i] as Uint16Array)[p] as number, ni)
        pos[i] = p + 1
      }
    }
    let pruned = false
    for (let i = firstEssential - 1; i >= 0; i--) {
      if (score + (prefix[i] as number) <= threshold) {
        pruned = true
        break
      }
      const list = lists[i] as ScoredList
      const blockLast = list.postings.blockLast
      let b = blk[i] as number
      while (b < blockLast.length && (blockLast[b] as number) < doc) b++
      blk[i] = b
      if (b === blockLast.length) continue
      const rest = i > 0 ? (prefix[i - 1] as number) : 0
      if (score + (list.bounds[b] as number) + rest <= threshold) {
        pruned = true
        break
      }
      const docs = docsOf[i] as Uint32Array
      let lo = Math.max(pos[i] as number, b * BLOCK_SIZE)
      let hi = Math.min(docs.length, (b + 1) * BLOCK_SIZE) - 1
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if ((docs[mid] as number) < doc) lo = mid + 1
        else hi = mid
      }
      pos[i] = lo
      if (docs[lo] === doc) score += termScore(weights[i] as number, (freqsOf[i] as Uint16Array)[lo] as number, ni)
    }
    if (pruned) continue
    const final = Math.fround(score)
    if (heap.offer(doc, final) && heap.full) {
      threshold = heap.minScore
      while (firstEssential < n && (prefix[firstEssential] as number) <= threshold) firstEssential++
    }
  }
  return heap.sorted()
}

/** A bounded min-heap of (score, doc): worst = lowest score, then highest doc (later docs lose ties). */
class TopK {
  readonly #k: number
  readonly #scores: Float64Array
  readonly #docs: Float64Array
  #size = 0

  constructor(k: number) {
    this.#k = k
    this.#scores = new Float64Array(k)
    this.#docs = new Float64Array(k)
  }

  get full(): boolean {
    return this.#size === this.#k
  }

  get minScore(): number {
    return this.#scores[0] as number
  }

  /** Documents arrive in ascending order, so a tie with the current worst never displaces it. */
  offer(doc: number, score: number): boolean {
    if (this.#size < this.#k) {
      let i = this.#size++
      while (i > 0) {
        const parent = (i - 1) >> 1
        if (!this.#worse(score, doc, parent)) break
        this.#scores[i] = this.#scores[parent] as number
        this.#docs[i] = this.#docs[parent] as number
        i = parent
      }
      this.#scores[i] = score
      this.#docs[i] = doc
      return true
    }
    if (score <= (this.#scores[0] as number)) return false
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      if (left >= this.#k) break
      const right = left + 1
      let child = left
      if (right < this.#k && this.#worseAt(right, left)) child = right
      if (!this.#worseAt(child, -1, score, doc)) break
      this.#scores[i] = this.#scores[child] as number
      this.#docs[i] = this.#docs[child] as number
      i = child
    }
    this.#scores[i] = score
    this.#docs[i] = doc
    return true
  }

  /** Is (score, doc) worse than the entry at `at`? */
  #worse(score: number, doc: number, at: number): boolean {
    const s = this.#scores[at] as number
    return score < s || (score === s && doc > (this.#docs[at] as number))
  }

  /** Is entry a worse than entry b (b = -1: the given score/doc)? */
  #worseAt(a: number, b: number, score = 0, doc = 0): boolean {
    const sb = b < 0 ? score : (this.#scores[b] as number)
    const db = b < 0 ? doc : (this.#docs[b] as number)
    const sa = this.#scores[a] as number
    return sa < sb || (sa === sb && (this.#docs[a] as number) > db)
  }

  sorted(): RankedDoc[] {
    const out: RankedDoc[] = []
    for (let i = 0; i < this.#size; i++) out.push({doc: this.#docs[i] as number, score: this.#scores[i] as number})
    return out.sort((x, y) => y.score - x.score || x.doc - y.doc)
  }
}

function makeSnippet(text: string, tokens: string[]): string {
  if (text.length <= SNIPPET_CHARS) return text
  const lower = text.toLowerCase()
  let at = -1
  for (const token of tokens) {
    const i = lower.indexOf(token)
    if (i >= 0 && (at < 0 || i < at)) at = i
  }
  let start = at < 0 ? 0 : Math.max(0, at - SNIPPET_CHARS / 3)
  if (start > 0) {
    const space = text.indexOf(' ', start)
    if (space >= 0 && space < at) start = space + 1
  }
  let end = Math.min(text.length, start + SNIPPET_CHARS)
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end)
    if (space > start + SNIPPET_CHARS / 2) end = space
  }
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`
}

function corrupt(dir: string, file: string, detail: string): DataError {
  return new DataError(`corrupt index: ${detail}`, {where: join(dir, file), code: 'index-corrupt', fix: 'Rebuild the index with `ars index CORPUS.jsonl --out DIR`.'})
}

function checkMeta(dir: string, meta: IndexMeta): void {
  if (meta === null || typeof meta !== 'object' || meta.format !== INDEX_FORMAT) throw corrupt(dir, FILES.meta, `expected format "${INDEX_FORMAT}", got ${JSON.stringify((meta as {format?: unknown} | null)?.format)}`)
  if (meta.version !== INDEX_VERSION) throw new UsageError(`${join(dir, FILES.meta)}: index format version ${meta.version}, this ars reads version ${INDEX_VERSION}`, {code: 'index-version', fix: 'Rebuild the index with this version of ars.'})
  for (const key of ['docCount', 'totalTerms', 'termCount', 'postingCount', 'blockCount', 'k1', 'b'] as const) {
    if (typeof meta[key] !== 'number' || !Number.isFinite(meta[key]) || meta[key] < 0) throw corrupt(dir, FILES.meta, `${key}: expected a non-negative number, got ${JSON.stringify(meta[key])}`)
  }
  if (meta.blockSize !== BLOCK_SIZE) throw corrupt(dir, FILES.meta, `blockSize: expected ${BLOCK_SIZE}, got ${meta.blockSize}`)
  if (typeof meta.analyzer !== 'string') throw corrupt(dir, FILES.meta, 'analyzer: missing')
  try {
    analyzerByName(meta.analyzer)
  } catch (error) {
    throw corrupt(dir, FILES.meta, (error as Error).message)
  }
  const expected: Record<string, number> = {
    [FILES.termOffsets]: (meta.termCount + 1) * 4,
    [FILES.termDf]: meta.termCount * 4,
    [FILES.postingDocs]: meta.postingCount * 4,
    [FILES.postingFreqs]: meta.postingCount * 2,
    [FILES.blockLast]: meta.blockCount * 4,
    [FILES.blockMaxFreq]: meta.blockCount * 2,
    [FILES.blockMinNorm]: meta.blockCount,
    [FILES.norms]: meta.docCount,
    [FILES.docOffsets]: (meta.docCount + 1) * 8,
    [FILES.idOffsets]: (meta.docCount + 1) * 8,
    [FILES.idDocs]: meta.docCount * 4,
  }
  const files = meta.files ?? {}
  for (const name of [FILES.terms, FILES.docs, FILES.ids, ...Object.keys(expected)]) {
    const want = expected[name] ?? files[name]
    if (typeof want !== 'number') throw corrupt(dir, FILES.meta, `files: no size recorded for ${name}`)
    if (files[name] !== want) throw corrupt(dir, FILES.meta, `files: ${name} recorded as ${files[name]} bytes, the counts imply ${want}`)
    const path = join(dir, name)
    let size: number
    try {
      size = statSync(path).size
    } catch {
      throw corrupt(dir, name, 'file missing')
    }
    if (size !== want) throw corrupt(dir, name, `${size < want ? 'truncated' : 'has extra bytes'}: ${size} bytes, expected ${want}`)
  }
}

function loadArray<T extends Uint8Array | Uint32Array | Float64Array>(dir: string, name: string, Type: {new (buffer: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number}): T {
  const fd = openSync(join(dir, name), 'r')
  try {
    const size = fstatSync(fd).size
    const buffer = new ArrayBuffer(size)
    readExactly(fd, new Uint8Array(buffer), 0, dir, name)
    return new Type(buffer, 0, size / Type.BYTES_PER_ELEMENT)
  } finally {
    closeSync(fd)
  }
}

function readExactly(fd: number, target: Uint8Array, position: number, dir: string, name: string): void {
  let done = 0
  while (done < target.length) {
    const n = readSync(fd, target, done, target.length - done, position + done)
    if (n === 0) throw corrupt(dir, name, `unexpected end of file at byte ${position + done}`)
    done += n
  }
}
