// Probe for docs/decisions/0930: wall time of each part of one tfjs training step on the bench shapes, as the
// minimum over repeats of the process's CPU time (robust on a shared machine; wasm runs on one thread). Not part of npm run bench. Reproduce:
//   npm run build && node dist/bench/probes/train-op-times.js [tiny|small]
import type * as TfCore from '@tensorflow/tfjs'
import {presetConfig, type PresetName} from '../../src/model/config.js'
import {initWeights} from '../../src/model/init.js'
import {PolicyTrainer} from '../../src/model/tfjs/policy-trainer.js'
import {createCausalAttention} from '../../src/model/tfjs/attention.js'
import {Rng} from '../../src/core/rng.js'

const preset = (process.argv[2] ?? 'tiny') as PresetName
const repeats = Number(process.argv[3] ?? 7)
const vocab = preset === 'tiny' ? 2048 : 4096
const config = presetConfig(preset, vocab, vocab - 1)
const rng = new Rng(0)
const b = 8
const t = 256
const n = b * t
const tokens = {inputIds: Int32Array.from({length: n}, () => rng.int(vocab)), batch: b, seqLen: t}
const trainer = await PolicyTrainer.create(config, initWeights(config, 1))
const {tf} = trainer
const ops = trainer.model.ops

function best(label: string, f: () => void): void {
  const times: number[] = []
  for (let i = 0; i < repeats + 1; i++) {
    const started = process.cpuUsage()
    f()
    const used = process.cpuUsage(started)
    if (i > 0) times.push((used.user + used.system) / 1000)
  }
  console.log(`${Math.min(...times).toFixed(1).padStart(8)} ms cpu  ${label}`)
}
// Never return a typed array from tf.tidy: tidy walks its result element by element looking for tensors.
const sync = (t: TfCore.Tensor | TfCore.Tensor[]): void => {
  for (const x of Array.isArray(t) ? t : [t]) x.dataSync()
}
const grad = (f: (x: TfCore.Tensor) => TfCore.Scalar, x: TfCore.Tensor) => tf.tidy(() => sync(tf.grad(f)(x) as TfCore.Tensor))
const d = config.headDim
const width = (config.numHeads + 2 * config.numKvHeads) * d
const qkv = tf.randomNormal([n, width])
const cos = new Float32Array(n * d).fill(0.8)
const sin = new Float32Array(n * d).fill(0.6)
const attention = createCausalAttention(tf)
const shape = {batch: b, seqLen: t, numHeads: config.numHeads, numKvHeads: config.numKvHeads, headDim: d, cos, sin}
const h = config.hiddenSize
const x = tf.randomNormal([n, h])
const table = tf.randomNormal([vocab, h], 0, 0.02)
const targets = Int32Array.from({length: n}, () => rng.int(vocab))
const inter = config.intermediateSize
const wGateUp = tf.randomNormal([h, 2 * inter], 0, 0.02)
const wDown = tf.randomNormal([inter, h], 0, 0.02)
const norm = tf.ones([h])

console.log(`${preset}: batch ${b} × ${t}, per layer unless noted (${config.numLayers} layers)`)
best('attention forward', () => tf.tidy(() => sync(attention(qkv, shape))))
best('attention forward + backward', () => grad((q) => tf.sum(attention(q, shape)), qkv))
best('head log-probs forward (once)', () => tf.tidy(() => sync(ops.headLogProbs(x, table, targets))))
best('head log-probs forward + backward (once)', () => tf.tidy(() => tf.grads((a: TfCore.Tensor, w: TfCore.Tensor) => tf.sum(ops.headLogProbs(a, w, targets)))([x, table]).forEach((g) => g.dataSync())))
best('rmsNorm forward + backward', () => tf.tidy(() => tf.grads((a: TfCore.Tensor, w: TfCore.Tensor) => tf.sum(ops.rmsNorm(a, w, 1e-6)))([x, norm]).forEach((g) => g.dataSync())))
best('MLP (gate/up, SwiGLU, down) forward + backward', () => tf.tidy(() => tf.grads((a: TfCore.Tensor, w1: TfCore.Tensor, w2: TfCore.Tensor) => {
  const gu = ops.matmul(a, w1)
  const gate = tf.slice(gu, [0, 0], [n, inter])
  const up = tf.slice(gu, [0, inter], [n, inter])
  return tf.sum(ops.matmul(tf.mul(tf.mul(gate, tf.sigmoid(gate)), up), w2))
})([x, wGateUp, wDown]).forEach((g) => g.dataSync())))
best('embedding forward + backward (once)', () => grad((w) => tf.sum(ops.embedding(w, tokens.inputIds)), table))
const steps: number[] = []
for (let i = 0; i < repeats + 1; i++) {
  const started = process.cpuUsage()
  await trainer.trainStep([tokens], (m, mb) => m.nextTokenLoss(mb))
  const used = process.cpuUsage(started)
  if (i > 0) steps.push((used.user + used.system) / 1000)
}
console.log(`${Math.min(...steps).toFixed(1).padStart(8)} ms cpu  whole training step (forward + backward + clip + AdamW)`)
trainer.dispose()
