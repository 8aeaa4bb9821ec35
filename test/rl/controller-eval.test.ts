// `ars train`'s held-out evaluation and report on real parts (tiny model, world-small BM25, the ONNX engine, the tfjs
// trainer thread): eval lines before step 1, every N steps and at the end, answered greedily by exactly the current
// policy version; the per-step episode metrics the report plots; report.html/md in the run folder; and a sync run
// trains the same with and without evaluations.
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {resolveAgentTools} from '../../src/agent/resolve-tools.js'
import type {AgentTools} from '../../src/agent/tools.js'
import type {TrainMetric} from '../../src/core/records/train-metric.js'
import {trainRl, type RlOptions} from '../../src/rl/controller.js'
import {initTinyModel, tmp, worldQuestions, worldWithIndex} from './rl-setup.js'

let model: string
let world: string
let tools: AgentTools

before(async () => {
  ;[model, world] = await Promise.all([initTinyModel(), worldWithIndex()])
  tools = await resolveAgentTools({search: world})
})

after(async () => {
  await tools.close()
})

async function run(extra: Partial<RlOptions> = {}): Promise<{metrics: TrainMetric[]; out: string}> {
  const metrics: TrainMetric[] = []
  const out = join(tmp('eval'), 'run')
  await trainRl({
    model, questions: worldQuestions(6), tools, out, mode: 'sync', samples: 2, batchQuestions: 2, steps: 3, concurrency: 4,
    learningRate: 1e-3, backend: 'wasm', episode: {maxTurns: 2, maxTokensPerTurn: 8}, reward: {metric: 'f1'}, seed: 1,
    onMetric: (m) => void metrics.push(m), warn: () => {}, ...extra,
  })
  return {metrics, out}
}

test('held-out evaluation at steps 0, 2 and the end on the current version; episode metrics; the report', async () => {
  const {metrics, out} = await run({heldOut: {questions: worldQuestions(3, 'dev'), source: 'dev.jsonl', every: 2, concurrency: 3}})
  const evals = metrics.filter((m) => m.meta.kind === 'eval')
  const steps = metrics.filter((m) => m.meta.kind !== 'eval')
  assert.deepEqual(evals.map((m) => m.step), [0, 2, 3])
  assert.deepEqual(steps.map((m) => m.step), [1, 2, 3])
  // The policy version after each step (a step without reward variance is no update, so versions can lag steps).
  const versionAt = (step: number): number => (step === 0 ? 0 : steps.find((m) => m.step === step)!.policy_version)
  for (const e of evals) {
    assert.equal(e.metrics.eval_questions, 3)
    assert.equal(e.metrics.eval_version_min, versionAt(e.step), `eval at step ${e.step} saw version ${e.metrics.eval_version_min}`)
    assert.equal(e.metrics.eval_version_max, versionAt(e.step))
    assert.ok(existsSync(join(out, 'evals', `step-${String(e.step).padStart(6, '0')}.jsonl`)))
  }
  for (const m of steps) {
    for (const k of ['reward_std', 'tool_calls_mean', 'turns_mean', 'zero_variance_frac']) assert.equal(typeof m.metrics[k], 'number', `${k} at step ${m.step}`)
    assert.equal(m.metrics.groups, 2)
    assert.equal(m.metrics.zero_variance_frac, m.metrics.zero_variance_groups! / 2)
    // sync: every trained sample is fresh, and the histogram counts each one
    assert.equal(m.metrics.staleness_count_0, m.metrics.episodes)
  }
  // The file holds the same lines in the same order.
  const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainMetric)
  assert.deepEqual(lines.map((l) => [l.step, l.meta.kind ?? 'step']), metrics.map((l) => [l.step, l.meta.kind ?? 'step']))
  const md = readFileSync(join(out, 'report.md'), 'utf8')
  assert.match(md, /^# ars train report: run/)
  assert.match(md, /\| held-out EM \(step 0 → 3, n=3\) \|/)
  assert.match(md, /## Staleness of trained samples/)
  assert.equal((readFileSync(join(out, 'report.html'), 'utf8').match(/<svg /g) ?? []).length, 7)
})

test('a sync run trains the same with and without held-out evaluations', async () => {
  const plain = await run({steps: 2})
  const withEval = await run({steps: 2, heldOut: {questions: worldQuestions(2, 'dev'), source: 'dev.jsonl', every: 1, concurrency: 2}})
  const pick = (ms: TrainMetric[]) => ms.filter((m) => m.meta.kind !== 'eval').map((m) => [m.step, m.metrics.reward_mean, m.metrics.loss, m.metrics.grad_norm, m.metrics.tokens])
  assert.deepEqual(pick(withEval.metrics), pick(plain.metrics))
  assert.ok(readFileSync(join(withEval.out, 'latest', 'model.safetensors')).equals(readFileSync(join(plain.out, 'latest', 'model.safetensors'))), 'final weights differ')
})
