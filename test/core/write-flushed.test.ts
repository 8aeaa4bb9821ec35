// "done, N written" is printed only once the records have left the process: writeJsonl resolves after the last
// write's callback, and `ars rollout` reports its count after its output is flushed (checked with a stdout
// pipe nobody reads: the summary must wait for the reader).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Writable} from 'node:stream'
import {writeJsonl} from '../../src/core/jsonl.js'
import {BIN} from '../helpers/cli.js'
import {buildBm25} from '../helpers/bm25.js'

test('writeJsonl resolves only after a slow sink has taken every line', async () => {
  const received: string[] = []
  const sink = new Writable({
    highWaterMark: 1 << 20, // a roomy buffer: write() returns true long before the data is taken
    write(chunk: Buffer, _encoding, callback) {
      setTimeout(() => {
        received.push(chunk.toString())
        callback()
      }, 30)
    },
  })
  const records = Array.from({length: 50}, (_, i) => ({i, pad: 'x'.repeat(2000)}))
  const count = await writeJsonl(records, sink, {highWaterMark: 10_000})
  assert.equal(count, 50)
  assert.equal(received.join('').split('\n').filter(Boolean).length, 50, 'every line reached the sink before writeJsonl resolved')
})

test('writeJsonl rethrows a write error instead of reporting success', async () => {
  const sink = new Writable({write: (_c, _e, callback) => callback(new Error('ENOSPC: no space left on device'))})
  sink.on('error', () => {})
  await assert.rejects(writeJsonl([{a: 1}], sink), /ENOSPC/)
})

test('ars rollout prints "N written" only after its stdout was read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ars-flushed-'))
  const script = join(dir, 'script.jsonl')
  writeFileSync(script, JSON.stringify({turns: [`<think>${'long thought '.repeat(800)}</think><answer>Osk</answer>`], cycle: true}) + '\n')
  // ~40 trajectories of ~30 KB each: far more than a pipe buffer, so output stalls until someone reads it.
  const questions = Array.from({length: 40}, (_, i) => JSON.stringify({id: `q${i}`, question: `Question ${i}?`, answers: ['Osk']})).join('\n') + '\n'
  const {dir: index} = await buildBm25([{id: 'osk', title: 'Osk', text: 'The river Osk.'}])
  const child = spawn(process.execPath, [BIN, 'rollout', '--model', `scripted:${script}`, '--tokenizer', 'byte', '--search', index, '--max-turns', '1'], {stdio: ['pipe', 'pipe', 'pipe'], env: {...process.env, ARS_CONFIG: ''}})
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  child.stdin.end(questions)
  child.stdout.pause()
  await new Promise((resolve) => setTimeout(resolve, 4000))
  assert.doesNotMatch(stderr, /written/, `nothing claims "written" while stdout is unread:\n${stderr}`)
  let stdout = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stdout.resume()
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  assert.equal(code, 0, stderr)
  const written = Number(/(\d+) written/.exec(stderr)?.[1])
  assert.equal(written, 40)
  assert.equal(stdout.split('\n').filter(Boolean).length, written)

  // With --out, "written" means the file is closed: a kill -9 the moment it is printed loses nothing.
  const outFile = join(dir, 'out.jsonl')
  const second = spawn(process.execPath, [BIN, 'rollout', '--model', `scripted:${script}`, '--tokenizer', 'byte', '--search', index, '--max-turns', '1', '--out', outFile], {stdio: ['pipe', 'ignore', 'pipe'], env: {...process.env, ARS_CONFIG: ''}})
  second.stdin.end(questions)
  await new Promise<void>((resolve) => {
    let text = ''
    second.stderr.on('data', (d: Buffer) => {
      text += d.toString()
      if (/written/.test(text)) {
        second.kill('SIGKILL')
        resolve()
      }
    })
  })
  await new Promise((resolve) => second.on('close', resolve))
  assert.equal(readFileSync(outFile, 'utf8').split('\n').filter(Boolean).length, 40)
})
