// The ONNX training graph (forward + hand-derived backward on onnxruntime) against the float64 plain-JS reference
// (log-probs) and against tfjs's gradients (which tfjs-qwen2.test.ts checks against finite differences), and the
// OnnxPolicyTrainer's AdamW step against the tfjs PolicyTrainer's, its export round trip and its exact resume.
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {parseModelConfig, type ModelConfig, type Weights} from '../../src/model/config.js'
import {initWeights} from '../../src/model/init.js'
import {loadTf, type LoadedTf} from '../../src/model/tfjs/backend.js'
import {TfQwen2, variableGradients, type TokenBatch} from '../../src/model/tfjs/qwen2.js'
import {PolicyTrainer} from '../../src/model/tfjs/policy-trainer.js'
import {OnnxPolicyTrainer, type LogProbLoss} from '../../src/model/onnx/trainer.js'
import {fromTrainLayout, toTrainLayout} from '../../src/model/onnx/train-layout.js'
import {Rng} from '../../src/core/rng.js'
import {referenceLogits} from './reference-forward.js'

function config(overrides: Record<string, unknown> = {}): ModelConfig {
  return parseModelConfig({
    architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', vocab_size: 61, hidden_size: 32, intermediate_size: 48,
    num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 128,
    rms_norm_eps: 1e-6, rope_theta: 10000, tie_word_embeddings: true, ...overrides,
  })
}

function randomWeights(c: ModelConfig, seed: number, std = 0.2): Weights {
  const weights = initWeights(c, seed, std)
  const rng = new Rng(seed + 1000)
  for (const t of weights.values()) {
    if (t.name.endsWith('norm.weight')) for (let i = 0; i < t.data.length; i++) t.data[i] = 1 + 0.3 * rng.normal()
    if (t.name.endsWith('.bias')) for (let i = 0; i < t.data.length; i++) t.data[i] = 0.3 * rng.normal()
  }
  return weights
}

const CASES: Array<[string, ModelConfig]> = [
  ['tied, GQA, q/k/v biases', config()],
  ['untied, MHA, no biases, theta 1e6', config({tie_word_embeddings: false, num_key_value_heads: 4, rope_theta: 1e6, attention_bias: false})],
]

/** Two rows: the first right-padded (2 pads), the second left-padded with HF position ids. */
function paddedBatch(c: ModelConfig, seed: number): TokenBatch {
  const rng = new Rng(seed)
  const t = 7
  const inputIds = Int32Array.from({length: 2 * t}, () => rng.int(c.vocabSize))
  const attentionMask = Uint8Array.from([1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1])
  const positionIds = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 1, 1, 0, 1, 2, 3, 4])
  return {inputIds, batch: 2, seqLen: t, attentionMask, positionIds}
}

/** Weighted masked NLL over [b, t−1] (zero weight where either token is padding), as SFT's loss. */
function nll(tokens: TokenBatch, seed: number): {weights: Float32Array; total: number; loss: (logp: Float32Array) => LogProbLoss} {
  const rng = new Rng(seed)
  const {batch: b, seqLen: t} = tokens
  const weights = new Float32Array(b * (t - 1))
  for (let r = 0; r < b; r++) {
    for (let i = 0; i + 1 < t; i++) {
      const real = (tokens.attentionMask?.[r * t + i] ?? 1) && (tokens.attentionMask?.[r * t + i + 1] ?? 1)
      weights[r * (t - 1) + i] = real ? 0.5 + rng.next() : 0
    }
  }
  const total = weights.reduce((a, v) => a + v, 0)
  return {
    weights,
    total,
    loss: (logp) => ({loss: -logp.reduce((a, v, i) => a + v * (weights[i] as number), 0) / total, dlogp: weights.map((w) => -w / total)}),
  }
}

let runtime: LoadedTf
before(async () => {
  runtime = await loadTf('wasm')
})

test('ONNX training graph: log-probs equal the float64 reference; every gradient equals tfjs (tied/untied, GQA/MHA, right and left padding)', async () => {
  const {tf} = runtime
  for (const [label, c] of CASES) {
    const weights = randomWeights(c, 7)
    const tokens = paddedBatch(c, 3)
    const {weights: tokenWeights, total, loss} = nll(tokens, 5)
    const trainer = await OnnxPolicyTrainer.create(c, weights)
    try {
      const result = await trainer.gradients({tokens}, (logp) => loss(logp), {constantGradient: true})
      // Log-probs of the real positions against log-softmax of the float64 reference (each row on its own).
      const t = tokens.seqLen
      for (let r = 0; r < 2; r++) {
        const mask = Array.from(tokens.attentionMask!.subarray(r * t, (r + 1) * t))
        const ids = Array.from(tokens.inputIds.subarray(r * t, (r + 1) * t))
        const ref = referenceLogits(c, weights, ids, mask, Array.from(tokens.positionIds!.subarray(r * t, (r + 1) * t)))
        for (let i = 0; i + 1 < t; i++) {
          if (!mask[i] || !mask[i + 1]) continue
          const row = ref.subarray(i * c.vocabSize, (i + 1) * c.vocabSize)
          const max = Math.max(...row)
          const lse = max + Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0))
          const want = (row[ids[i + 1] as number] as number) - lse
          const got = result.logp[r * (t - 1) + i] as number
          assert.ok(Math.abs(got - want) < 1e-5, `${label}: row ${r} position ${i}: ${got} vs ${want}`)
        }
      }
      // Gradients against tfjs on the same loss (tfjs variables share the train layout and order).
      const model = new TfQwen2(tf, c, weights)
      const {loss: tfLoss, grads} = variableGradients(tf, model.variables, () => tf.tidy(() => {
        const logp = model.tokenLogProbs(tokens)
        return tf.neg(tf.div(tf.sum(tf.mul(logp, tf.tensor2d(tokenWeights, logp.shape as [number, number]))), total)) as ReturnType<typeof tf.scalar>
      }))
      assert.ok(Math.abs(tfLoss - result.loss) < 1e-5, `${label}: loss ${result.loss} vs tfjs ${tfLoss}`)
      const names = [...fromTrainLayout(c, result.grads).keys()]
      assert.equal(grads.length, result.grads.length)
      grads.forEach((g, i) => {
        const want = g.dataSync() as Float32Array
        const got = result.grads[i] as Float32Array
        assert.equal(got.length, want.length)
        let scale = 0
        let diff = 0
        for (let j = 0; j < want.length; j++) {
          scale = Math.max(scale, Math.abs(want[j] as number))
          diff = Math.max(diff, Math.abs((got[j] as number) - (want[j] as number)))
        }
        assert.ok(scale > 0, `${label}: parameter ${i} has a zero gradient`)
        assert.ok(diff <= 1e-5 + 1e-4 * scale, `${label}: parameter ${i} (${names[i] ?? ''}): max diff ${diff}, max |grad| ${scale}`)
        g.dispose()
      })
      model.dispose()
    } finally {
      await trainer.dispose()
    }
  }
})

test('PPO-style loss (gradient depends on the log-probs) runs a forward pass first and matches the constant-gradient path at the same point', async () => {
  const c = config()
  const weights = randomWeights(c, 9)
  const tokens = paddedBatch(c, 4)
  const trainer = await OnnxPolicyTrainer.create(c, weights)
  try {
    let seen: Float32Array | undefined
    // d loss / d logp = −exp(logp) (loss −Σ p): the forward pass must hand the real log-probs to the loss.
    const lossFn = (logp: Float32Array) => {
      seen = logp
      return {loss: -logp.reduce((a, v) => a + Math.exp(v), 0), dlogp: logp.map((v) => -Math.exp(v))}
    }
    const dynamic = await trainer.gradients({tokens}, lossFn)
    assert.ok(seen && seen.every((v) => v < 0), 'the loss saw real log-probs')
    const fixed = seen.map((v) => -Math.exp(v))
    const constant = await trainer.gradients({tokens}, () => ({loss: 0, dlogp: fixed}), {constantGradient: true})
    dynamic.grads.forEach((g, i) => assert.deepEqual(g, constant.grads[i]))
    assert.deepEqual(dynamic.logp, constant.logp)
  } finally {
    await trainer.dispose()
  }
})

test('OnnxPolicyTrainer: an AdamW step equals the tfjs PolicyTrainer step; export round trip and resume are exact', async () => {
  const c = config({tie_word_embeddings: false})
  const weights = randomWeights(c, 13)
  const tokens = paddedBatch(c, 6)
  const {weights: tokenWeights, total, loss} = nll(tokens, 8)
  const options = {optimizer: {learningRate: 3e-3, weightDecay: 0.1}, maxGradNorm: 0.5}
  // Layout conversions are exact inverses.
  const roundTrip = fromTrainLayout(c, toTrainLayout(c, weights))
  for (const [name, t] of weights) assert.deepEqual(roundTrip.get(name)?.data, t.data, name)

  const onnx = await OnnxPolicyTrainer.create(c, weights, options)
  const tfTrainer = await PolicyTrainer.create(c, weights, {backend: 'wasm', ...options})
  const {tf} = tfTrainer
  try {
    for (let step = 0; step < 2; step++) {
      const a = await onnx.trainStep([{tokens}], (logp) => loss(logp), {constantGradient: true})
      const b = await tfTrainer.trainStep([{tokens}], (model) => tf.tidy(() => {
        const logp = model.tokenLogProbs(tokens)
        return tf.neg(tf.div(tf.sum(tf.mul(logp, tf.tensor2d(tokenWeights, logp.shape as [number, number]))), total)) as ReturnType<typeof tf.scalar>
      }))
      assert.ok(Math.abs(a.loss - b.loss) < 1e-5, `step ${step}: loss ${a.loss} vs ${b.loss}`)
      assert.ok(Math.abs(a.gradNorm - b.gradNorm) < 1e-4 * b.gradNorm, `step ${step}: grad norm ${a.gradNorm} vs ${b.gradNorm}`)
      assert.ok(a.gradNorm > 0.5, 'the clip is exercised')
      assert.equal(a.step, step + 1)
    }
    const wa = onnx.exportWeights()
    const wb = tfTrainer.exportWeights()
    let diff = 0
    for (const [name, t] of wb) {
      const other = wa.get(name)!.data
      for (let j = 0; j < t.data.length; j++) diff = Math.max(diff, Math.abs((other[j] as number) - (t.data[j] as number)))
    }
    assert.ok(diff < 2e-5, `weights after two steps differ by ${diff}`)
    let moved = 0
    for (const [name, t] of weights) for (let j = 0; j < t.data.length; j++) moved = Math.max(moved, Math.abs((wa.get(name)!.data[j] as number) - (t.data[j] as number)))
    assert.ok(moved > 1e-3, 'the weights moved')

    // Exact resume: weights + optimiser state after step 2, then step 3, equals three steps in one go.
    const resumed = await OnnxPolicyTrainer.create(c, wa, {...options, optimizerState: onnx.exportOptimizerState()})
    try {
      await onnx.trainStep([{tokens}], (logp) => loss(logp), {constantGradient: true})
      await resumed.trainStep([{tokens}], (logp) => loss(logp), {constantGradient: true})
      assert.equal(resumed.step, 3)
      const x = onnx.exportWeights()
      const y = resumed.exportWeights()
      for (const [name, t] of x) assert.deepEqual(y.get(name)!.data, t.data, `resumed ${name}`)
      const mx = onnx.exportOptimizerState()
      const my = resumed.exportOptimizerState()
      for (const [name, t] of mx.secondMoments) assert.deepEqual(my.secondMoments.get(name)!.data, t.data, `resumed exp_avg_sq ${name}`)
    } finally {
      await resumed.dispose()
    }
  } finally {
    await onnx.dispose()
    tfTrainer.dispose()
  }
})

test('OnnxPolicyTrainer refuses bad input with a message that names it', async () => {
  const c = config()
  const trainer = await OnnxPolicyTrainer.create(c, randomWeights(c, 1))
  try {
    await assert.rejects(trainer.tokenLogProbs({inputIds: Int32Array.from([1, 2, 3]), batch: 1, seqLen: 4}), /Expected 1×4 input ids/)
    await assert.rejects(trainer.tokenLogProbs({inputIds: Int32Array.from([1, 99]), batch: 1, seqLen: 2}), /Token id 99 at 1 is outside the vocabulary \(61\)/)
    await assert.rejects(trainer.trainStep([], () => ({loss: 0, dlogp: new Float32Array()})), /at least one micro-batch/)
    const tokens = {inputIds: Int32Array.from([1, 2, 3]), batch: 1, seqLen: 3}
    await assert.rejects(trainer.trainStep([{tokens}], () => ({loss: Number.NaN, dlogp: new Float32Array(2)}), {constantGradient: true}), /Loss is NaN/)
    assert.equal(trainer.step, 0)
  } finally {
    await trainer.dispose()
  }
})

after(() => {})

test('micro-batching (how a 0.5B step fits in memory): a step over single-row micro-batches equals the whole-batch step', async () => {
  const c = config()
  const weights = randomWeights(c, 21)
  const tokens = paddedBatch(c, 9)
  const {weights: tokenWeights, total} = nll(tokens, 10)
  const t = tokens.seqLen
  const rows: {tokens: TokenBatch; w: Float32Array}[] = [0, 1].map((r) => ({
    tokens: {inputIds: tokens.inputIds.subarray(r * t, (r + 1) * t), batch: 1, seqLen: t, attentionMask: tokens.attentionMask?.subarray(r * t, (r + 1) * t), positionIds: tokens.positionIds?.subarray(r * t, (r + 1) * t)},
    w: tokenWeights.subarray(r * (t - 1), (r + 1) * (t - 1)),
  }))
  // Per micro-batch: its own weighted mean; weighted by its share of the token weight, the step's loss is the whole mean.
  const rowLoss = (w: Float32Array) => (logp: Float32Array): LogProbLoss => {
    const sum = w.reduce((a, v) => a + v, 0)
    return {loss: -logp.reduce((a, v, i) => a + v * (w[i] as number), 0) / sum, dlogp: w.map((v) => -v / sum)}
  }
  const options = {optimizer: {learningRate: 3e-3}, maxGradNorm: 0}
  const whole = await OnnxPolicyTrainer.create(c, weights, options)
  const split = await OnnxPolicyTrainer.create(c, weights, options)
  try {
    // Gradients first: the sum of the micro-batches' scaled gradients equals the whole batch's.
    const g = await whole.gradients({tokens}, (logp) => rowLoss(tokenWeights)(logp), {constantGradient: true})
    const parts = await Promise.all(rows.map(async (row) => split.gradients({tokens: row.tokens}, rowLoss(row.w), {constantGradient: true, scale: row.w.reduce((a, v) => a + v, 0) / total})))
    let worst = 0
    let largest = 0
    g.grads.forEach((grad, i) => grad.forEach((v, j) => {
      largest = Math.max(largest, Math.abs(v))
      worst = Math.max(worst, Math.abs(v - ((parts[0]!.grads[i]![j] as number) + (parts[1]!.grads[i]![j] as number))))
    }))
    assert.ok(largest > 1e-3, 'the gradients are not trivially zero')
    assert.ok(worst < 1e-6, `micro-batched gradients differ by ${worst} (largest ${largest})`)
    // Then whole steps: same loss and same weights after AdamW.
    const a = await whole.trainStep([{tokens, w: tokenWeights}], (logp, mb) => rowLoss(mb.w)(logp), {constantGradient: true})
    const b = await split.trainStep(rows, (logp, mb) => rowLoss(mb.w)(logp), {constantGradient: true, weightOf: (mb) => mb.w.reduce((x: number, v: number) => x + v, 0)})
    assert.ok(Math.abs(a.loss - b.loss) < 1e-6, `loss ${a.loss} vs ${b.loss}`)
    assert.equal(b.microBatches, 2)
    const wa = whole.exportWeights()
    const wb = split.exportWeights()
    let diff = 0
    for (const [name, x] of wa) x.data.forEach((v, j) => (diff = Math.max(diff, Math.abs(v - (wb.get(name)!.data[j] as number)))))
    // AdamW's first step moves each weight by ≈ lr·g/(|g| + ε): for the tiniest gradients float32 rounding of g
    // (above, < 1e-6) shows up at up to a few parts in 1000 of lr = 3e-3; 1% of lr is the bound.
    assert.ok(diff < 3e-5, `weights after the step differ by ${diff}`)
  } finally {
    await whole.dispose()
    await split.dispose()
  }
})
