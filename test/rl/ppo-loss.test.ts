// The decoupled PPO loss: value and gradient against hand-computed numbers, a finite-difference check through
// a tiny tfjs Qwen2, the behaviour-weight cap, and one real optimiser step moving a rewarded token's probability.
import {before, test} from 'node:test'
import assert from 'node:assert/strict'
import {loadTf, type LoadedTf} from '../../src/model/tfjs/backend.js'
import {TfQwen2} from '../../src/model/tfjs/qwen2.js'
import {PolicyTrainer} from '../../src/model/tfjs/policy-trainer.js'
import {initWeights} from '../../src/model/init.js'
import {parseModelConfig, presetConfig} from '../../src/model/config.js'
import {behaviourWeights, computeProximalLogprobs, ppoLoss, PpoStats, type PpoMicroBatch} from '../../src/rl/ppo-loss.js'

let runtime: LoadedTf
before(async () => {
  runtime = await loadTf('wasm')
})

const config = parseModelConfig({...presetConfig('tiny', 61, 0).raw, num_hidden_layers: 1})

test('loss and d loss / d logp equal the hand-computed decoupled PPO terms', () => {
  const {tf} = runtime
  // One row of 5 targets: [masked, unclipped A>0, clipped A>0 (r = e^0.5 > 1.2), clipped A<0 (r = e^-0.5 < 0.8), over the cap]
  const logp = Float32Array.from([-1, -1, -0.5, -1.5, -1])
  const prox = Float32Array.from([-1, -1.1, -1, -1, -1])
  const behav = Float32Array.from([-1, -1.3, -1, -1.2, -4]) // last: w = e^3 ≈ 20 > cap 5 → masked
  const adv = Float32Array.from([9, 2, 1, -1, 3])
  const mask = Float32Array.from([0, 1, 1, 1, 1])
  const mb: PpoMicroBatch = {tokens: {inputIds: new Int32Array(6), batch: 1, seqLen: 6}, lossMask: mask, advantages: adv, behaviourLogprobs: behav, proximalLogprobs: prox, lossTokens: 4}
  const eps = 0.2
  // Hand: token1 r = e^0.1, w = e^0.2, term = −2·r·w; token2 clipped: −1·1.2·1; token3 clipped: +1·0.8·e^0.2; token4 masked by cap.
  const r1 = Math.exp(0.1)
  const expected = (-2 * r1 * Math.exp(0.2) - 1.2 + 0.8 * Math.exp(0.2)) / 4
  const stats = new PpoStats()
  const x = tf.tensor2d(logp, [1, 5])
  const value = ppoLoss(tf, x, mb, {clipEps: eps, behavImpCap: 5}, stats)
  assert.ok(Math.abs((value.dataSync()[0] as number) - expected) < 1e-5, `${value.dataSync()[0]} vs ${expected}`)
  const grad = tf.grad((l) => ppoLoss(tf, l as typeof x, mb, {clipEps: eps, behavImpCap: 5}))(x).dataSync()
  // Only the unclipped token has a gradient: −A·w·r / N.
  const want = [0, (-2 * Math.exp(0.2) * r1) / 4, 0, 0, 0]
  want.forEach((g, i) => assert.ok(Math.abs((grad[i] as number) - g) < 1e-5, `grad[${i}] ${grad[i]} vs ${g}`))
  const s = stats.summary()
  assert.equal(stats.tokens, 4)
  assert.equal(s.clip_frac, 0.5)
  assert.equal(s.behav_imp_capped_frac, 0.25)
  assert.ok(Math.abs(s.approx_kl - (-0.1 - 0.5 + 0.5 + 0) / 4) < 1e-6)
  // `clip` mode truncates the weight instead of masking the token.
  assert.ok(Math.abs((behaviourWeights(mb, {behavImpCap: 5, behavImpMode: 'clip'}).weights[4] as number) - 5) < 1e-6)
  value.dispose()
  x.dispose()
})

test('the gradient through a tiny Qwen2 matches central finite differences', () => {
  const {tf} = runtime
  const weights = initWeights(config, 3, 0.3)
  const model = new TfQwen2(tf, config, weights)
  const tokens = {inputIds: Int32Array.from([1, 5, 9, 13, 2, 7, 30, 11, 40, 3]), batch: 2, seqLen: 5}
  const prox0 = computeProximalLogprobs(tf, model, tokens)
  // Shift the proximal and behaviour log-probs so ratios straddle the clip range and weights differ from 1.
  const shifts = [0, 0.05, -0.4, 0.1, 0.45, -0.05, 0, 0.12]
  const mb: PpoMicroBatch = {
    tokens, lossMask: Float32Array.from([0, 1, 1, 1, 1, 1, 0, 1]), advantages: Float32Array.from([0, 1.5, 1, -0.7, -1, 0.8, 0, -1.2]),
    proximalLogprobs: prox0.map((p, i) => p + (shifts[i] as number)), behaviourLogprobs: prox0.map((p, i) => p + 0.1 * Math.sin(i)), lossTokens: 6,
  }
  const lossOf = (): number => tf.tidy(() => ppoLoss(tf, model.tokenLogProbs(tokens), mb).dataSync()[0] as number)
  const {value, grads} = tf.variableGrads(() => ppoLoss(tf, model.tokenLogProbs(tokens), mb), model.variables)
  value.dispose()
  const h = 5e-3
  let checked = 0
  for (const v of model.variables) {
    const g = grads[v.name]!.dataSync() as Float32Array
    const order = [...g.keys()].sort((a, b) => Math.abs(g[b] as number) - Math.abs(g[a] as number))
    for (const i of order.slice(0, 2)) {
      const base = Float32Array.from(v.dataSync() as Float32Array)
      const at = (delta: number): number => {
        const data = Float32Array.from(base)
        data[i] = (data[i] as number) + delta
        tf.tidy(() => v.assign(tf.tensor(data, v.shape)))
        return lossOf()
      }
      const numeric = (at(h) - at(-h)) / (2 * h)
      tf.tidy(() => v.assign(tf.tensor(base, v.shape)))
      const a = g[i] as number
      assert.ok(Math.abs(a - numeric) <= 2e-3 + 0.05 * Math.max(Math.abs(a), Math.abs(numeric)), `${v.name}[${i}]: analytic ${a}, numeric ${numeric}`)
      checked++
    }
  }
  assert.ok(checked >= 10)
  Object.values(grads).forEach((g) => g.dispose())
  model.dispose()
})

test('a step with a positive advantage raises that token\'s log-prob; a negative one lowers it', async () => {
  const weights = initWeights(config, 9, 0.2)
  const trainer = await PolicyTrainer.create(config, weights, {backend: 'wasm', optimizer: {learningRate: 3e-3, weightDecay: 0}})
  const {tf} = trainer
  const tokens = {inputIds: Int32Array.from([4, 8, 15, 16, 23, 42, 4, 8, 15, 16, 50, 42]), batch: 2, seqLen: 6}
  // Row 0 continues 16 → 23 (advantage +1), row 1 continues 16 → 50 (advantage −1); only that target is trained.
  const mask = Float32Array.from([0, 0, 0, 1, 0, 0, 0, 0, 1, 0])
  const adv = Float32Array.from([0, 0, 0, 1, 0, 0, 0, 0, -1, 0])
  const before = computeProximalLogprobs(tf, trainer.model, tokens)
  const mb: PpoMicroBatch = {tokens, lossMask: mask, advantages: adv, behaviourLogprobs: before.slice(), proximalLogprobs: before, lossTokens: 2}
  const stats = new PpoStats()
  const result = await trainer.trainStep([mb], (model, m) => ppoLoss(tf, model.tokenLogProbs(m.tokens), m, {}, stats))
  assert.ok(result.gradNorm > 0)
  const after = computeProximalLogprobs(tf, trainer.model, tokens)
  assert.ok((after[3] as number) > (before[3] as number) + 1e-3, `rewarded: ${before[3]} → ${after[3]}`)
  assert.ok((after[8] as number) < (before[8] as number) - 1e-3, `penalised: ${before[8]} → ${after[8]}`)
  // On-policy first pass: ratio 1, nothing clipped, weights 1.
  assert.equal(stats.summary().clip_frac, 0)
  assert.ok(Math.abs(stats.summary().behav_imp_weight_mean - 1) < 1e-6)
  trainer.dispose()
})

test('proximal log-probs from the training forward equal a separate no-grad pass; minibatches see ratios ≠ 1', async () => {
  const {tf} = runtime
  const weights = initWeights(config, 4, 0.2)
  const model = new TfQwen2(tf, config, weights)
  const tokens = {inputIds: Int32Array.from([3, 9, 27, 20, 5, 8, 13, 21]), batch: 2, seqLen: 4}
  const base = {tokens, lossMask: Float32Array.from([0, 1, 1, 0, 1, 1]), advantages: Float32Array.from([0, 1, 1, 0, -1, -1]), lossTokens: 4}
  const prox = computeProximalLogprobs(tf, model, tokens)
  const separate: PpoMicroBatch = {...base, behaviourLogprobs: prox.map((p) => p - 0.1), proximalLogprobs: prox}
  const fused: PpoMicroBatch = {...base, behaviourLogprobs: prox.map((p) => p - 0.1)}
  const grad = (mb: PpoMicroBatch, o: {proximalFromCurrent?: boolean}) => {
    const {value, grads} = tf.variableGrads(() => ppoLoss(tf, model.tokenLogProbs(tokens), mb, o), model.variables)
    const out = {loss: value.dataSync()[0] as number, g: Float32Array.from(grads[model.variables[0]!.name]!.dataSync() as Float32Array)}
    value.dispose()
    Object.values(grads).forEach((t) => t.dispose())
    return out
  }
  const a = grad(separate, {})
  const b = grad(fused, {proximalFromCurrent: true})
  assert.ok(Math.abs(a.loss - b.loss) < 1e-6)
  a.g.forEach((v, i) => assert.ok(Math.abs(v - (b.g[i] as number)) < 1e-6, `grad[${i}] ${v} vs ${b.g[i]}`))
  model.dispose()
  // Two minibatches: the second is evaluated after the first step, so its ratio moves away from 1.
  const {LocalPolicyUpdater} = await import('../../src/rl/policy-updater.js')
  const updater = await LocalPolicyUpdater.create({config, weights, backend: 'wasm', learningRate: 1e-2, weightDecay: 0})
  const mbs = [0, 1].map(() => ({...base, tokens: {...tokens}, behaviourLogprobs: prox.map((p) => p)}))
  const result = await updater.update(mbs, 2)
  assert.equal(result.stats.tokens, 8)
  assert.ok(result.stats.ratio_max > 1 + 1e-4 || Math.abs(result.stats.approx_kl) > 1e-6, JSON.stringify(result.stats))
  await updater.close()
})

test('observation loss (mask off): tool-result tokens join the loss with weight 1, the prompt stays out', async () => {
  const {withObservationTokens} = await import('../../src/rl/controller.js')
  // prompt (2) · reply (2) · tool result (3) · reply (1)
  const t = {token_ids: [5, 6, 7, 8, 9, 10, 11, 12], loss_mask: [0, 0, 1, 1, 0, 0, 0, 1] as Array<0 | 1>, behaviour_logprobs: [0, 0, -0.5, -1, 0, 0, 0, -2]}
  const s = withObservationTokens(t)
  assert.deepEqual(s.lossMask, [0, 0, 1, 1, 1, 1, 1, 1])
  assert.deepEqual([...s.extras.behaviour].map((b) => (Number.isNaN(b) ? 'nan' : b)), [0, 0, -0.5, -1, 'nan', 'nan', 'nan', -2])
  // A NaN behaviour log-prob is a token nobody sampled: its importance weight is 1, whatever the proximal log-prob.
  const mb: PpoMicroBatch = {tokens: {ids: new Int32Array(3), attentionMask: new Int32Array(3), batch: 1, seqLen: 3} as never, lossMask: new Float32Array([1, 1]), advantages: new Float32Array([1, 1]), behaviourLogprobs: new Float32Array([Number.NaN, -1]), proximalLogprobs: new Float32Array([-3, -1]), lossTokens: 2}
  assert.deepEqual([...behaviourWeights(mb).weights], [1, 1])
  // Without episodes of tools nothing changes: the mask is the sampled tokens' own.
  assert.deepEqual(withObservationTokens({token_ids: [1, 2, 3], loss_mask: [0, 1, 1] as Array<0 | 1>, behaviour_logprobs: [0, -1, -1]}).lossMask, [0, 1, 1])
})
