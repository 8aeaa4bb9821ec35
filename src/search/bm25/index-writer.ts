// Builds a BM25 index directory from a stream of corpus documents in one pass: tokens are counted per document
// into (term, freq) pairs, stored documents are appended to docs.data as they arrive, and at the end the pairs
// are scattered into term-ordered postings (a counting sort, so postings come out docid-sorted for free).
import {closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {UsageError} from '../../core/index.js'
import {ProgressTask, type ProgressCallback} from '../../core/index.js'
import {analyzerByName, forEachToken, type Analyzer, type AnalyzerName} from '../analyzer.js'
import {indexedText, type CorpusDocument} from '../corpus-document.js'
import {BLOCK_SIZE, FILES, INDEX_FORMAT, INDEX_VERSION, type IndexMeta} from './index-format.js'
import {lengthToNorm} from './lucene-norms.js'

export interface IndexWriterOptions {
  /** Default 'english' (Lucene EnglishAnalyzer: Porter stemming + 33 stop words). */
  analyzer?: AnalyzerName
  /** BM25 term-frequency saturation stored as the index default; queries may override. Default 1.2 (Lucene's; Pyserini uses 0.9). */
  k1?: number
  /** BM25 length normalisation stored as the index default; queries may override. Default 0.75 (Lucene's; Pyserini uses 0.4). */
  b?: number
  onProgress?: ProgressCallback
  /** Clock for meta.json (tests). */
  now?: () => Date
}

const PAIR_CHUNK = 1 << 22
const MAX_FREQ = 0xffff

export function validateBm25Parameters(k1: number, b: number): void {
  if (!Number.isFinite(k1) || k1 < 0) throw new UsageError(`Expected k1 >= 0, got ${k1}`, {fix: 'Typical values are 0.9 (Pyserini) or 1.2 (Lucene).'})
  if (!Number.isFinite(b) || b < 0 || b > 1) throw new UsageError(`Expected b in [0, 1], got ${b}`, {fix: 'Typical values are 0.4 (Pyserini) or 0.75 (Lucene).'})
}

export class Bm25IndexWriter {
  readonly #out: string
  readonly #partial: string
  readonly #analyzer: Analyzer
  readonly #k1: number
  readonly #b: number
  readonly #task: ProgressTask
  readonly #now: () => Date
  /** raw token → term id, or -1 for a stop word; the analyzer runs once per distinct spelling. */
  #rawIds = new Map<string, number>()
  readonly #termIds = new Map<string, number>()
  readonly #terms: string[] = []
  #seen = new Int32Array(1 << 16)
  #freqs = new Uint32Array(1 << 16)
  readonly #docTerms: number[] = []
  readonly #pairTerms: Uint32Array[] = []
  readonly #pairFreqs: Uint16Array[] = []
  #pairPos = PAIR_CHUNK
  #pairCount = 0
  /** Distinct terms per document (its number of pairs). */
  #docPairs = new Uint32Array(1 << 16)
  #norms = new Uint8Array(1 << 16)
  #docOffsets = new Float64Array((1 << 16) + 1)
  #docCount = 0
  #totalTerms = 0
  readonly #ids: string[] = []
  readonly #docsFd: number
  #docsBytes = 0
  #docsBuffer: Buffer[] = []
  #docsBuffered = 0
  #finished = false

  constructor(out: string, options: IndexWriterOptions = {}) {
    this.#out = resolve(out)
    this.#analyzer = analyzerByName(options.analyzer ?? 'english')
    this.#k1 = options.k1 ?? 1.2
    this.#b = options.b ?? 0.75
    validateBm25Parameters(this.#k1, this.#b)
    this.#now = options.now ?? (() => new Date())
    checkOutput(this.#out)
    this.#partial = `${this.#out}.partial`
    rmSync(this.#partial, {recursive: true, force: true})
    mkdirSync(this.#partial, {recursive: true})
    this.#docsFd = openSync(join(this.#partial, FILES.docs), 'w')
    this.#task = new ProgressTask(options.onProgress, 'index', undefined, 'docs')
  }

  get docCount(): number {
    return this.#docCount
  }

  add(doc: CorpusDocument): void {
    if (this.#finished) throw new Error('Bm25IndexWriter: add() after finish()')
    const docNo = this.#docCount
    const mark = docNo + 1
    let length = 0
    forEachToken(indexedText(doc), (raw) => {
      let id = this.#rawIds.get(raw)
      if (id === undefined) {
        const term = this.#analyzer.term(raw)
        id = term ? this.#termId(term) : -1
        if (this.#rawIds.size >= 4_000_000) this.#rawIds = new Map()
        this.#rawIds.set(raw, id)
      }
      if (id < 0) return
      length++
      if (this.#seen[id] !== mark) {
        this.#seen[id] = mark
        this.#freqs[id] = 1
        this.#docTerms.push(id)
      } else this.#freqs[id]++
    })
    for (const id of this.#docTerms) this.#pushPair(id, Math.min(this.#freqs[id] as number, MAX_FREQ))
    if (docNo >= this.#norms.length) this.#growDocs()
    this.#docPairs[docNo] = this.#docTerms.length
    this.#docTerms.length = 0
    this.#norms[docNo] = lengthToNorm(length)
    this.#totalTerms += length
    this.#storeDoc(doc, docNo)
    this.#ids.push(doc.id)
    this.#docCount++
    if ((this.#docCount & 1023) === 0) this.#task.advance(1024)
  }

  #termId(term: string): number {
    let id = this.#termIds.get(term)
    if (id !== undefined) return id
    id = this.#terms.length
    this.#terms.push(term)
    this.#termIds.set(term, id)
    if (id >= this.#seen.length) {
      const seen = new Int32Array(this.#seen.length * 2)
      seen.set(this.#seen)
      this.#seen = seen
      const freqs = new Uint32Array(this.#freqs.length * 2)
      freqs.set(this.#freqs)
      this.#freqs = freqs
    }
    return id
  }

  #pushPair(termId: number, freq: number): void {
    if (this.#pairPos === PAIR_CHUNK) {
      this.#pairTerms.push(new Uint32Array(PAIR_CHUNK))
      this.#pairFreqs.push(new Uint16Array(PAIR_CHUNK))
      this.#pairPos = 0
    }
    ;(this.#pairTerms[this.#pairTerms.length - 1] as Uint32Array)[this.#pairPos] = termId
    ;(this.#pairFreqs[this.#pairFreqs.length - 1] as Uint16Array)[this.#pairPos] = freq
    this.#pairPos++
    this.#pairCount++
  }

  #growDocs(): void {
    const size = this.#norms.length * 2
    const norms = new Uint8Array(size)
    norms.set(this.#norms)
    this.#norms = norms
    const pairs = new Uint32Array(size)
    pairs.set(this.#docPairs)
    this.#docPairs = pairs
    const offsets = new Float64Array(size + 1)
    offsets.set(this.#docOffsets)
    this.#docOffsets = offsets
  }

  #storeDoc(doc: CorpusDocument, docNo: number): void {
    const bytes = Buffer.from(JSON.stringify([doc.id, doc.title, doc.text, doc.url ?? null]))
    this.#docOffsets[docNo] = this.#docsBytes
    this.#docsBytes += bytes.length
    this.#docsBuffer.push(bytes)
    this.#docsBuffered += bytes.length
    if (this.#docsBuffered >= 1 << 22) this.#flushDocs()
  }

  #flushDocs(): void {
    if (this.#docsBuffered === 0) return
    writeAll(this.#docsFd, Buffer.concat(this.#docsBuffer, this.#docsBuffered))
    this.#docsBuffer = []
    this.#docsBuffered = 0
  }

  /** Writes the postings and meta.json, then moves the finished index into place. Returns its meta. */
  finish(): IndexMeta {
    if (this.#finished) throw new Error('Bm25IndexWriter: finish() twice')
    this.#finished = true
    this.#flushDocs()
    closeSync(this.#docsFd)
    this.#docOffsets[this.#docCount] = this.#docsBytes
    this.#task.advance(this.#docCount & 1023)
    this.#task.done(`${this.#terms.length} terms, ${this.#pairCount} postings`)
    const files: Record<string, number> = {}
    const put = (name: string, array: ArrayBufferView): void => {
      const fd = openSync(join(this.#partial, name), 'w')
      writeAll(fd, Buffer.from(array.buffer, array.byteOffset, array.byteLength))
      closeSync(fd)
      files[name] = array.byteLength
    }
    files[FILES.docs] = this.#docsBytes

    // Lexicon in JS string order (the reader binary-searches with the same comparison).
    const termCount = this.#terms.length
    const terms = this.#terms
    const order = Array.from({length: termCount}, (_, i) => i).sort((x, y) => (terms[x] as string) < (terms[y] as string) ? -1 : 1)
    const rank = new Uint32Array(termCount)
    for (let r = 0; r < termCount; r++) rank[order[r] as number] = r
    const termBytes = Buffer.from(order.map((i) => terms[i]).join(''))
    const termOffsets = new Uint32Array(termCount + 1)
    let offset = 0
    for (let r = 0; r < termCount; r++) {
      termOffsets[r] = offset
      offset += Buffer.byteLength(terms[order[r] as number] as string)
    }
    termOffsets[termCount] = offset
    put(FILES.terms, termBytes)
    put(FILES.termOffsets, termOffsets)

    const df = new Uint32Array(termCount)
    this.#forEachPair((_doc, term) => {
      df[rank[term] as number]++
    })
    put(FILES.termDf, df)

    // Counting sort of the pairs into term order; documents arrive ascending, so each term's list is sorted.
    const postingCount = this.#pairCount
    const cursor = new Float64Array(termCount)
    let blockCount = 0
    for (let r = 0, at = 0; r < termCount; r++) {
      cursor[r] = at
      at += df[r] as number
      blockCount += Math.ceil((df[r] as number) / BLOCK_SIZE)
    }
    const postingDocs = new Uint32Array(postingCount)
    const postingFreqs = new Uint16Array(postingCount)
    this.#forEachPair((doc, term, freq) => {
      const r = rank[term] as number
      const at = cursor[r] as number
      postingDocs[at] = doc
      postingFreqs[at] = freq
      cursor[r] = at + 1
    })
    this.#pairTerms.length = 0
    this.#pairFreqs.length = 0
    put(FILES.postingDocs, postingDocs)
    put(FILES.postingFreqs, postingFreqs)

    const blockLast = new Uint32Array(blockCount)
    const blockMaxFreq = new Uint16Array(blockCount)
    const blockMinNorm = new Uint8Array(blockCount)
    const norms = this.#norms
    for (let r = 0, at = 0, block = 0; r < termCount; r++) {
      const end = at + (df[r] as number)
      for (let start = at; start < end; start += BLOCK_SIZE, block++) {
        const stop = Math.min(end, start + BLOCK_SIZE)
        let maxFreq = 0
        let minNorm = 255
        for (let p = start; p < stop; p++) {
          const f = postingFreqs[p] as number
          if (f > maxFreq) maxFreq = f
          const n = norms[postingDocs[p] as number] as number
          if (n < minNorm) minNorm = n
        }
        blockLast[block] = postingDocs[stop - 1] as number
        blockMaxFreq[block] = maxFreq
        blockMinNorm[block] = minNorm
      }
      at = end
    }
    put(FILES.blockLast, blockLast)
    put(FILES.blockMaxFreq, blockMaxFreq)
    put(FILES.blockMinNorm, blockMinNorm)
    this.#writeIds(put)
    put(FILES.norms, this.#norms.subarray(0, this.#docCount))
    put(FILES.docOffsets, this.#docOffsets.subarray(0, this.#docCount + 1))

    const meta: IndexMeta = {
      format: INDEX_FORMAT,
      version: INDEX_VERSION,
      analyzer: this.#analyzer.name,
      k1: this.#k1,
      b: this.#b,
      docCount: this.#docCount,
      totalTerms: this.#totalTerms,
      termCount,
      postingCount,
      blockCount,
      blockSize: BLOCK_SIZE,
      files,
      createdAt: this.#now().toISOString(),
    }
    // meta.json last: an index without it is an interrupted build, and the reader says so.
    writeFileSync(join(this.#partial, FILES.meta), JSON.stringify(meta, null, 2) + '\n')
    rmSync(this.#out, {recursive: true, force: true})
    renameSync(this.#partial, this.#out)
    return meta
  }

  /** Sorted ids with their document numbers, so `access` can open `doc:<id>` without a scan. */
  #writeIds(put: (name: string, array: ArrayBufferView) => void): void {
    const ids = this.#ids
    const order = Array.from({length: ids.length}, (_, i) => i).sort((x, y) => {
      const a = ids[x] as string
      const b = ids[y] as string
      return a < b ? -1 : a > b ? 1 : x - y
    })
    const offsets = new Float64Array(ids.length + 1)
    const docs = new Uint32Array(ids.length)
    let at = 0
    for (let r = 0; r < order.length; r++) {
      const docNo = order[r] as number
      offsets[r] = at
      at += Buffer.byteLength(ids[docNo] as string)
      docs[r] = docNo
    }
    offsets[ids.length] = at
    put(FILES.ids, Buffer.from(order.map((i) => ids[i]).join('')))
    put(FILES.idOffsets, offsets)
    put(FILES.idDocs, docs)
    this.#ids.length = 0
  }

  /** Drops a build that will not be finished (the partial directory is removed). */
  abort(): void {
    if (this.#finished) return
    this.#finished = true
    try {
      closeSync(this.#docsFd)
    } catch {}
    rmSync(this.#partial, {recursive: true, force: true})
  }

  #forEachPair(visit: (doc: number, term: number, freq: number) => void): void {
    let doc = 0
    let left = this.#docCount > 0 ? (this.#docPairs[0] as number) : 0
    for (let c = 0; c < this.#pairTerms.length; c++) {
      const termsChunk = this.#pairTerms[c] as Uint32Array
      const freqsChunk = this.#pairFreqs[c] as Uint16Array
      const n = Math.min(PAIR_CHUNK, this.#pairCount - c * PAIR_CHUNK)
      for (let i = 0; i < n; i++) {
        while (left === 0) left = this.#docPairs[++doc] as number
        visit(doc, termsChunk[i] as number, freqsChunk[i] as number)
        left--
      }
    }
  }
}

function writeAll(fd: number, buffer: Buffer): void {
  const step = 1 << 28
  for (let at = 0; at < buffer.length; ) {
    at += writeSync(fd, buffer, at, Math.min(step, buffer.length - at))
  }
}

/** The output may be new, empty, or an earlier ars index (replaced); anything else is refused. */
function checkOutput(out: string): void {
  if (!existsSync(dirname(out))) throw new UsageError(`--out ${out}: parent directory does not exist`, {fix: 'Create the parent directory first.'})
  if (!existsSync(out)) return
  let entries: string[]
  try {
    entries = readdirSync(out)
  } catch {
    throw new UsageError(`--out ${out}: exists and is not a directory`, {fix: 'Name a new directory for the index.'})
  }
  if (entries.length > 0 && !entries.includes(FILES.meta)) {
    throw new UsageError(`--out ${out}: directory exists, is not empty and holds no ars index (no meta.json)`, {fix: 'Name a new or empty directory; an existing ars index there would be replaced.'})
  }
}
