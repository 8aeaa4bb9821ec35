// AdamW state export/import: training 3 steps straight equals 2 steps, a save/restore into a fresh trainer
// (through optimizer.safetensors on disk), and 1 more step — bit for bit.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {Weights} from '../../src/model/config.js'
import {PolicyTrainer} from '../../src/model/tfjs/policy-trainer.js'
import type {TokenBatch} from '../../src/model/tfjs/qwen2.js'
import {readOptimizerState, writeOptimizerState} from '../../src/train/optimizer-file.js'
import {tinyConfig, tinyWeights} from '../helpers/tiny-model.js'

const config = tinyConfig({tie_word_embeddings: false})
const batches: TokenBatch[] = [0, 1, 2].map((s) => ({inputIds: Int32Array.from({length: 2 * 9}, (_, i) => (i * 7 + s * 13) % 97), batch: 2, seqLen: 9}))

async function steps(trainer: PolicyTrainer, from: number, to: number): Promise<void> {
  for (let s = from; s < to; s++) await trainer.trainStep([batches[s] as TokenBatch], (model, mb) => model.nextTokenLoss(mb), {learningRate: 1e-2 * (s + 1)})
}

/** A fresh trainer (no optimiser state) on `weights`, steps [from, to), its weights. */
async function trained(weights: Weights, from: number, to: number): Promise<Weights> {
  const trainer = await PolicyTrainer.create(config, weights, {backend: 'wasm'})
  await steps(trainer, from, to)
  const out = trainer.exportWeights()
  trainer.dispose()
  return out
}

function maxDiff(a: Weights, b: Weights): number {
  let worst = 0
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort())
  for (const [name, t] of a) {
    const u = (b.get(name) as {data: Float32Array}).data
    t.data.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - (u[i] as number)))))
  }
  return worst
}

test('3 steps straight == 2 steps, save/restore optimiser state into a fresh trainer, 1 step', async () => {
  const weights = tinyWeights(config)
  const expected = await trained(weights, 0, 3)

  const first = await PolicyTrainer.create(config, weights, {backend: 'wasm'})
  await steps(first, 0, 2)
  const state = first.exportOptimizerState()
  assert.equal(state.step, 2)
  assert.ok(state.firstMoments.has('lm_head.weight') && state.secondMoments.has('model.layers.0.self_attn.q_proj.weight'), 'moments are keyed by HF names')
  assert.deepEqual(state.firstMoments.get('lm_head.weight')?.shape, [97, config.hiddenSize])
  const midWeights = first.exportWeights()
  // exporting must not disturb the live weights
  assert.equal(maxDiff(midWeights, first.exportWeights()), 0)
  first.dispose()

  const dir = await mkdtemp(join(tmpdir(), 'ars-opt-'))
  try {
    await writeOptimizerState(join(dir, 'optimizer.safetensors'), state)
    const restored = await readOptimizerState(join(dir, 'optimizer.safetensors'))
    assert.equal(restored.step, 2)
    const second = await PolicyTrainer.create(config, midWeights, {backend: 'wasm', optimizerState: restored})
    assert.equal(second.step, 2)
    assert.equal(maxDiff(second.exportOptimizerState().firstMoments, state.firstMoments), 0, 'import is the exact inverse of export')
    await steps(second, 2, 3)
    const resumed = second.exportWeights()
    second.dispose()
    assert.ok(maxDiff(resumed, expected) <= 1e-7, `resumed weights differ by ${maxDiff(resumed, expected)}`)
    assert.ok(maxDiff(resumed, midWeights) > 1e-4, 'the third step changed the weights')
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
})

test('a fresh trainer without the state differs (the test can fail)', async () => {
  const weights = tinyWeights(config)
  const expected = await trained(weights, 0, 3)
  const mid = await trained(weights, 0, 2)
  assert.ok(maxDiff(await trained(mid, 2, 3), expected) > 1e-5)
})

test('optimiser state for another shape is refused with the tensor named', async () => {
  const weights = tinyWeights(config)
  const a = await PolicyTrainer.create(config, weights, {backend: 'wasm'})
  const state = a.exportOptimizerState()
  a.dispose()
  state.firstMoments.delete('model.norm.weight')
  await assert.rejects(PolicyTrainer.create(config, weights, {backend: 'wasm', optimizerState: state}), /exp_avg: Missing weight model.norm.weight/)
})
