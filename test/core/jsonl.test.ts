import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync, mkdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {Readable, Writable} from 'node:stream'
import {InvalidPolicy, readJsonl, writeJsonl, type JsonLine} from '../../src/core/jsonl.js'
import {DataError, UsageError} from '../../src/core/errors.js'

const tmp = mkdtempSync(join(tmpdir(), 'ars-jsonl-'))

async function collect(it: AsyncIterable<JsonLine>): Promise<JsonLine[]> {
  const out: JsonLine[] = []
  for await (const x of it) out.push(x)
  return out
}

/** A stdin stand-in that delivers the bytes in chunks of `size`, to cross lines and UTF-8 sequences. */
function chunked(data: Buffer, size: number): Readable {
  const parts: Buffer[] = []
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size))
  return Readable.from(parts)
}

test('reads values with 1-based line numbers across tiny chunks, multi-byte UTF-8 split between chunks', async () => {
  const text = '{"a":"héllo"}\n{"b":"日本語"}\n\n  \n{"c":"🙂"}\n'
  for (const size of [1, 2, 3, 7, 1000]) {
    const got = await collect(readJsonl('-', {stdin: chunked(Buffer.from(text), size)}))
    assert.deepEqual(got.map((g) => [g.line, g.value]), [[1, {a: 'héllo'}], [2, {b: '日本語'}], [5, {c: '🙂'}]], `chunk size ${size}`)
    assert.equal(got[0]!.source, 'stdin')
  }
})

test('a last line without newline, CRLF endings and a BOM are all fine', async () => {
  const text = '\ufeff{"a":1}\r\n{"a":2}\r\n{"a":3}'
  const got = await collect(readJsonl('-', {stdin: chunked(Buffer.from(text), 4)}))
  assert.deepEqual(got.map((g) => g.value), [{a: 1}, {a: 2}, {a: 3}])
})

test('a top-level JSON array of records reads as its elements, each on the line where it starts', async () => {
  const text = '\ufeff  \n[\n  {"q": "a, [b]", "n": 1},\n  {"q": "c\\"]"},\n\n  {"q": "x",\n   "n": 3}\n]\n'
  for (const size of [1, 3, 1000]) {
    const got = await collect(readJsonl('-', {stdin: chunked(Buffer.from(text), size)}))
    assert.deepEqual(got.map((g) => [g.line, g.value]), [[3, {q: 'a, [b]', n: 1}], [4, {q: 'c"]'}], [6, {q: 'x', n: 3}]], `chunk size ${size}`)
  }
  assert.deepEqual(await collect(readJsonl('-', {stdin: chunked(Buffer.from('[]'), 1)})), [])
  // Not one JSON array after all: read as JSONL, so the bad line is named.
  await assert.rejects(collect(readJsonl('-', {stdin: chunked(Buffer.from('[1, 2]\n{"a": }\n'), 5)})), (e: unknown) => e instanceof DataError && e.message.startsWith('stdin:2: malformed JSON'))
  // A parquet file is named as such, with the command that reads it.
  await assert.rejects(collect(readJsonl('-', {stdin: chunked(Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(20)]), 3)})), (e: unknown) => e instanceof DataError && /stdin:1: this is a parquet file/.test(e.message) && /ars records convert -i FILE\.parquet/.test(e.fix ?? ''))
})

test('files, several inputs in order, and gzip by extension', async () => {
  const a = join(tmp, 'a.jsonl')
  const b = join(tmp, 'b.jsonl.gz')
  writeFileSync(a, '{"n":1}\n{"n":2}\n')
  writeFileSync(b, gzipSync('{"n":3}\n'))
  const got = await collect(readJsonl([a, b]))
  assert.deepEqual(got.map((g) => [g.source, g.line, g.value]), [[a, 1, {n: 1}], [a, 2, {n: 2}], [b, 1, {n: 3}]])
})

test('malformed JSON names the line; fail mode throws a DataError', async () => {
  const text = '{"ok":1}\n{"ok":2}\n{oops}\n{"ok":4}\n'
  await assert.rejects(collect(readJsonl('-', {stdin: chunked(Buffer.from(text), 5)})), (e: unknown) => e instanceof DataError && e.exit === 1 && /^stdin:3: malformed JSON/.test(e.message))
})

test('skip and warn carry on past bad lines and count them', async () => {
  const text = '{"ok":1}\n{oops}\n[1,\n{"ok":4}\n'
  const warnings: string[] = []
  const policy = new InvalidPolicy('warn', (m) => warnings.push(m))
  const got = await collect(readJsonl('-', {stdin: chunked(Buffer.from(text), 3), policy}))
  assert.deepEqual(got.map((g) => g.value), [{ok: 1}, {ok: 4}])
  assert.equal(policy.invalid, 2)
  assert.equal(warnings.length, 2)
  assert.match(warnings[0]!, /^stdin:2: malformed JSON/)
  const skip = new InvalidPolicy('skip', () => assert.fail('skip must not print'))
  await collect(readJsonl('-', {stdin: chunked(Buffer.from(text), 3), policy: skip}))
  assert.equal(skip.invalid, 2)
})

test('a truncated last line is reported as such', async () => {
  const text = '{"a":1}\n{"a":2,"b":"unfinis'
  await assert.rejects(collect(readJsonl('-', {stdin: chunked(Buffer.from(text), 8)})), /^Error: stdin:2: truncated last line|stdin:2: truncated last line/)
})

test('binary data and invalid UTF-8 are named, on the right line', async () => {
  const bin = Buffer.concat([Buffer.from('{"a":1}\n{"a":2}\n'), Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]), Buffer.from('{"a":4}\n')])
  await assert.rejects(collect(readJsonl('-', {stdin: chunked(bin, 64)})), (e: unknown) => e instanceof DataError && /^stdin:3: not text: binary data or invalid UTF-8/.test(e.message))
  const nul = Buffer.from('\u0000\u0001\u0002PNG\n')
  await assert.rejects(collect(readJsonl('-', {stdin: chunked(nul, 64)})), /stdin:1: not text/)
})

test('a missing file, a directory and bad gzip are clear errors', async () => {
  await assert.rejects(collect(readJsonl(join(tmp, 'nope.jsonl'))), (e: unknown) => e instanceof UsageError && e.exit === 2 && /nope\.jsonl: no such file/.test(e.message))
  const dir = join(tmp, 'adir')
  mkdirSync(dir, {recursive: true})
  await assert.rejects(collect(readJsonl(dir)), /is a directory, expected a JSONL file/)
  const fake = join(tmp, 'fake.jsonl.gz')
  writeFileSync(fake, '{"not":"gzip"}\n')
  await assert.rejects(collect(readJsonl(fake)), (e: unknown) => e instanceof DataError && /fake\.jsonl\.gz:1: not valid gzip data/.test(e.message))
})

test('every input path is checked before any record is read', async () => {
  const good = join(tmp, 'good.jsonl')
  writeFileSync(good, '{"a":1}\n')
  const seen: unknown[] = []
  await assert.rejects((async () => {
    for await (const x of readJsonl([good, join(tmp, 'missing.jsonl')])) seen.push(x)
  })(), /missing\.jsonl: no such file/)
  assert.equal(seen.length, 0)
})

class SlowSink extends Writable {
  chunks: string[] = []
  maxBuffered = 0
  constructor() {
    super({highWaterMark: 256})
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.chunks.push(chunk.toString())
    this.maxBuffered = Math.max(this.maxBuffered, this.writableLength)
    setTimeout(cb, 1)
  }
}

test('writeJsonl writes every record in order and honours backpressure', async () => {
  const sink = new SlowSink()
  let pulled = 0
  async function* source() {
    for (let i = 0; i < 2000; i++) {
      pulled++
      yield {i, pad: 'x'.repeat(50)}
    }
  }
  const n = await writeJsonl(source(), sink, {highWaterMark: 1024})
  assert.equal(n, 2000)
  assert.equal(pulled, 2000)
  const out = sink.chunks.join('').trim().split('\n').map((l) => JSON.parse(l).i)
  assert.deepEqual(out, Array.from({length: 2000}, (_, i) => i))
  // Without waiting for drain, the whole 130 KB would pile up in the stream's buffer.
  assert.ok(sink.maxBuffered < 8 * 1024, `buffered ${sink.maxBuffered} bytes`)
})

test('writeJsonl flushes what it has before a source error propagates', async () => {
  const sink = new SlowSink()
  async function* source() {
    yield {a: 1}
    yield {a: 2}
    throw new DataError('bad line', {where: 'stdin:3'})
  }
  await assert.rejects(writeJsonl(source(), sink), /stdin:3: bad line/)
  await new Promise((r) => sink.end(r))
  assert.equal(sink.chunks.join(''), '{"a":1}\n{"a":2}\n')
})

test('a slow producer’s records appear before the stream ends', async () => {
  const sink = new SlowSink()
  let seenEarly = ''
  async function* source() {
    yield {first: true}
    await new Promise((r) => setTimeout(r, 30))
    seenEarly = sink.chunks.join('')
    yield {second: true}
  }
  await writeJsonl(source(), sink)
  assert.equal(seenEarly, '{"first":true}\n')
})
