// JSONL streaming at the boundary: `readJsonl` turns files/stdin (gzip by extension) into parsed values with
// their line numbers; `writeJsonl` writes records respecting backpressure. Errors read like a compiler's:
// `path:line: message`. Whole-block UTF-8 decoding keeps the hot path to one JSON.parse per line.
import {createReadStream, statSync} from 'node:fs'
import {isUtf8} from 'node:buffer'
import {createGunzip} from 'node:zlib'
import type {Readable, Writable} from 'node:stream'
import {DataError, UsageError} from './errors.js'

export interface JsonLine {
  /** Display name of the source: a path, or `stdin`. */
  source: string
  /** 1-based line number in the source. */
  line: number
  value: unknown
}

export type OnInvalid = 'fail' | 'skip' | 'warn'
export const ON_INVALID_MODES: readonly OnInvalid[] = ['fail', 'skip', 'warn']

/** What a reader or validator does with a bad line; counts what it let through. */
export class InvalidPolicy {
  readonly mode: OnInvalid
  readonly #warn: (message: string) => void
  invalid = 0

  constructor(mode: OnInvalid = 'fail', warn: (message: string) => void = (m) => process.stderr.write(`warning: ${m}\n`)) {
    this.mode = mode
    this.#warn = warn
  }

  /** Throws in `fail` mode; otherwise records (and in `warn` mode prints) the problem and returns. */
  handle(error: DataError): void {
    if (this.mode === 'fail') throw error
    this.invalid++
    if (this.mode === 'warn') this.#warn(error.message)
  }
}

export interface ReadJsonlOptions {
  policy?: InvalidPolicy
  /** Stream to use for `-` (default process.stdin). */
  stdin?: Readable
  signal?: AbortSignal
  /** Longest line accepted, in bytes. Default MAX_LINE_BYTES (128 MiB). */
  maxLineBytes?: number
}

/** Paths (or `-` for stdin); an empty list means stdin. */
export async function* readJsonl(inputs: string | readonly string[] = [], options: ReadJsonlOptions = {}): AsyncGenerator<JsonLine> {
  const list = typeof inputs === 'string' ? [inputs] : inputs.length === 0 ? ['-'] : inputs
  const policy = options.policy ?? new InvalidPolicy('fail')
  // Open every file before reading any, so a typo in the third path fails before output starts.
  for (const input of list) if (input !== '-') checkReadable(input)
  for (const input of list) {
    const source = input === '-' ? 'stdin' : input
    const stream = openInput(input, options.stdin)
    yield* parseInput(stream, source, policy, options.signal, options.maxLineBytes ?? MAX_LINE_BYTES)
  }
}

function checkReadable(path: string): void {
  let stat
  try {
    stat = statSync(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new UsageError(`${path}: no such file`, {code: 'input-missing', fix: 'Check the path, or pipe the records on stdin.'})
    if (code === 'EACCES') throw new UsageError(`${path}: permission denied`, {code: 'input-unreadable'})
    throw new UsageError(`${path}: cannot open (${code ?? (error as Error).message})`, {code: 'input-unreadable'})
  }
  if (stat.isDirectory()) throw new UsageError(`${path}: is a directory, expected a JSONL file`, {code: 'input-directory', fix: 'Name a .jsonl or .jsonl.gz file.'})
}

function openInput(input: string, stdin: Readable | undefined): Readable {
  if (input === '-') {
    const s = stdin ?? process.stdin
    return s
  }
  const file = createReadStream(input, {highWaterMark: 1 << 20})
  if (/\.gz$/i.test(input)) return file.pipe(createGunzip())
  return file
}

/** Longest JSONL line read (bytes); a longer line is a `line-too-long` error at its file:line. */
export const MAX_LINE_BYTES = 128 * 1024 * 1024
/** Deepest nesting of objects/arrays accepted in a line; deeper is a `json-depth` error (JSON.stringify overflows
 * its stack a few thousand levels down, so a line that could be read could not be written back). */
export const MAX_JSON_DEPTH = 512

const OPEN_BRACKET = 0x5b

/**
 * JSONL, or a top-level JSON array of records (`[{…}, {…}]`, as many repositories release question sets): an
 * input whose first non-blank character is `[` is read whole and each element becomes one item, numbered by the
 * line it starts on. Records are objects, so a JSONL line never starts with `[` in a valid input; if the whole
 * input is not one JSON array it is read as JSONL after all, so its errors are reported line by line.
 */
async function* parseInput(stream: Readable, source: string, policy: InvalidPolicy, signal: AbortSignal | undefined, maxLineBytes: number): AsyncGenerator<JsonLine> {
  const iterator = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]()
  const head: Buffer[] = []
  let firstByte: number | undefined
  try {
    // Enough bytes to see past a BOM and to tell parquet's magic "PAR1".
    let size = 0
    while (firstByte === undefined || size < 4) {
      const next = await iterator.next()
      if (next.done) break
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value
      head.push(chunk)
      size += chunk.length
      if (size < 3) continue
      const joined = stripBom(head.length === 1 ? chunk : Buffer.concat(head))
      const at = joined.findIndex((b) => b !== 32 && b !== 9 && b !== 10 && b !== 13)
      if (at >= 0) firstByte = joined[at]
    }
    if (firstByte === undefined) {
      const joined = stripBom(Buffer.concat(head))
      firstByte = joined.find((b) => b !== 32 && b !== 9 && b !== 10 && b !== 13)
    }
  } catch (error) {
    throw gzipError(error, source, 1)
  }
  async function* rest(): AsyncGenerator<Buffer | string> {
    try {
      yield* head
      for (;;) {
        const next = await iterator.next()
        if (next.done) return
        yield next.value
      }
    } finally {
      // A consumer that stops early (`… | head`) closes the file, as a for-await over the stream would.
      await iterator.return?.()
    }
  }
  const start = stripBom(Buffer.concat(head)).subarray(0, 4).toString('latin1')
  if (start === 'PAR1') {
    await iterator.return?.()
    throw new DataError('this is a parquet file, not JSONL', {where: `${source}:1`, code: 'parquet', fix: `Convert its rows with \`ars records convert -i ${source === 'stdin' ? 'FILE.parquet' : source}\` (ars eval --data reads it as it is).`})
  }
  if (firstByte !== OPEN_BRACKET) {
    yield* parseStream(rest(), source, policy, signal, maxLineBytes)
    return
  }
  const chunks: Buffer[] = []
  try {
    for await (const chunk of rest()) {
      signal?.throwIfAborted()
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
    }
  } catch (error) {
    throw gzipError(error, source, 1)
  }
  const whole = stripBom(Buffer.concat(chunks))
  const text = isUtf8(whole) ? whole.toString('utf8') : undefined
  let value: unknown
  try {
    value = text === undefined ? undefined : JSON.parse(text)
  } catch {
    value = undefined
  }
  if (!Array.isArray(value) || text === undefined) {
    yield* parseStream([whole], source, policy, signal, maxLineBytes)
    return
  }
  const lines = elementLines(text)
  for (let i = 0; i < value.length; i++) yield {source, line: lines[i] ?? 1, value: value[i]}
}

/** The 1-based line on which each element of a top-level JSON array starts (the text is known to parse). */
function elementLines(text: string): number[] {
  const out: number[] = []
  let line = 1
  let depth = 0
  let inString = false
  let expectValue = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 10) line++
    if (inString) {
      if (c === 92) i++
      else if (c === 34) inString = false
      continue
    }
    if (c === 32 || c === 9 || c === 10 || c === 13) continue
    if (depth === 1 && expectValue && c !== 93) {
      out.push(line)
      expectValue = false
    }
    if (c === 34) inString = true
    else if (c === 91 || c === 123) {
      depth++
      if (depth === 1) expectValue = true
    } else if (c === 93 || c === 125) depth--
    else if (c === 44 && depth === 1) expectValue = true
  }
  return out
}

function gzipError(error: unknown, source: string, line: number): unknown {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') return new DataError(`not valid gzip data (${(error as Error).message})`, {where: `${source}:${line}`, code: 'gzip'})
  return error
}

async function* parseStream(stream: AsyncIterable<Buffer | string> | Iterable<Buffer>, source: string, policy: InvalidPolicy, signal: AbortSignal | undefined, maxLineBytes: number): AsyncGenerator<JsonLine> {
  // The unfinished last line is kept as a list of parts and joined once, when its newline arrives: appending to
  // one growing buffer per chunk made a 50 MB line cost O(n²) copying.
  let pendingParts: Buffer[] = []
  let pendingLength = 0
  let skipping = false // inside a line already reported as too long: drop bytes until its newline
  let lineNo = 0
  let first = true
  const tooLong = (line: number): void => {
    policy.handle(new DataError(`line longer than ${formatBytes(maxLineBytes)}, the maximum line size`, {where: `${source}:${line}`, code: 'line-too-long', fix: 'Split the record into smaller lines; JSONL records are meant to be small.'}))
  }
  const addPending = (bytes: Buffer): void => {
    if (skipping || bytes.length === 0) return
    if (pendingLength + bytes.length > maxLineBytes) {
      tooLong(lineNo + 1)
      skipping = true
      pendingParts = []
      pendingLength = 0
      return
    }
    pendingParts.push(Buffer.from(bytes)) // a copy: the stream may reuse its chunk
    pendingLength += bytes.length
  }
  function* lines(block: Buffer, lastWithoutNewline: boolean): Generator<JsonLine> {
    // Whole-block decode when the block is valid UTF-8; line by line only to locate a bad line.
    if (isUtf8(block)) {
      for (const text of block.toString('utf8').split('\n')) {
        lineNo++
        if (text.length > maxLineBytes) {
          tooLong(lineNo)
          continue
        }
        const item = parseLine(text, source, lineNo, policy, false, lastWithoutNewline)
        if (item) yield item
      }
      return
    }
    let start = 0
    while (start <= block.length) {
      let end = block.indexOf(10, start)
      if (end === -1) end = block.length
      const bytes = block.subarray(start, end)
      lineNo++
      if (bytes.length > maxLineBytes) tooLong(lineNo)
      else {
        const item = parseLine(bytes.toString('utf8'), source, lineNo, policy, !isUtf8(bytes), lastWithoutNewline)
        if (item) yield item
      }
      start = end + 1
    }
  }
  try {
    for await (const raw of stream) {
      signal?.throwIfAborted()
      let chunk: Buffer = typeof raw === 'string' ? Buffer.from(raw) : raw
      if (first) {
        chunk = stripBom(chunk)
        first = false
      }
      let from = 0
      if (skipping || pendingLength > 0) {
        const newline = chunk.indexOf(10)
        if (newline === -1) {
          addPending(chunk)
          continue
        }
        if (skipping) {
          lineNo++ // the over-long line, already reported
          skipping = false
        } else if (pendingLength + newline > maxLineBytes) {
          tooLong(++lineNo)
        } else {
          yield* lines(Buffer.concat([...pendingParts, chunk.subarray(0, newline)]), false)
        }
        pendingParts = []
        pendingLength = 0
        from = newline + 1
      }
      const last = chunk.lastIndexOf(10)
      if (last < from) {
        addPending(chunk.subarray(from))
        continue
      }
      yield* lines(chunk.subarray(from, last), false)
      addPending(chunk.subarray(last + 1))
    }
  } catch (error) {
    throw gzipError(error, source, lineNo + 1)
  }
  if (pendingLength > 0) yield* lines(Buffer.concat(pendingParts), true)
}

function formatBytes(bytes: number): string {
  return bytes >= 1 << 20 && bytes % (1 << 20) === 0 ? `${bytes / (1 << 20)} MiB` : `${bytes} bytes`
}

function stripBom(block: Buffer): Buffer {
  return block.length >= 3 && block[0] === 0xef && block[1] === 0xbb && block[2] === 0xbf ? block.subarray(3) : block
}

/** True when `text` nests objects/arrays more than `limit` deep (strings skipped). Counting openers with the
 * native indexOf first keeps the common case — a line with few of them — almost free. */
export function nestedDeeperThan(text: string, limit: number): boolean {
  let openers = 0
  for (const bracket of ['{', '[']) {
    for (let i = text.indexOf(bracket); i !== -1 && openers <= limit; i = text.indexOf(bracket, i + 1)) openers++
  }
  if (openers <= limit) return false
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i)
        if (d === 92) i++
        else if (d === 34) break
      }
    } else if (c === 123 || c === 91) {
      if (++depth > limit) return true
    } else if (c === 125 || c === 93) depth--
  }
  return false
}

function parseLine(text: string, source: string, line: number, policy: InvalidPolicy, badUtf8: boolean, lastWithoutNewline = false): JsonLine | undefined {
  if (text.endsWith('\r')) text = text.slice(0, -1)
  const where = `${source}:${line}`
  if (badUtf8 || text.includes('\u0000')) {
    policy.handle(new DataError('not text: binary data or invalid UTF-8 (is this a JSONL file?)', {where, code: 'binary', fix: 'Pass a UTF-8 JSONL file; gzip files must end in .gz.'}))
    return undefined
  }
  if (text.length === 0 || isBlank(text)) return undefined
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) {
    policy.handle(new DataError(`JSON nested more than ${MAX_JSON_DEPTH} levels deep`, {where, code: 'json-depth', fix: `Flatten the record; ars reads at most ${MAX_JSON_DEPTH} levels of nested objects and arrays.`}))
    return undefined
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    const message = lastWithoutNewline && looksTruncated(text)
      ? `truncated last line: the file ends inside a JSON value (${shortParseError(error)})`
      : `malformed JSON: ${shortParseError(error)}`
    policy.handle(new DataError(message, {where, code: 'json', fix: lastWithoutNewline ? 'The writer may have been killed mid-line; drop the last line or re-run it.' : 'Each line must be one complete JSON value.'}))
    return undefined
  }
  return {source, line, value}
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c !== 32 && c !== 9 && c !== 13) return false
  }
  return true
}

function looksTruncated(text: string): boolean {
  // An unterminated value: more openers than closers outside strings, or an open string.
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '{' || c === '[') depth++
    else if (c === '}' || c === ']') depth--
  }
  return inString || depth > 0
}

function shortParseError(error: unknown): string {
  return (error as Error).message.replace(/^JSON\.parse: /, '').replace(/\s+in JSON at position/, ' at position')
}

export interface WriteJsonlOptions {
  /** Bytes buffered before a write is forced (records also flush on the next event-loop turn). */
  highWaterMark?: number
}

/**
 * Write each record as one JSON line and return the count once every line has been handed to the OS (the last
 * write's callback). Small records are batched, but a slow producer's records still appear
 * promptly (flush on the next event-loop turn); when `out` is full we wait for `drain` before pulling more.
 * Always flushes what it has before rethrowing a source error, so valid records before a bad line are kept.
 */
export async function writeJsonl(records: AsyncIterable<unknown> | Iterable<unknown>, out: Writable = process.stdout, options: WriteJsonlOptions = {}): Promise<number> {
  const highWaterMark = options.highWaterMark ?? 1 << 16
  let parts: string[] = []
  let size = 0
  let count = 0
  let scheduled: NodeJS.Immediate | undefined
  let blocked: Promise<void> | undefined
  let written: Promise<Error | undefined> = Promise.resolve(undefined)

  const flush = (): void => {
    if (scheduled) {
      clearImmediate(scheduled)
      scheduled = undefined
    }
    if (parts.length === 0) return
    const text = parts.join('')
    parts = []
    size = 0
    // The callback of the last write says everything before it reached the OS (file or pipe), in order.
    written = new Promise((resolve) => out.write(text, (error) => resolve(error ?? undefined)))
    if (out.writableNeedDrain && !blocked) {
      blocked = new Promise<void>((resolve) => {
        const done = (): void => {
          out.off('drain', done)
          out.off('close', done)
          out.off('error', done)
          blocked = undefined
          resolve()
        }
        out.on('drain', done)
        out.on('close', done)
        out.on('error', done)
      })
    }
  }

  try {
    for await (const record of records) {
      const line = JSON.stringify(record) + '\n'
      parts.push(line)
      size += line.length
      count++
      if (size >= highWaterMark) flush()
      else if (!scheduled) scheduled = setImmediate(flush)
      if (blocked) await blocked
    }
  } finally {
    flush()
    if (blocked) await blocked
  }
  // Resolve only once the records are out of this process, so a summary printed next ("done, N written") is true.
  const error = await written
  if (error) throw error
  return count
}
