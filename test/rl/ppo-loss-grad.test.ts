// The PPO objective over plain arrays (the onnxruntime trainer's loss) against tfjs's autodiff of `ppoLoss`, the
// onnxruntime updater end to end (proximal log-probs, minibatches, a rewarded token becoming likelier), and the
// trainer's log-probs against the generation engine's graph (the behaviour/proximal agreement decoupled PPO needs).
import {before, test} from 'node:test'
import assert from 'node:assert/strict'
import {loadTf, type LoadedTf} from '../../src/model/tfjs/backend.js'
import {initWeights} from '../../src/model/init.js'
import {parseModelConfig, presetConfig} from '../../src/model/config.js'
import {Rng} from '../../src/core/rng.js'
import {ppoLoss, PpoStats, type PpoLossOptions, type PpoMicroBatch} from '../../src/rl/ppo-loss.js'
import {ppoLossGradient} from '../../src/rl/ppo-loss-grad.js'
import {LocalPolicyUpdater} from '../../src/rl/policy-updater.js'
import {OnnxPolicyTrainer} from '../../src/model/onnx/trainer.js'
import {buildDecoderModel} from '../../src/model/onnx/graph.js'
import {OnnxSession} from '../../src/model/onnx/runtime.js'

let runtime: LoadedTf
before(async () => {
  runtime = await loadTf('wasm')
})

const config = parseModelConfig({...presetConfig('tiny', 61, 0).raw, num_hidden_layers: 1})

function randomMicroBatch(seed: number, n: number): PpoMicroBatch {
  const rng = new Rng(seed)
  const lossMask = Float32Array.from({length: n}, () => (rng.next() < 0.8 ? 1 : 0))
  const proximal = Float32Array.from({length: n}, () => -0.2 - 3 * rng.next())
  return {
    tokens: {inputIds: new Int32Array(n + 1), batch: 1, seqLen: n + 1},
    lossMask,
    advantages: Float32Array.from({length: n}, () => 2 * rng.normal()),
    // Some behaviour log-probs far below the proximal ones: their weight passes the cap.
    behaviourLogprobs: proximal.map((p, i) => p - (i % 7 === 3 ? 3 : 0.3 * rng.normal())),
    proximalLogprobs: proximal,
    lossTokens: lossMask.reduce((a, v) => a + v, 0),
  }
}

test('ppoLossGradient: loss, d loss / d logp and statistics equal tfjs autodiff of ppoLoss (clipped both ways, capped, masked, clip mode, proximal from current)', () => {
  const {tf} = runtime
  const n = 64
  const cases: Array<[string, PpoLossOptions, boolean]> = [
    ['defaults', {}, false],
    ['eps 0.1, clip mode, cap 3', {clipEps: 0.1, behavImpCap: 3, behavImpMode: 'clip'}, false],
    ['proximal from current', {proximalFromCurrent: true}, true],
    ['KL penalty 0.3 towards a reference', {klCoef: 0.3}, false],
    ['KL penalty, proximal from current, clip mode', {klCoef: 0.05, proximalFromCurrent: true, behavImpMode: 'clip'}, true],
  ]
  for (const [label, options, fromCurrent] of cases) {
    const base = randomMicroBatch(label.length, n)
    const rng = new Rng(99)
    if (options.klCoef) base.referenceLogprobs = base.proximalLogprobs!.map((p) => p + 0.8 * rng.normal())
    // Current log-probs spread around the proximal ones so that both clip branches occur.
    const logp = Float32Array.from(base.proximalLogprobs!, (p) => p + 0.6 * rng.normal())
    const mbA: PpoMicroBatch = {...base, proximalLogprobs: fromCurrent ? undefined : base.proximalLogprobs}
    const mbB: PpoMicroBatch = {...base, proximalLogprobs: fromCurrent ? undefined : base.proximalLogprobs}
    const statsA = new PpoStats()
    const statsB = new PpoStats()
    const mine = ppoLossGradient(logp, mbA, options, statsA)
    const x = tf.tensor2d(logp, [1, n])
    const value = ppoLoss(tf, x, mbB, options, statsB)
    const want = value.dataSync()[0] as number
    mbB.proximalLogprobs = fromCurrent ? undefined : base.proximalLogprobs
    const grad = tf.grad((l) => ppoLoss(tf, l as typeof x, mbB, options))(x).dataSync() as Float32Array
    assert.ok(Math.abs(mine.loss - want) < 1e-5, `${label}: loss ${mine.loss} vs ${want}`)
    let nonzero = 0
    grad.forEach((g, i) => {
      if (g !== 0) nonzero++
      assert.ok(Math.abs((mine.dlogp[i] as number) - g) < 1e-6, `${label}: dlogp[${i}] ${mine.dlogp[i]} vs ${g}`)
    })
    assert.ok(nonzero > 5, `${label}: only ${nonzero} tokens carry a gradient`)
    assert.deepEqual(statsA.summary(), statsB.summary())
    assert.equal(statsA.summary().ref_kl !== undefined, Boolean(options.klCoef), `${label}: ref_kl only with a KL penalty`)
    if (options.klCoef) assert.ok(statsA.summary().ref_kl! > 0.01, `${label}: ref_kl ${statsA.summary().ref_kl}`)
    if (!fromCurrent) assert.ok(statsA.summary().clip_frac > 0, `${label}: nothing clipped`)
    if (fromCurrent) assert.deepEqual(mbA.proximalLogprobs, logp)
    x.dispose()
    value.dispose()
  }
})

/** The onnxruntime trainer's log-probs of `tokens` under `weights`. */
async function logprobsOf(weights: ReturnType<typeof initWeights>, tokens: PpoMicroBatch['tokens']): Promise<Float32Array> {
  const trainer = await OnnxPolicyTrainer.create(config, weights)
  try {
    return await trainer.tokenLogProbs(tokens)
  } finally {
    await trainer.dispose()
  }
}

/**
 * Start weights and a batch of two identical micro-batches of two sequences: tokens 1–2 rewarded, 4–5 penalised, the
 * start weights' log-probs (`prox`) as behaviour. `batch()` makes fresh micro-batches (an update writes into them).
 */
async function rewardedBatch(): Promise<{weights: ReturnType<typeof initWeights>; tokens: PpoMicroBatch['tokens']; prox: Float32Array; batch: () => PpoMicroBatch[]}> {
  const weights = initWeights(config, 4, 0.2)
  const tokens = {inputIds: Int32Array.from([3, 9, 27, 20, 5, 8, 13, 21]), batch: 2, seqLen: 4}
  const prox = await logprobsOf(weights, tokens)
  const base = {tokens, lossMask: Float32Array.from([0, 1, 1, 0, 1, 1]), advantages: Float32Array.from([0, 1, 1, 0, -1, -1]), lossTokens: 4}
  return {weights, tokens, prox, batch: () => [0, 1].map(() => ({...base, tokens: {...tokens}, behaviourLogprobs: prox.slice()}))}
}

test('onnx updater: proximal log-probs before two minibatches, ratios move off 1, the rewarded token gets likelier', async () => {
  const {weights, tokens, prox, batch} = await rewardedBatch()
  const updater = await LocalPolicyUpdater.create({config, weights, backend: 'onnx', learningRate: 1e-2, weightDecay: 0})
  try {
    const mbs = batch()
    const result = await updater.update(mbs, 2)
    assert.match(result.backend, /onnxruntime-node cpu/)
    assert.equal(result.stats.tokens, 8)
    assert.ok(result.stats.ratio_max > 1 + 1e-4 || Math.abs(result.stats.approx_kl) > 1e-6, JSON.stringify(result.stats))
    // The proximal log-probs of the first minibatch are those of the starting weights, exactly.
    assert.deepEqual(mbs[0]!.proximalLogprobs, prox)
    const moved = await logprobsOf(await updater.exportWeights(), tokens)
    assert.ok((moved[1] as number) > (prox[1] as number) + 1e-3, `rewarded: ${prox[1]} → ${moved[1]}`)
    assert.ok((moved[4] as number) < (prox[4] as number) - 1e-3, `penalised: ${prox[4]} → ${moved[4]}`)
  } finally {
    await updater.close()
  }
})

test('onnx updater, PPO epochs: three passes over one batch train three steps against the start weights, and the clip bounds them', async () => {
  const {weights, tokens, prox, batch} = await rewardedBatch()
  const logprobsAfter = async (epochs: number, learningRate: number): Promise<{moved: Float32Array; stats: Awaited<ReturnType<LocalPolicyUpdater['update']>>['stats']}> => {
    const updater = await LocalPolicyUpdater.create({config, weights, backend: 'onnx', learningRate, weightDecay: 0})
    try {
      const mbs = batch()
      const result = await updater.update(mbs, 1, epochs)
      // Every pass's ratio is against the weights before the first step: the start model's log-probs, exactly.
      if (epochs > 1) assert.deepEqual(mbs[0]!.proximalLogprobs, prox)
      return {moved: await logprobsOf(await updater.exportWeights(), tokens), stats: result.stats}
    } finally {
      await updater.close()
    }
  }
  const one = await logprobsAfter(1, 1e-2)
  const three = await logprobsAfter(3, 1e-2)
  assert.equal(one.stats.tokens, 8)
  assert.equal(three.stats.tokens, 24, 'a token counts once per pass')
  assert.equal(one.stats.ratio_max, 1, 'one step: the ratio is 1')
  assert.ok(three.stats.ratio_max > 1 + 1e-3, `later passes see ratios off 1: ${JSON.stringify(three.stats)}`)
  // Three steps move the rewarded token further up and the penalised one further down than one step.
  assert.ok((three.moved[1] as number) > (one.moved[1] as number) + 1e-3, `rewarded: one step ${one.moved[1]}, three ${three.moved[1]}`)
  assert.ok((three.moved[4] as number) < (one.moved[4] as number) - 1e-3, `penalised: one step ${one.moved[4]}, three ${three.moved[4]}`)
  // A large step clips: the later passes' ratios leave 1 ± ε, those tokens stop pulling, and the clip fraction says so.
  const large = await logprobsAfter(6, 2e-1)
  assert.ok(large.stats.clip_frac > 0, JSON.stringify(large.stats))
})

test('KL penalty: no reference log-probs is an error; at the reference the term and its gradient are 0', () => {
  const mb = randomMicroBatch(7, 16)
  const logp = mb.proximalLogprobs!.slice()
  assert.throws(() => ppoLossGradient(logp, mb, {klCoef: 0.1}), /reference log-probs/)
  assert.throws(() => ppoLossGradient(logp, {...mb, referenceLogprobs: logp.slice()}, {klCoef: -1}), /klCoef ≥ 0/)
  const without = ppoLossGradient(logp, {...mb}, {})
  const atReference = ppoLossGradient(logp, {...mb, referenceLogprobs: logp.slice()}, {klCoef: 0.5})
  assert.ok(Math.abs(without.loss - atReference.loss) < 1e-7)
  assert.deepEqual(atReference.dlogp, without.dlogp)
  // ref_kl averages k3 over the penalised tokens only: a token the behaviour cap masks carries no KL term.
  const two: PpoMicroBatch = {tokens: {inputIds: new Int32Array(3), batch: 1, seqLen: 3}, lossMask: Float32Array.from([1, 1]), advantages: new Float32Array(2),
    behaviourLogprobs: Float32Array.from([-1, -9]), proximalLogprobs: Float32Array.from([-1, -1]), referenceLogprobs: Float32Array.from([-1.5, -3]), lossTokens: 2}
  const twoStats = new PpoStats()
  ppoLossGradient(Float32Array.from([-1, -1]), two, {klCoef: 1}, twoStats)
  assert.equal(twoStats.summary().behav_imp_capped_frac, 0.5)
  assert.ok(Math.abs(twoStats.summary().ref_kl! - (Math.exp(-0.5) + 0.5 - 1)) < 1e-9, `ref_kl ${twoStats.summary().ref_kl}`)
  // Above the reference the penalty pushes log-probs down (positive d loss / d logp), below it up.
  const zero = {...mb, advantages: new Float32Array(16), referenceLogprobs: logp.map((p, i) => p + (i % 2 ? 0.5 : -0.5))}
  const g = ppoLossGradient(logp, zero, {klCoef: 1, behavImpCap: 0})
  assert.ok(g.loss > 0)
  g.dlogp.forEach((d, i) => {
    if (!mb.lossMask[i]) return assert.equal(d, 0)
    assert.ok(i % 2 ? d < 0 : d > 0, `dlogp[${i}] = ${d}`)
  })
})

test('onnx updater with a KL penalty and no advantage: the policy moves back towards the reference', async () => {
  const start = initWeights(config, 4, 0.2)
  const reference = initWeights(config, 8, 0.2)
  const tokens = {inputIds: Int32Array.from([3, 9, 27, 20, 5, 8, 13, 21]), batch: 2, seqLen: 4}
  const ref = await logprobsOf(reference, tokens)
  const kl = async (weights: typeof start): Promise<number> => {
    const logp = await logprobsOf(weights, tokens)
    return logp.reduce((a, x, i) => a + (Math.exp((ref[i] as number) - x) - ((ref[i] as number) - x) - 1), 0)
  }
  const before = await kl(start)
  const mb = (): PpoMicroBatch => ({tokens: {...tokens}, lossMask: new Float32Array(6).fill(1), advantages: new Float32Array(6), behaviourLogprobs: new Float32Array(6).fill(-3), lossTokens: 6})
  // Without reference weights the updater cannot honour klCoef: it says so instead of training without the penalty.
  const bare = await LocalPolicyUpdater.create({config, weights: start, backend: 'onnx', learningRate: 1e-2, weightDecay: 0, loss: {klCoef: 1, behavImpCap: 0}})
  await assert.rejects(bare.update([mb()], 1), /reference/)
  await bare.close()
  const updater = await LocalPolicyUpdater.create({config, weights: start, backend: 'onnx', learningRate: 1e-3, weightDecay: 0, loss: {klCoef: 1, behavImpCap: 0}, referenceWeights: reference})
  try {
    let result
    for (let i = 0; i < 5; i++) result = await updater.update([mb()], 1)
    assert.ok(result!.stats.ref_kl! > 0, JSON.stringify(result!.stats))
    const after = await kl(await updater.exportWeights())
    assert.ok(after < before * 0.9, `k3 towards the reference ${before} → ${after}`)
  } finally {
    await updater.close()
  }
})

test('the trainer\'s log-probs equal the generation graph\'s (what the engine records as behaviour log-probs)', async () => {
  const weights = initWeights(config, 5, 0.3)
  const t = 9
  const ids = Array.from({length: t}, (_, i) => (i * 17 + 3) % config.vocabSize)
  const trainer = await OnnxPolicyTrainer.create(config, weights)
  const mine = await trainer.tokenLogProbs({inputIds: Int32Array.from(ids), batch: 1, seqLen: t})
  await trainer.dispose()
  const session = await OnnxSession.create(buildDecoderModel(config, weights, {fused: true}).bytes, {intraOpNumThreads: 1})
  const feeds: Parameters<OnnxSession['run']>[0] = {
    input_ids: {data: BigInt64Array.from(ids, BigInt), dims: [1, t]},
    attention_mask: {data: new BigInt64Array(t).fill(1n), dims: [1, t]},
    position_ids: {data: BigInt64Array.from({length: t}, (_, i) => BigInt(i)), dims: [1, t]},
  }
  for (let l = 0; l < config.numLayers; l++) {
    for (const kind of ['key', 'value']) feeds[`past_key_values.${l}.${kind}`] = {data: new Float32Array(0), dims: [1, config.numKvHeads, 0, config.headDim]}
  }
  const logits = (await session.run(feeds)).logits!.data as Float32Array
  await session.release()
  const V = config.vocabSize
  let maxDiff = 0
  for (let i = 0; i + 1 < t; i++) {
    const row = logits.subarray(i * V, (i + 1) * V)
    const max = Math.max(...row)
    const lse = max + Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0))
    maxDiff = Math.max(maxDiff, Math.abs((mine[i] as number) - ((row[ids[i + 1] as number] as number) - lse)))
  }
  if (process.env.ARS_TEST_VERBOSE) console.log(`max |Δ logp| trainer vs generation graph: ${maxDiff}`)
  assert.ok(maxDiff < 1e-5, `max |Δ logp| ${maxDiff}`) // float32 rounding of two different op orders (measured 1.8e-6)
})
