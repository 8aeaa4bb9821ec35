// Hostile lines at the JSONL boundary: nesting past MAX_JSON_DEPTH and lines past the maximum line size are
// DataErrors at file:line that --on-invalid skip|warn step over, keeping every valid record.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {Readable} from 'node:stream'
import {InvalidPolicy, MAX_JSON_DEPTH, nestedDeeperThan, readJsonl, type JsonLine} from '../../src/core/jsonl.js'
import {DataError} from '../../src/core/errors.js'
import {lines, runCli} from '../helpers/cli.js'

const question = (id: string, meta: string = '{}'): string => `{"type":"question","version":1,"id":"${id}","question":"q?","answers":["a"],"source":"t","meta":${meta}}`
const deep = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`

async function collect(stream: Readable, options: {policy?: InvalidPolicy; maxLineBytes?: number} = {}): Promise<JsonLine[]> {
  const out: JsonLine[] = []
  for await (const item of readJsonl('-', {stdin: stream, ...options})) out.push(item)
  return out
}

describe('nesting depth', () => {
  it('measures depth outside strings only', () => {
    assert.equal(nestedDeeperThan(deep(MAX_JSON_DEPTH), MAX_JSON_DEPTH), false)
    assert.equal(nestedDeeperThan(deep(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH), true)
    assert.equal(nestedDeeperThan(`{"s":"${'['.repeat(5000)}\\"${'{'.repeat(10)}"}`, MAX_JSON_DEPTH), false)
    assert.equal(nestedDeeperThan(`[${'[],'.repeat(5000)}1]`, MAX_JSON_DEPTH), false, 'many siblings are not depth')
  })

  it('a line nested 5 000 deep fails with file:line; skip keeps every valid record', async () => {
    const input = [question('q1'), question('q2', deep(5000)), question('q3'), `[${'['.repeat(4000)}${']'.repeat(4000)}]`, question('q4')].join('\n') + '\n'
    await assert.rejects(collect(Readable.from([input])), (error: unknown) => error instanceof DataError && /^stdin:2: JSON nested more than 512 levels deep/.test(error.message))
    const policy = new InvalidPolicy('skip')
    const kept = await collect(Readable.from([input]), {policy})
    assert.deepEqual(kept.map((l) => (l.value as {id: string}).id), ['q1', 'q3', 'q4'])
    assert.equal(policy.invalid, 2)
  })
})

describe('maximum line size', () => {
  it('reads a line split over many small chunks, joined once', async () => {
    const record = question('long', `{"pad":"${'x'.repeat(300_000)}"}`)
    const chunks: string[] = []
    for (let i = 0; i < record.length; i += 1000) chunks.push(record.slice(i, i + 1000))
    chunks.push('\n' + question('after') + '\n')
    const read = await collect(Readable.from(chunks.map((c) => Buffer.from(c))))
    assert.deepEqual(read.map((l) => [(l.value as {id: string}).id, l.line]), [['long', 1], ['after', 2]])
  })

  it('a line over the maximum is an error at its line; skip drops it and keeps reading', async () => {
    const big = question('big', `{"pad":"${'x'.repeat(5000)}"}`)
    const input = [question('q1'), big, question('q3'), big, question('q5')].join('\n') // last line without newline
    const chunked = (): Readable => Readable.from(Array.from({length: Math.ceil(input.length / 700)}, (_, i) => Buffer.from(input.slice(i * 700, i * 700 + 700))))
    await assert.rejects(collect(chunked(), {maxLineBytes: 4096}), /^DataError: stdin:2: line longer than 4096 bytes, the maximum line size|stdin:2: line longer than 4096 bytes/)
    const warnings: string[] = []
    const policy = new InvalidPolicy('warn', (m) => warnings.push(m))
    const kept = await collect(chunked(), {policy, maxLineBytes: 4096})
    assert.deepEqual(kept.map((l) => [(l.value as {id: string}).id, l.line]), [['q1', 1], ['q3', 3], ['q5', 5]])
    assert.deepEqual(warnings, ['stdin:2: line longer than 4096 bytes, the maximum line size', 'stdin:4: line longer than 4096 bytes, the maximum line size'])
    // The same lines arriving in one big chunk hit the same limit.
    const whole = await collect(Readable.from([Buffer.from(input)]), {policy: new InvalidPolicy('skip'), maxLineBytes: 4096})
    assert.equal(whole.length, 3)
  })
})

describe('commands keep every valid record past a hostile line', () => {
  const input = [question('q1'), question('q2', deep(4000)), question('q3')].join('\n') + '\n'
  for (const args of [['records', 'validate', '--type', 'question'], ['filter']]) {
    it(`ars ${args.join(' ')}`, async () => {
      const failed = await runCli([...args], {input})
      assert.equal(failed.code, 1)
      assert.match(failed.stderr, /stdin:2: JSON nested more than 512 levels deep/)
      assert.doesNotMatch(failed.stderr, /RangeError/)
      for (const mode of ['skip', 'warn']) {
        const result = await runCli([...args, '--on-invalid', mode], {input})
        assert.equal(result.code, 0, result.stderr)
        assert.deepEqual(lines(result.stdout).map((r) => (r as {id: string}).id), ['q1', 'q3'])
      }
    })
  }
})
