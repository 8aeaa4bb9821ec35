// `ars rollout` on the embedded world: the oracle solves world questions with the world's BM25 index, and the
// tiny model gives identical greedy trajectories in process (onnx provider) and through `ars serve model`
// (openai provider with the folder's tokenizer).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdtempSync, mkdirSync, readFileSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {BIN, ROOT, lines, runCli, waitForServerUrl} from '../helpers/cli.js'
import {buildIndex, readCorpus} from '../../src/search/bm25/build-index.js'
import {InvalidPolicy} from '../../src/core/jsonl.js'
import {TrajectoryType, parseRecord} from '../../src/core/records/index.js'
import {makeTinyAgentModel} from '../helpers/tiny-agent-model.js'

const source = join(ROOT, 'datasets', 'world-small')
const world = join(mkdtempSync(join(tmpdir(), 'ars-world-rollout-')), 'world')
mkdirSync(world)
for (const f of ['world.json', 'kb.jsonl', 'site', 'corpus.jsonl', 'questions']) symlinkSync(join(source, f), join(world, f))
await buildIndex(readCorpus(join(source, 'corpus.jsonl'), new InvalidPolicy('fail')), join(world, 'index'))
const questions = readFileSync(join(source, 'questions', 'dev.jsonl'), 'utf8').split('\n').slice(0, 3).join('\n') + '\n'

test('the oracle solves world questions through ars rollout', async () => {
  const r = await runCli(['rollout', '--model', 'oracle', '--search', world, '-q', '--reward', 'em'], {input: questions})
  assert.equal(r.code, 0, r.stderr)
  const out = lines(r.stdout).map((v) => parseRecord(TrajectoryType, v))
  assert.equal(out.length, 3)
  for (const t of out) {
    assert.equal(t.id, `${t.question_id}#0`)
    assert.equal(t.finish_reason, 'answer')
    assert.equal(t.reward, 1, `${t.question}: answered ${t.answer}, gold ${t.answers.join('|')}`)
    assert.ok(t.tool_calls.some((c) => c.name === 'search') && t.tool_calls.some((c) => c.name === 'access'))
  }
})

test('tiny model on the world: in process and via ars serve model, identical greedy trajectories', async () => {
  const tiny = await makeTinyAgentModel(5)
  const args = ['--search', world, '--temperature', '0', '--max-turns', '2', '--max-tokens-per-turn', '12', '-q', '--seed', '4']
  const local = await runCli(['rollout', '--model', tiny.dir, ...args], {input: questions, timeoutMs: 180_000})
  assert.equal(local.code, 0, local.stderr)
  const server = spawn(process.execPath, [BIN, 'serve', 'model', '--model', tiny.dir, '--port', '0', '--name', 'tiny', '-q'], {stdio: ['ignore', 'ignore', 'pipe']})
  try {
    const url = await waitForServerUrl(server, /at (http:\/\/\S+\/v1)/)
    const remote = await runCli(['rollout', '--model', 'openai:tiny', '--base-url', url, '--tokenizer', tiny.dir, ...args], {input: questions, timeoutMs: 180_000})
    assert.equal(remote.code, 0, remote.stderr)
    const a = lines(local.stdout).map((v) => parseRecord(TrajectoryType, v))
    const b = lines(remote.stdout).map((v) => parseRecord(TrajectoryType, v))
    assert.equal(a.length, 3)
    for (let i = 0; i < a.length; i++) {
      for (const key of ['token_ids', 'loss_mask', 'version_spans', 'messages', 'answer', 'reward', 'finish_reason'] as const) assert.deepEqual(b[i]![key], a[i]![key], `${a[i]!.id} ${key}`)
      // Float32 sums depend on how requests share a batch (padding, batch size), so log-probs agree to ~1e-7, not bit for bit.
      a[i]!.behaviour_logprobs.forEach((v, j) => assert.ok(Math.abs(v - b[i]!.behaviour_logprobs[j]!) < 1e-5, `${a[i]!.id} token ${j}: ${v} vs ${b[i]!.behaviour_logprobs[j]}`))
      assert.ok(a[i]!.loss_mask.includes(1))
    }
  } finally {
    server.kill('SIGINT')
    await new Promise((r) => server.on('close', r))
  }
})
