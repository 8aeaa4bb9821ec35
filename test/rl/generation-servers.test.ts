// `ars train --generation` on real parts: three `ars serve model` processes (real HTTP on loopback, real ONNX
// sessions) over the committed policy-search-sft, the trainer publishing every version to them through
// POST /v1/ars/weights, and one server SIGKILLed mid-run: no episode is lost and the run finishes on the survivors.
// Also the weight route itself (in-flight requests finish on and report the old version) and `--base-url` twice.
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import {join} from 'node:path'
import {existsSync, readFileSync} from 'node:fs'
import {resolveAgentTools} from '../../src/agent/resolve-tools.js'
import {agentFormat} from '../../src/agent/formats.js'
import type {AgentTools} from '../../src/agent/tools.js'
import type {TrainMetric} from '../../src/core/records/train-metric.js'
import type {Trajectory} from '../../src/core/records/trajectory.js'
import {trainRl} from '../../src/rl/controller.js'
import {GenerationPool, parseGenerationServers} from '../../src/llm/generation-pool.js'
import {HfTokenizer, readTokenizerFiles} from '../../src/model/tokenizer.js'
import {readSseData} from '../../src/llm/sse.js'
import {BIN, ROOT, runCli, lines, waitForServerUrl} from '../helpers/cli.js'
import {tmp, worldQuestions, worldWithIndex} from './rl-setup.js'

const SFT = join(ROOT, 'datasets', 'policy-search-sft')
const RL = join(ROOT, 'datasets', 'policy-search-rl')

let world: string
let tools: AgentTools
const servers: ChildProcess[] = []

/** A server; `requests()` counts the completions it answered (from its per-request log lines). */
async function startServer(model = SFT, port = 0): Promise<{child: ChildProcess; url: string; requests: () => number}> {
  const child = spawn(process.execPath, [BIN, 'serve', 'model', '-m', model, '--port', String(port), '--name', 'policy'], {cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe']})
  servers.push(child)
  let log = ''
  child.stderr!.on('data', (d: Buffer) => void (log += d.toString()))
  return {child, url: await waitForServerUrl(child), requests: () => (log.match(/^\/v1\/completions 200 /gm) ?? []).length}
}

before(async () => {
  world = await worldWithIndex()
  tools = await resolveAgentTools({search: world})
})

after(async () => {
  for (const s of servers) if (s.exitCode === null && s.signalCode === null) s.kill('SIGTERM')
  await tools?.close()
})

async function served(url: string): Promise<{version: number; path?: string}> {
  const r = await fetch(`${url}/ars/weights`)
  assert.equal(r.status, 200)
  return (await r.json()) as {version: number; path?: string}
}

test('train --generation over three servers, one SIGKILLed mid-run: every step complete, no episode lost, survivors hold the last version', async () => {
  const started = await Promise.all([startServer(), startServer(), startServer()])
  const [victim, ...survivors] = started
  const metrics: TrainMetric[] = []
  const episodes: Trajectory[] = []
  const warnings: string[] = []
  const out = join(tmp('generation'), 'run')
  const summary = await trainRl({
    model: SFT, questions: worldQuestions(8), tools, out, mode: 'one-step-off', samples: 4, batchQuestions: 2, steps: 4, maxStaleness: 1, concurrency: 8,
    learningRate: 1e-3, episode: {format: agentFormat('compact'), maxTurns: 3, maxTokensPerTurn: 32}, reward: {metric: 'f1'}, seed: 2,
    generation: parseGenerationServers(started.map((s) => s.url)),
    onMetric: (m) => void metrics.push(m),
    onEpisode: (t) => {
      episodes.push(t)
      // Mid-run: episodes are in flight on every server when this one dies.
      if (episodes.length === 3) victim!.child.kill('SIGKILL')
    },
    warn: (m) => void warnings.push(m),
  })
  assert.equal(victim!.child.signalCode ?? 'SIGKILL', 'SIGKILL')
  assert.deepEqual(metrics.map((m) => m.step), [1, 2, 3, 4])
  assert.equal(summary.step, 4)
  // Every step trained on complete groups (a group with an aborted or failed episode would be wasted, not trained).
  for (const m of metrics) assert.equal(m.metrics.episodes, 8, `step ${m.step}: ${m.metrics.episodes} episodes`)
  assert.ok(episodes.every((t) => t.finish_reason !== 'error' && t.finish_reason !== 'aborted'), `lost episodes: ${episodes.filter((t) => t.finish_reason === 'error' || t.finish_reason === 'aborted').map((t) => `${t.id} ${t.finish_reason}`).join(', ')}`)
  assert.ok(warnings.some((w) => w.includes(victim!.url) && w.includes('is out')), `no warning names the killed server: ${warnings.join(' | ')}`)
  // Staleness accounting as in process: every token span names the version the servers reported for it.
  for (const t of episodes) {
    assert.ok(t.version_spans.length > 0, `${t.id}: no version spans`)
    for (const s of t.version_spans) assert.ok(s.version >= 0 && s.version <= summary.policyVersion, `${t.id}: span version ${s.version}`)
  }
  assert.ok(summary.policyVersion >= 1, 'no update was published')
  // One-step-off: the batch after the first published version is generated by it.
  if (metrics.slice(0, -2).some((m) => m.policy_version >= 1)) assert.ok(episodes.some((t) => t.version_spans.some((s) => s.version >= 1)), `no episode was generated by a published version: ${JSON.stringify(metrics.map((m) => [m.step, m.policy_version, m.metrics.staleness_max, m.metrics.dropped_stale]))} ${episodes.length} episodes`)
  for (const m of metrics) assert.ok((m.metrics.staleness_max ?? 0) <= 1, `step ${m.step}: staleness ${m.metrics.staleness_max}`)
  // The survivors serve the trainer's last version, from the folder it wrote.
  for (const s of survivors) {
    const v = await served(s!.url)
    assert.equal(v.version, summary.policyVersion)
    assert.equal(v.path, join(out, 'generation', `v-${String(summary.policyVersion).padStart(6, '0')}`))
  }
})

test('POST /v1/ars/weights: a request in flight finishes on the old version and says so; the next one uses the new weights; bad folders are refused by name', async () => {
  const {url} = await startServer()
  const tokenizer = new HfTokenizer(await readTokenizerFiles(SFT))
  const prompt = tokenizer.encode(tokenizer.applyChatTemplate!([{role: 'user', content: 'Who founded Osk?'}], {addGenerationPrompt: true}))
  const complete = async (extra: Record<string, unknown> = {}) => {
    const r = await fetch(`${url}/completions`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({model: 'policy', prompt, max_tokens: 24, temperature: 0, logprobs: 1, return_token_ids: true, ...extra})})
    assert.equal(r.status, 200)
    return r
  }
  assert.equal((await served(url)).version, 0)
  const before = (await (await complete()).json()) as {ars_policy_version: number; choices: Array<{logprobs: {token_logprobs: number[]}}>}
  assert.equal(before.ars_policy_version, 0)

  // A long streamed request is running; the load arrives after its first token.
  const stream = await complete({stream: true, max_tokens: 200, ignore_eos: true})
  const chunks = readSseData(stream.body!)[Symbol.asyncIterator]()
  const first = await chunks.next()
  assert.equal(first.done, false)
  const versions = [(JSON.parse(first.value as string) as {ars_policy_version?: number}).ars_policy_version]
  const load = fetch(`${url}/ars/weights`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({path: RL, version: 7})})
  let loadDoneBeforeStream = false
  void load.then(() => {
    loadDoneBeforeStream = true
  })
  for (let c = await chunks.next(); !c.done; c = await chunks.next()) {
    if (c.value === '[DONE]') continue
    const v = (JSON.parse(c.value) as {ars_policy_version?: number}).ars_policy_version
    if (v !== undefined) versions.push(v)
  }
  assert.ok(versions.length > 1 && versions.every((v) => v === 0), `in-flight request versions: ${versions.join(',')}`)
  assert.equal(loadDoneBeforeStream, false, 'the swap answered before the request in flight had finished')
  const loaded = await load
  assert.equal(loaded.status, 200, await loaded.clone().text())
  assert.equal(((await loaded.json()) as {version: number}).version, 7)
  assert.deepEqual(await served(url), {version: 7, path: RL})

  const afterLoad = (await (await complete()).json()) as typeof before
  assert.equal(afterLoad.ars_policy_version, 7)
  assert.notDeepEqual(afterLoad.choices[0]!.logprobs.token_logprobs, before.choices[0]!.logprobs.token_logprobs, 'the new version sampled with the old weights')

  const refuse = async (body: unknown, pattern: RegExp) => {
    const r = await fetch(`${url}/ars/weights`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)})
    const text = await r.text()
    assert.equal(r.status, 400, text)
    assert.match(text, pattern)
  }
  await refuse({path: join(ROOT, 'no-such-folder'), version: 8}, /no-such-folder: no config\.json/)
  await refuse({path: join(ROOT, 'datasets', 'policy-tiny'), version: 8}, /not the served architecture \(hiddenSize 64 ≠ 128/)
  await refuse({path: RL, version: -1}, /version: expected an integer ≥ 0/)
  await refuse({version: 3}, /path: expected the model folder/)
  assert.equal((await served(url)).version, 7, 'a refused load changed the served version')
})

test('rollout --base-url twice: episodes spread over both servers, one output line per question', async () => {
  const [a, b] = await Promise.all([startServer(), startServer()])
  const questions = readFileSync(join(ROOT, 'datasets', 'world-small', 'questions', 'dev.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 6).join('\n') + '\n'
  const r = await runCli(['rollout', '--model', 'openai:policy', '--base-url', a!.url, '--base-url', b!.url, '--tokenizer', SFT, '--search', world, '--format', 'compact', '--max-turns', '2', '--max-tokens-per-turn', '24', '-q'], {input: questions})
  assert.equal(r.code, 0, r.stderr)
  const out = lines(r.stdout) as Trajectory[]
  assert.equal(out.length, 6)
  assert.ok(out.every((t) => t.token_ids.length > 0 && t.behaviour_logprobs.length === t.token_ids.length))
  for (const s of [a!, b!]) assert.ok(s.requests() >= 3, `${s.url} answered ${s.requests()} completions`)
})

test('the pool: a killed server is taken out, requests finish on the other; restarted, it loads the newest version before it serves again', async () => {
  const [a, b] = await Promise.all([startServer(), startServer()])
  const tokenizer = new HfTokenizer(await readTokenizerFiles(SFT))
  const events: string[] = []
  const pool = await GenerationPool.open({servers: parseGenerationServers([a!.url, b!.url]), tokenizer, healthIntervalMs: 200, onEvent: (e) => void events.push(`${e.kind} ${e.url}`)})
  try {
    await pool.publish(RL, 5)
    assert.deepEqual(pool.servers.map((m) => [m.healthy, m.version]), [[true, 5], [true, 5]])
    const prompt = tokenizer.encode(tokenizer.applyChatTemplate!([{role: 'user', content: 'Who founded Osk?'}], {addGenerationPrompt: true}))
    a!.child.kill('SIGKILL')
    const results = await Promise.all(Array.from({length: 8}, (_, i) => pool.generate({kind: 'tokens', tokenIds: prompt}, {maxTokens: 12, seed: i, logprobs: true})))
    for (const r of results) {
      assert.equal(r.policyVersion, 5)
      assert.equal(r.tokenIds!.length, r.logprobs!.length)
      assert.ok(r.tokenIds!.length > 0)
    }
    assert.deepEqual(pool.servers.map((m) => m.healthy), [false, true])
    assert.ok(events.includes(`down ${a!.url}`), events.join(' | '))
    // Back on the same port with its start-up weights (version 0): the pool makes it load version 5 first.
    const restarted = await startServer(SFT, Number(new URL(a!.url).port))
    assert.equal(restarted.url, a!.url)
    const deadline = Date.now() + 30_000
    while (!pool.servers[0]!.healthy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    assert.deepEqual(pool.servers.map((m) => [m.healthy, m.version]), [[true, 5], [true, 5]])
    assert.deepEqual(await served(a!.url), {version: 5, path: RL})
    assert.ok(events.includes(`up ${a!.url}`))
  } finally {
    await pool.close()
  }
})

test('train --generation with no server up: exit 1 naming every URL and the fix, and no run folder left behind', async () => {
  const out = join(tmp('generation-down'), 'run')
  const r = await runCli(['train', '--model', SFT, '--questions', join(ROOT, 'datasets', 'world-small', 'questions', 'dev.jsonl'), '--search', world, '--out', out, '--steps', '1', '--generation', 'http://127.0.0.1:9/v1,http://127.0.0.1:7/v1', '-q'])
  assert.equal(r.code, 1, r.stderr)
  assert.match(r.stderr, /no generation server answers: http:\/\/127\.0\.0\.1:9\/v1 \(.+\), http:\/\/127\.0\.0\.1:7\/v1/)
  assert.match(r.stderr, /fix: Start them first/)
  assert.equal(existsSync(out), false, 'a failed start left a run folder that would need --resume or --force')
})

test('--generation values: kinds, commas, and errors that name the flag and the fix', () => {
  assert.deepEqual(parseGenerationServers(['http://a:1/v1,sglang=http://b:2', 'vllm=http://c:3/v1/']), [
    {url: 'http://a:1/v1', kind: 'ars'}, {url: 'http://b:2/v1', kind: 'sglang'}, {url: 'http://c:3/v1', kind: 'vllm'},
  ])
  assert.throws(() => parseGenerationServers(['tgi=http://a:1/v1']), /--generation tgi=http:\/\/a:1\/v1: unknown server kind "tgi"/)
  assert.throws(() => parseGenerationServers(['a:1']), /expected an http\(s\) URL/)
  assert.throws(() => parseGenerationServers(['http://a:1/v1', 'http://a:1/v1']), /listed twice/)
  assert.throws(() => parseGenerationServers([',']), /no server URL given/)
})
