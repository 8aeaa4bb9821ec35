// Golden runs of the real `ars rollout` and `ars serve model` binaries: ordered output with rewards, -n, resume
// (including a cut last line), `| head -1`, SIGINT, an unreachable server, a server without logprobs, and the
// same trajectories in process and through the served model.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {mkdtempSync, readFileSync, writeFileSync, appendFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {BIN, lines, runCli, runShell, waitForServerUrl} from '../helpers/cli.js'
import {buildBm25} from '../helpers/bm25.js'
import {ModelServer} from '../../src/llm/server.js'
import {ScriptedModel} from '../../src/llm/scripted.js'
import {ByteTokenizer} from '../../src/llm/byte-tokenizer.js'
import {TrajectoryType, parseRecord, type Trajectory} from '../../src/core/records/index.js'

const dir = mkdtempSync(join(tmpdir(), 'ars-rollout-cli-'))
const {dir: index} = await buildBm25([
  {id: 'brenn', title: 'Brenn', text: 'Brenn is the capital of Veltria. The river Osk flows through Brenn.'},
  {id: 'harrow', title: 'Harrow Guild', text: 'The Harrow Guild was founded by Mira Tal in 1931.'},
])
const scriptFile = join(dir, 'script.jsonl')
writeFileSync(scriptFile, [
  {match: 'Veltria', turns: ['<think>capital first</think><search>capital of Veltria river</search>', '<access>doc:brenn</access>', '<answer>Osk</answer>']},
  {match: 'Harrow', turns: ['<search>Harrow Guild founder</search>', '<answer>Mira Tal</answer>']},
  {turns: ['<think>no idea</think>'], cycle: true},
].map((s) => JSON.stringify(s)).join('\n') + '\n')
const slowScript = join(dir, 'slow.jsonl')
writeFileSync(slowScript, JSON.stringify({turns: [{text: '<answer>Osk</answer>', delay_ms: 400}]}) + '\n')
const questionLines = [
  {id: 'q1', question: 'Which river flows through the capital of Veltria?', answers: ['Osk']},
  {id: 'q2', question: 'Who founded the Harrow Guild?', answers: ['Mira Tal', 'M. Tal']},
  {id: 'q3', question: 'What is unknowable?', answers: []},
].map((q) => JSON.stringify(q)).join('\n') + '\n'
const many = Array.from({length: 12}, (_, i) => JSON.stringify({id: `m${i}`, question: `Question ${i} about Veltria?`, answers: ['Osk']})).join('\n') + '\n'
const base = ['rollout', '--model', `scripted:${scriptFile}`, '--tokenizer', 'byte', '--search', index, '--max-turns', '4', '-q']

test('rollout writes ordered, valid trajectories with rewards, loss masks and -n samples', async () => {
  const r = await runCli([...base, '-n', '2', '--seed', '3', '--concurrency', '3'], {input: questionLines})
  assert.equal(r.code, 0, r.stderr)
  const out = lines(r.stdout).map((v, i) => parseRecord(TrajectoryType, v, `stdout:${i + 1}`))
  assert.deepEqual(out.map((t) => t.id), ['q1#0', 'q1#1', 'q2#0', 'q2#1', 'q3#0', 'q3#1'])
  assert.deepEqual(out.map((t) => t.reward), [1, 1, 1, 1, null, null])
  assert.deepEqual(out.map((t) => t.finish_reason), ['answer', 'answer', 'answer', 'answer', 'turn_limit', 'turn_limit'])
  const q1 = out[0] as Trajectory
  assert.deepEqual(q1.tool_calls.map((c) => c.name), ['search', 'access'])
  assert.equal(q1.token_ids.length, q1.loss_mask.length)
  assert.equal(new ByteTokenizer().decode(q1.token_ids.filter((_, i) => q1.loss_mask[i] === 1)), q1.messages.filter((m) => m.role === 'assistant').map((m) => m.content).join(''))
  assert.equal(out[4]!.stats.malformed_actions, 4)
})

test('--resume appends only missing episodes and repairs a cut last line', async () => {
  const outFile = join(dir, 'resume.jsonl')
  const first = await runCli([...base, '--out', outFile], {input: questionLines.split('\n').slice(0, 1).join('\n') + '\n'})
  assert.equal(first.code, 0, first.stderr)
  appendFileSync(outFile, '{"type":"trajectory","id":"q2#0","quest') // a writer killed mid-line
  const second = await runCli([...base, '--out', outFile, '--resume'], {input: questionLines})
  assert.equal(second.code, 0, second.stderr)
  assert.match(second.stderr, /removed a partial last line/)
  const ids = readFileSync(outFile, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as {id: string}).id)
  assert.deepEqual(ids, ['q1#0', 'q2#0', 'q3#0'])
  const third = await runCli([...base, '--out', outFile, '--resume'], {input: questionLines})
  assert.equal(third.code, 0, third.stderr)
  assert.equal(readFileSync(outFile, 'utf8').trim().split('\n').length, 3, 'nothing left to do, nothing appended')
  const bad = await runCli([...base, '--resume'], {input: questionLines})
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /--resume needs --out/)
})

test('`ars rollout | head -1` exits 0', async () => {
  const r = await runShell(`$ARS ${base.map((a) => `'${a}'`).join(' ')} --concurrency 1 | head -1; echo "status=\${PIPESTATUS[0]}"`, {input: many})
  assert.match(r.stdout, /status=0/)
  assert.equal((JSON.parse(r.stdout.split('\n')[0] as string) as {id: string}).id, 'm0#0')
})

test('SIGINT finishes in-flight episodes, writes whole lines only, exits 130', async () => {
  const child = spawn(process.execPath, [BIN, 'rollout', '--model', `scripted:${slowScript}`, '--search', index, '--concurrency', '2', '-q'], {stdio: ['pipe', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString()
  })
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  child.stdin.end(many)
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (stdout.includes('\n')) {
        clearInterval(check)
        resolve()
      }
    }, 20)
  })
  child.kill('SIGINT')
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  assert.equal(code, 130, stderr)
  assert.match(stderr, /interrupted/)
  const ids = (lines(stdout) as {id: string}[]).map((r) => r.id)
  assert.ok(ids.length >= 1 && ids.length < 12, `${ids.length} written`)
  assert.deepEqual(ids, ids.map((_, i) => `m${i}#0`), 'an in-order prefix')
})

test('an unreachable model server is a clear error naming the URL and the fix', async () => {
  const probe = createServer()
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
  const port = (probe.address() as AddressInfo).port
  await new Promise<void>((r) => probe.close(() => r()))
  const r = await runCli(['rollout', '--model', 'openai:tiny', '--base-url', `http://127.0.0.1:${port}/v1`, '--search', index, '-q'], {input: questionLines, timeoutMs: 60_000})
  assert.equal(r.code, 1)
  assert.match(r.stderr, new RegExp(`error: cannot get a completion from http://127\\.0\\.0\\.1:${port}/v1/chat/completions after 4 attempts: ECONNREFUSED`))
  assert.match(r.stderr, /fix: Start the model server/)
  assert.equal(r.stdout, '')
})

test('a server without logprobs fails clearly when token-level trajectories need them', async () => {
  const server = new ModelServer(ScriptedModel.fromFile(scriptFile, {tokenizer: new ByteTokenizer()}), {modelName: 'tiny', logprobs: false})
  const url = await server.listen(0)
  try {
    const r = await runCli(['rollout', '--model', 'openai:tiny', '--base-url', url, '--tokenizer', 'byte', '--search', index, '-q'], {input: questionLines})
    assert.equal(r.code, 1)
    assert.match(r.stderr, /returned no per-token logprobs, which training trajectories need/)
    // Text-only trajectories (no tokenizer) do not need them.
    const ok = await runCli(['rollout', '--model', 'openai:tiny', '--base-url', url, '--search', index, '-q', '--max-turns', '4'], {input: questionLines})
    assert.equal(ok.code, 0, ok.stderr)
    assert.equal(lines(ok.stdout).length, 3)
  } finally {
    await server.close()
  }
})

test('ars serve model + openai provider gives the same trajectories as the model in process', async () => {
  const server = spawn(process.execPath, [BIN, 'serve', 'model', '--model', `scripted:${scriptFile}`, '--tokenizer', 'byte', '--port', '0', '--name', 'tiny', '-q'], {stdio: ['ignore', 'ignore', 'pipe']})
  try {
    const url = await waitForServerUrl(server, /at (http:\/\/\S+\/v1)/)
    const remote = await runCli(['rollout', '--model', 'openai:tiny', '--base-url', url, '--tokenizer', 'byte', '--search', index, '--max-turns', '4', '-q'], {input: questionLines})
    const local = await runCli(base, {input: questionLines})
    assert.equal(remote.code, 0, remote.stderr)
    const strip = (t: Record<string, unknown>) => ({...t, model: '', tool_calls: (t.tool_calls as Array<Record<string, unknown>>).map((c) => ({...c, started_ms: 0, duration_ms: 0})), stats: {...(t.stats as object), wall_ms: 0}})
    assert.deepEqual(lines(remote.stdout).map((t) => strip(t as Record<string, unknown>)), lines(local.stdout).map((t) => strip(t as Record<string, unknown>)))
  } finally {
    server.kill('SIGINT')
    await new Promise((r) => server.on('close', r))
  }
})
