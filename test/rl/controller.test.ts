// The RL controller end to end on real parts: `ars model init` tiny model, world-small BM25 search, the agent loop on
// the in-process ONNX engine, tfjs decoupled-PPO updates published back to the engine, a real run folder.
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync, realpathSync} from 'node:fs'
import {join} from 'node:path'
import {resolveAgentTools} from '../../src/agent/resolve-tools.js'
import type {AgentTools} from '../../src/agent/tools.js'
import type {TrainMetric} from '../../src/core/records/train-metric.js'
import type {Trajectory} from '../../src/core/records/trajectory.js'
import type {Question} from '../../src/core/records/question.js'
import {trainRl, type RlOptions, type TrainMode} from '../../src/rl/controller.js'
import {oldestVersion} from '../../src/rl/buffer.js'
import {loadCheckpoint} from '../../src/model/checkpoint.js'
import {answerBiasedModel, initTinyModel, replyLogProb, SHORT_FORMAT, tmp, worldQuestions, worldWithIndex} from './rl-setup.js'

let model: string
let world: string
let tools: AgentTools
/** A tiny model that answers one question right or wrong about equally often: every group has reward variance. */
let biased: string
let biasedQuestions: Question[]

before(async () => {
  ;[model, world] = await Promise.all([initTinyModel(), worldWithIndex()])
  tools = await resolveAgentTools({search: world})
  const question = worldQuestions(1)[0]!
  biased = await answerBiasedModel(model, question.question, question.answers[0]!, 'Osk Brenn')
  biasedQuestions = Array.from({length: 6}, (_, i) => ({...question, id: `${question.id}-copy${i}`}))
})

after(async () => {
  await tools.close()
})

async function run(mode: TrainMode, extra: Partial<RlOptions> = {}): Promise<{metrics: TrainMetric[]; episodes: Trajectory[]; out: string; summary: Awaited<ReturnType<typeof trainRl>>}> {
  const metrics: TrainMetric[] = []
  const episodes: Trajectory[] = []
  const out = join(tmp(mode), 'run')
  const summary = await trainRl({
    model: biased, questions: biasedQuestions, tools, out, mode, samples: 4, batchQuestions: 2, steps: 3, maxStaleness: 1, concurrency: 4,
    learningRate: 1e-3, backend: 'wasm', episode: {format: SHORT_FORMAT, maxTurns: 1, maxTokensPerTurn: 16}, reward: {metric: 'em'}, seed: 1,
    onMetric: (m) => void metrics.push(m), onEpisode: (t) => void episodes.push(t), warn: () => {}, ...extra,
  })
  return {metrics, episodes, out, summary}
}

test('async: versions increase by one per step, every used sample is within η, weights reach the engine', async () => {
  const {metrics, episodes, out, summary} = await run('async')
  assert.deepEqual(metrics.map((m) => m.policy_version), [1, 2, 3])
  assert.deepEqual(metrics.map((m) => m.step), [1, 2, 3])
  for (const m of metrics) {
    assert.ok(m.metrics.staleness_max! <= 1, `step ${m.step}: staleness ${m.metrics.staleness_max} > η`)
    assert.equal(m.metrics.episodes! + 0, 8)
    assert.ok(Number.isFinite(m.metrics.loss) && Number.isFinite(m.metrics.grad_norm))
    // The engine's behaviour log-probs and tfjs's proximal ones are the same policy when nothing is stale.
    if (m.metrics.staleness_max === 0) assert.ok(Math.abs(m.metrics.behav_kl!) < 1e-3, `behav_kl ${m.metrics.behav_kl}`)
  }
  // Generation ran ahead: some episodes were sampled (at least partly) by a version published after the run began.
  assert.ok(episodes.some((t) => t.version_spans.some((s) => s.version >= 1)), 'no episode saw a published version')
  assert.ok(episodes.every((t) => oldestVersion(t) <= 3))
  assert.equal(summary.step, 3)
  assert.equal(summary.checkpointStep, 3)
  const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n')
  assert.equal(lines.length, 3)
  assert.equal(realpathSync(join(out, 'latest')), realpathSync(join(out, 'checkpoints', 'step-000003')))
})

test('sync never trains on stale samples; one-step-off at most one version old', async () => {
  const sync = await run('sync', {steps: 2})
  assert.deepEqual(sync.metrics.map((m) => m.policy_version), [1, 2])
  assert.ok(sync.metrics.every((m) => m.metrics.staleness_max === 0 && m.metrics.dropped_stale === 0))
  // In sync mode every token of an episode comes from the version current when the batch was generated.
  assert.ok(sync.episodes.every((t) => new Set(t.version_spans.map((s) => s.version)).size === 1))
  const offByOne = await run('one-step-off', {steps: 3})
  assert.deepEqual(offByOne.metrics.map((m) => m.policy_version), [1, 2, 3])
  assert.ok(offByOne.metrics.every((m) => m.metrics.staleness_max! <= 1))
  assert.ok(offByOne.metrics.some((m) => m.metrics.staleness_max === 1), 'one-step-off never overlapped generation with training')
})

test('a rewarded answer becomes more likely, a wrong one less (GRPO + decoupled PPO on the tiny model)', async () => {
  const question = worldQuestions(1)[0]!
  const right = question.answers[0]!
  const wrong = 'Osk Brenn'
  const biased = await answerBiasedModel(model, question.question, right, wrong)
  const before = {right: await replyLogProb(biased, question.question, `<answer>${right}</answer>`), wrong: await replyLogProb(biased, question.question, `<answer>${wrong}</answer>`)}
  const metrics: TrainMetric[] = []
  const out = join(tmp('reward'), 'run')
  await trainRl({
    model: biased, questions: [question], tools, out, mode: 'sync', samples: 4, batchQuestions: 1, steps: 3, concurrency: 4,
    learningRate: 3e-3, backend: 'wasm', episode: {format: SHORT_FORMAT, maxTurns: 1, maxTokensPerTurn: 16}, reward: {metric: 'em'}, seed: 2,
    onMetric: (m) => void metrics.push(m), warn: () => {},
  })
  assert.ok(metrics.some((m) => m.metrics.zero_variance_groups === 0), 'no group had reward variance')
  assert.ok(metrics.some((m) => m.metrics.answer_rate! > 0))
  const after = {right: await replyLogProb(join(out, 'latest'), question.question, `<answer>${right}</answer>`), wrong: await replyLogProb(join(out, 'latest'), question.question, `<answer>${wrong}</answer>`)}
  assert.ok(after.right > before.right + 0.05, `log p(right) ${before.right} → ${after.right}`)
  assert.ok(after.wrong < before.wrong - 0.05, `log p(wrong) ${before.wrong} → ${after.wrong}`)
})

test('--kl-coef: the start model is the reference (k3 0 at the first update, above 0 once the weights moved), recorded in run.json', async () => {
  const {metrics, out} = await run('sync', {loss: {klCoef: 0.5}, steps: 2})
  assert.deepEqual(metrics.map((m) => m.step), [1, 2])
  const kl = metrics.map((m) => m.metrics.ref_kl!)
  assert.ok(kl.every((v) => Number.isFinite(v)), `ref_kl ${kl}`)
  // The first update sees the start weights on both sides: the tfjs reference copy computes the same log-probs.
  assert.ok(Math.abs(kl[0]!) < 1e-6, `ref_kl at step 1: ${kl[0]}`)
  assert.ok(kl[1]! > 1e-6, `ref_kl at step 2: ${kl[1]}`)
  const settings = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).settings
  assert.equal(settings.kl_coef, 0.5)
  // Without the flag neither the setting nor the metric appears (runs made before it resume unchanged).
  const plain = await run('sync', {steps: 1})
  assert.equal(plain.metrics[0]!.metrics.ref_kl, undefined)
  const plainSettings = JSON.parse(readFileSync(join(plain.out, 'run.json'), 'utf8')).settings
  assert.equal(plainSettings.kl_coef, undefined)
  assert.equal(plainSettings.ppo_epochs, undefined, 'one pass is the default and is not recorded')
  assert.equal(plainSettings.negative_weight, undefined)
})

test('--ppo-epochs: each batch trains that many passes (the PPO tokens say so), one version a batch; it and --negative-weight are recorded in run.json', async () => {
  const {metrics, out} = await run('sync', {ppoEpochs: 3, steps: 1, advantages: {negativeWeight: 0.5}})
  const m = metrics[0]!.metrics
  assert.equal(metrics[0]!.policy_version, 1)
  assert.ok(m.loss_tokens! > 0)
  assert.equal(m.ppo_tokens, 3 * m.loss_tokens!, `ppo_tokens ${m.ppo_tokens}, loss_tokens ${m.loss_tokens}`)
  assert.ok(m.ratio_max! > 1, `later passes see ratios off 1: ${m.ratio_max}`)
  const settings = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).settings
  assert.equal(settings.ppo_epochs, 3)
  assert.equal(settings.negative_weight, 0.5)
})

test('a batch without signal is no update: the version stays and the weights are unchanged', async () => {
  const metrics: TrainMetric[] = []
  const out = join(tmp('no-signal'), 'run')
  // The random tiny model never answers in 8 tokens: every reward is equal, every advantage 0.
  await trainRl({
    model, questions: worldQuestions(4), tools, out, mode: 'sync', samples: 2, batchQuestions: 2, steps: 2, concurrency: 4,
    learningRate: 1e-2, backend: 'wasm', episode: {maxTurns: 1, maxTokensPerTurn: 8}, reward: {metric: 'f1'}, seed: 1,
    onMetric: (m) => void metrics.push(m), warn: () => {},
  })
  assert.deepEqual(metrics.map((m) => [m.step, m.policy_version, m.metrics.update_skipped]), [[1, 0, 1], [2, 0, 1]])
  const before = await loadCheckpoint(model)
  const after = await loadCheckpoint(join(out, 'latest'))
  for (const [name, t] of before.weights) assert.deepEqual(after.weights.get(name)!.data, t.data, `${name} changed without signal`)
})

test('--drop-zero-variance samples on past groups without signal, and says so when none can ever form a batch', async () => {
  const out = join(tmp('dynamic'), 'run')
  await assert.rejects(trainRl({
    model, questions: worldQuestions(4), tools, out, mode: 'sync', samples: 2, batchQuestions: 1, steps: 1, concurrency: 8,
    backend: 'wasm', episode: {maxTurns: 1, maxTokensPerTurn: 4}, reward: {metric: 'f1'}, advantages: {dropZeroVariance: true}, seed: 1, warn: () => {},
  }), /no-signal|equal rewards/)
  const metrics: TrainMetric[] = []
  await trainRl({
    model: biased, questions: biasedQuestions, tools, out: join(tmp('dynamic-ok'), 'run'), mode: 'sync', samples: 4, batchQuestions: 2, steps: 2, concurrency: 8,
    learningRate: 1e-3, backend: 'wasm', episode: {format: SHORT_FORMAT, maxTurns: 1, maxTokensPerTurn: 16}, reward: {metric: 'em'}, advantages: {dropZeroVariance: true}, seed: 3,
    onMetric: (m) => void metrics.push(m), warn: () => {},
  })
  assert.ok(metrics.every((m) => m.metrics.zero_variance_groups === 0 && m.policy_version === m.step), JSON.stringify(metrics.map((m) => m.metrics)))
})
