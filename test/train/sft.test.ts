// runSft in process on a tiny model made by `ars model init --preset tiny --tokenizer world`: it learns (loss falls
// and greedy generation through the onnx engine reproduces a memorised answer), the plan is seeded, bad input fails.
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readlinkSync} from 'node:fs'
import {cp, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {DataError, UsageError} from '../../src/core/errors.js'
import {InvalidPolicy} from '../../src/core/jsonl.js'
import type {TrainMetric} from '../../src/core/records/index.js'
import {loadOnnxModel} from '../../src/llm/onnx-model.js'
import {learningRateAt} from '../../src/train/schedule.js'
import {epochOrder, planSteps, runSft, type SftOptions} from '../../src/train/sft.js'
import {sftFixture} from '../helpers/sft-fixture.js'

const FACTS: [string, string][] = [
  ['Who founded Veltria?', 'Ostrava Pell'],
  ['What is the capital of Brenn?', 'Osk'],
  ['When was the Glass Tower built?', '1847'],
  ['Who wrote The Salt Road?', 'Mira Quell'],
]

let root: string
let model: string
let data: string

before(async () => {
  ;({root, model, data} = await sftFixture('ars-sft-', 0, 'facts.jsonl', FACTS))
})

after(async () => {
  await rm(root, {recursive: true, force: true})
})

function options(out: string, extra: Partial<SftOptions> = {}): SftOptions {
  return {model, out, inputs: [data], policy: new InvalidPolicy('fail'), backend: 'onnx', warn: () => {}, ...extra}
}

test('a few dozen steps memorise the facts: loss falls and the onnx engine answers greedily from latest', async () => {
  const out = join(root, 'learn')
  const metrics: TrainMetric[] = []
  const summary = await runSft(options(out, {epochs: 40, learningRate: 1e-2, warmup: 5, saveEvery: 20, onMetric: (m) => void metrics.push(m)}))
  assert.equal(summary.steps, 40)
  assert.equal(summary.interrupted, false)
  assert.deepEqual(metrics.map((m) => m.step), Array.from({length: 40}, (_, i) => i + 1))
  const first = metrics[0]!.metrics.loss!
  const last = metrics.at(-1)!.metrics.loss!
  assert.ok(first > 5 && last < 0.2, `loss ${first} → ${last}`)
  for (const key of ['lr', 'grad_norm', 'tokens', 'tokens_per_s', 'epoch']) assert.ok(Number.isFinite(metrics[0]!.metrics[key]), key)
  assert.equal(readlinkSync(join(out, 'latest')), join('checkpoints', 'step-000040'))
  const engine = await loadOnnxModel(join(out, 'latest'))
  try {
    for (const [question, answer] of FACTS.slice(0, 2)) {
      const r = await engine.generate({kind: 'chat', messages: [{role: 'user', content: question}]}, {maxTokens: 16, temperature: 0, stop: ['</answer>']})
      assert.match(r.text, new RegExp(`^<answer>${answer}</answer>`), `${question} → ${r.text}`)
    }
  } finally {
    await engine.close()
  }
})

test('the plan: seeded shuffle per epoch, steps cut by real tokens, every sample once per epoch', () => {
  const lengths = [10, 30, 20, 5, 40, 15]
  const plan = planSteps(lengths, {epochs: 2, batchTokens: 50, seed: 3})
  assert.deepEqual(plan, planSteps(lengths, {epochs: 2, batchTokens: 50, seed: 3}))
  assert.notDeepEqual(epochOrder(6, 3, 0), epochOrder(6, 3, 1))
  assert.notDeepEqual(epochOrder(6, 3, 0), epochOrder(6, 4, 0))
  for (const epoch of [0, 1]) {
    const steps = plan.filter((s) => s.epoch === epoch)
    const order = epochOrder(6, 3, epoch)
    assert.equal(steps[0]?.start, 0)
    assert.equal(steps.at(-1)?.end, 6)
    for (const s of steps) {
      const tokens = order.slice(s.start, s.end).reduce((a, i) => a + (lengths[i] as number), 0)
      assert.ok(tokens <= 50 || s.end - s.start === 1, `step of ${tokens} tokens`)
    }
  }
  assert.deepEqual(planSteps([100], {epochs: 1, batchTokens: 10, seed: 0}), [{epoch: 0, start: 0, end: 1}], 'an example larger than the batch is a step of its own')
})

test('schedule: warm-up never starts at 0, cosine reaches ~0 at the end, constant stays', () => {
  const o = {peak: 1, warmup: 4, total: 20, schedule: 'cosine' as const}
  assert.equal(learningRateAt(0, o), 0.2)
  assert.equal(learningRateAt(4, o), 1)
  assert.ok(learningRateAt(19, o) < 0.01)
  assert.ok(learningRateAt(10, o) < learningRateAt(8, o))
  assert.equal(learningRateAt(19, {...o, schedule: 'constant'}), 1)
})

test('bad input: no tokenizer, everything too long, empty input (and --allow-empty), an existing --out', async () => {
  const bare = join(root, 'bare')
  await cp(model, bare, {recursive: true})
  await rm(join(bare, 'tokenizer.json'))
  await assert.rejects(runSft({...options(join(root, 'o1')), model: bare}), (e: unknown) => e instanceof UsageError && /no tokenizer\.json/.test(e.message))
  assert.equal(existsSync(join(root, 'o1')), false, 'nothing is created before the inputs are checked')

  await assert.rejects(runSft(options(join(root, 'o2'), {maxSeqLen: 8})), (e: unknown) => {
    assert.ok(e instanceof DataError)
    assert.match(e.message, /nothing to train on: all 4 examples were dropped \(4 longer than --max-seq-len 8\)/)
    assert.match(e.fix ?? '', /Raise --max-seq-len/)
    return true
  })
  await assert.rejects(runSft(options(join(root, 'o3'), {maxSeqLen: 4096})), /--max-seq-len 4096 exceeds --micro-batch-tokens 2048/)

  const empty = join(root, 'empty.jsonl')
  await writeFile(empty, '')
  await assert.rejects(runSft(options(join(root, 'o4'), {inputs: [empty]})), /empty\.jsonl: empty input: no records/)
  const allowed = await runSft(options(join(root, 'o5'), {inputs: [empty], allowEmpty: true}))
  assert.equal(allowed.steps, 0)
  assert.equal(readlinkSync(join(root, 'o5', 'latest')), join('checkpoints', 'step-000000'), 'the unchanged model is saved so `latest` exists')

  await assert.rejects(runSft(options(join(root, 'o5'))), /a run already exists here/)
  const redone = await runSft(options(join(root, 'o5'), {force: true, epochs: 1}))
  assert.equal(redone.steps, 1)
  await assert.rejects(runSft(options(join(root, 'o5'), {resume: true, learningRate: 0.5})), /--lr is 0\.5 but the run being resumed used 0\.001/)
})
