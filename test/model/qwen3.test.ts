// Qwen3 dense models (Qwen3ForCausalLM: per-head q/k RMSNorm before RoPE, no q/k/v biases, head_dim ≠ hidden/heads)
// in the three runtimes: a random tiny Qwen3-shaped model whose ONNX graph (standard and fused), generation engine
// (KV cache) and tfjs training model agree with the float64 reference forward and with each other; tfjs gradients
// of the q/k norms pass a finite-difference check; `ars model init --arch qwen3`, `ars export` (onnx, read by
// transformers.js too, and hf) keep it a Qwen3 model.
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {expectedTensorNames, parseModelConfig, type ModelConfig, type Weights} from '../../src/model/config.js'
import {loadCheckpoint, saveCheckpoint} from '../../src/model/checkpoint.js'
import {HfTokenizer, tokenizerPreset} from '../../src/model/tokenizer.js'
import {buildDecoderModel} from '../../src/model/onnx/graph.js'
import {OnnxSession, type HostTensor} from '../../src/model/onnx/runtime.js'
import {GenerationEngine} from '../../src/model/onnx/engine.js'
import {loadTf, type LoadedTf} from '../../src/model/tfjs/backend.js'
import {TfQwen2, variableGradients, type TokenBatch} from '../../src/model/tfjs/qwen2.js'
import {logSoftmax, referenceLogits} from '../helpers/qwen2-reference.js'
import {tinyWeights} from '../helpers/tiny-model.js'
import {runCli} from '../helpers/cli.js'

/** config.json as transformers 5 saves a Qwen3 model (Qwen3-0.6B's fields; tiny sizes, head_dim 24 ≠ 64 / 4). */
const QWEN3_CONFIG = {
  architectures: ['Qwen3ForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 256,
  dtype: 'bfloat16',
  eos_token_id: 258,
  head_dim: 24,
  hidden_act: 'silu',
  hidden_size: 64,
  initializer_range: 0.02,
  intermediate_size: 96,
  layer_types: ['full_attention', 'full_attention'],
  max_position_embeddings: 256,
  max_window_layers: 28,
  model_type: 'qwen3',
  num_attention_heads: 4,
  num_hidden_layers: 2,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_parameters: {rope_theta: 1000000.0, rope_type: 'default'},
  sliding_window: null,
  tie_word_embeddings: true,
  transformers_version: '5.17.0',
  use_cache: true,
  use_sliding_window: false,
  vocab_size: 272,
}

const TOKENS = [12, 200, 7, 99, 31, 31, 250, 3, 64, 128, 17, 5, 180]

let config: ModelConfig
let weights: Weights
let runtime: LoadedTf
before(async () => {
  config = parseModelConfig({...QWEN3_CONFIG})
  weights = tinyWeights(config, 7)
  runtime = await loadTf('wasm')
})

function maxDiff(a: ArrayLike<number>, offset: number, b: ArrayLike<number>): number {
  let worst = 0
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs((a[offset + i] as number) - (b[i] as number)))
  return worst
}

test('a Qwen3 config.json: q/k norms, no biases, explicit head_dim (transformers\' default 128 without one)', () => {
  assert.equal(config.modelType, 'qwen3')
  assert.equal(config.headDim, 24)
  assert.equal(config.qkvBias, false)
  assert.equal(config.qkNorm, true)
  assert.equal(config.ropeTheta, 1e6)
  const names = expectedTensorNames(config)
  assert.ok(names.includes('model.layers.1.self_attn.q_norm.weight') && names.includes('model.layers.1.self_attn.k_norm.weight'))
  assert.ok(!names.some((n) => n.endsWith('.bias')))
  assert.equal(weights.get('model.layers.0.self_attn.q_proj.weight')?.shape.join('x'), '96x64')
  assert.equal(weights.get('model.layers.0.self_attn.q_norm.weight')?.shape.join('x'), '24')
  const {head_dim: _h, ...noHeadDim} = QWEN3_CONFIG
  assert.equal(parseModelConfig(noHeadDim).headDim, 128)
  assert.throws(() => parseModelConfig({...QWEN3_CONFIG, attention_bias: true}, 'q3/config.json'), /q3\/config\.json: attention_bias: true on a Qwen3 model/)
  assert.throws(() => parseModelConfig({...QWEN3_CONFIG, architectures: ['Qwen2ForCausalLM']}), /unsupported architecture Qwen2ForCausalLM \(model_type "qwen3"\)/)
  assert.throws(() => parseModelConfig({...QWEN3_CONFIG, model_type: 'qwen3_moe', architectures: ['Qwen3MoeForCausalLM']}), /unsupported architecture Qwen3MoeForCausalLM/)
})

test('the float64 reference applies the q/k norms (changing them changes the logits)', () => {
  const base = referenceLogits(config, weights, TOKENS.slice(0, 6))
  for (const name of ['model.layers.0.self_attn.q_norm.weight', 'model.layers.1.self_attn.k_norm.weight']) {
    const edited: Weights = new Map(weights)
    const t = weights.get(name) as {name: string; shape: number[]; data: Float32Array}
    edited.set(name, {...t, data: t.data.map((v, i) => (i === 3 ? v * 2 : v))})
    const changed = referenceLogits(config, edited, TOKENS.slice(0, 6))
    assert.ok(maxDiff(changed[5] as Float64Array, 0, base[5] as Float64Array) > 1e-3, name)
  }
  // The norm of each head is over head_dim: scaling one head's q projection does nothing (RMSNorm undoes it, up to
  // the ε inside the square root).
  const scaled: Weights = new Map(weights)
  const q = weights.get('model.layers.0.self_attn.q_proj.weight') as {name: string; shape: number[]; data: Float32Array}
  scaled.set(q.name, {...q, data: q.data.map((v, i) => (i < 24 * 64 ? v * 3 : v))})
  const same = referenceLogits(config, scaled, TOKENS.slice(0, 6))
  assert.ok(maxDiff(same[5] as Float64Array, 0, base[5] as Float64Array) < 1e-5)
})

function emptyPast(batch: number): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {}
  for (let l = 0; l < config.numLayers; l++) for (const kind of ['key', 'value']) feeds[`past_key_values.${l}.${kind}`] = {data: new Float32Array(0), dims: [batch, config.numKvHeads, 0, config.headDim]}
  return feeds
}

test('ONNX graphs (standard and fused) give the reference logits; the engine\'s greedy log-probs and the tfjs model\'s agree to 2e-5', async () => {
  const expected = referenceLogits(config, weights, TOKENS)
  const n = TOKENS.length
  const i64 = (v: number[]) => BigInt64Array.from(v.map((x) => BigInt(x)))
  for (const fused of [false, true]) {
    const session = await OnnxSession.create(buildDecoderModel(config, weights, {fused}).bytes, {intraOpNumThreads: 1})
    const out = await session.run({input_ids: {data: i64(TOKENS), dims: [1, n]}, attention_mask: {data: i64(TOKENS.map(() => 1)), dims: [1, n]}, position_ids: {data: i64(TOKENS.map((_, i) => i)), dims: [1, n]}, ...emptyPast(1)})
    const logits = out.logits?.data as Float32Array
    for (let i = 0; i < n; i++) assert.ok(maxDiff(logits, i * config.vocabSize, expected[i] as Float64Array) < 1e-4, `fused=${fused} position ${i}`)
    await session.release()
  }

  // Generation through the KV cache, two prompts of different lengths batched together (left padding).
  const engine = await GenerationEngine.create({config, model: weights, intraOpNumThreads: 1, maxBatchSize: 4})
  const prompts = [TOKENS.slice(0, 5), TOKENS]
  const results = await Promise.all(prompts.map((p) => engine.generate({tokenIds: p, maxTokens: 10, temperature: 0, stopTokenIds: []})))
  await engine.close()

  const model = new TfQwen2(runtime.tf, config, weights)
  let worstEngine = 0
  let worstTfjs = 0
  try {
    for (const [k, prompt] of prompts.entries()) {
      const r = results[k] as {tokenIds: number[]; logprobs: number[]}
      assert.equal(r.tokenIds.length, 10)
      const sequence = [...prompt, ...r.tokenIds]
      const ref = referenceLogits(config, weights, sequence)
      const tfLogp = runtime.tf.tidy(() => model.tokenLogProbs({inputIds: Int32Array.from(sequence), batch: 1, seqLen: sequence.length}).dataSync() as Float32Array)
      r.tokenIds.forEach((token, i) => {
        const at = prompt.length + i - 1 // logits at position `at` predict token `at + 1`
        const want = logSoftmax(ref[at] as Float64Array)[token] as number
        worstEngine = Math.max(worstEngine, Math.abs((r.logprobs[i] as number) - want))
        worstTfjs = Math.max(worstTfjs, Math.abs((tfLogp[at] as number) - (r.logprobs[i] as number)))
      })
      // Greedy: each generated token is the reference argmax.
      r.tokenIds.forEach((token, i) => {
        const row = ref[prompt.length + i - 1] as Float64Array
        assert.equal(token, row.indexOf(Math.max(...row)), `prompt ${k} token ${i}`)
      })
    }
    const tfLogits = runtime.tf.tidy(() => model.logits({inputIds: Int32Array.from(TOKENS), batch: 1, seqLen: n}).dataSync() as Float32Array)
    for (let i = 0; i < n; i++) assert.ok(maxDiff(tfLogits, i * config.vocabSize, expected[i] as Float64Array) < 1e-4, `tfjs position ${i}`)
  } finally {
    model.dispose()
  }
  assert.ok(worstEngine < 2e-5, `engine vs float64 reference log-probs: ${worstEngine}`)
  assert.ok(worstTfjs < 2e-5, `tfjs vs engine log-probs: ${worstTfjs}`)
})

test('tfjs gradients of the q/k norms and projections pass a finite-difference check, with and without checkpointing', () => {
  const {tf} = runtime
  const batch: TokenBatch = {inputIds: Int32Array.from([...TOKENS.slice(0, 8), ...TOKENS.slice(3, 11)]), batch: 2, seqLen: 8}
  const lossOf = (w: Weights): number => {
    const m = new TfQwen2(tf, config, w)
    try {
      return tf.tidy(() => (m.nextTokenLoss(batch).dataSync() as Float32Array)[0] as number)
    } finally {
      m.dispose()
    }
  }
  const plain = new TfQwen2(tf, config, weights)
  const checkpointed = new TfQwen2(tf, config, weights, {gradientCheckpointing: true})
  try {
    const {grads} = variableGradients(tf, plain.variables, () => plain.nextTokenLoss(batch))
    const ck = checkpointed.lossAndGradients(batch, () => checkpointed.nextTokenLoss(batch))
    grads.forEach((g, i) => assert.ok(maxDiff(g.dataSync(), 0, (ck.grads[i] as {dataSync(): Float32Array}).dataSync()) < 1e-5, `checkpointed gradient ${plain.variables[i]?.name}`))
    // Gradients back in HF names (exportWeights of a model holding the gradients is how the trainer names them).
    const byName = new Map<string, Float32Array>()
    const names = (prefix: string) => plain.variables.findIndex((v) => v.name.startsWith(prefix))
    for (const [label, prefix] of [['model.layers.0.self_attn.q_norm.weight', 'l0.q_norm#'], ['model.layers.1.self_attn.k_norm.weight', 'l1.k_norm#'], ['model.layers.0.self_attn.k_norm.weight', 'l0.k_norm#']] as const) {
      const index = names(prefix)
      assert.ok(index >= 0, prefix)
      byName.set(label, grads[index]?.dataSync() as Float32Array)
    }
    for (const [name, grad] of byName) {
      const largest = grad.reduce((best, v, i) => (Math.abs(v) > Math.abs(grad[best] as number) ? i : best), 0)
      for (const i of [largest, 5]) {
        const eps = 1e-2
        const shifted = (delta: number): Weights => {
          const w: Weights = new Map(weights)
          const t = weights.get(name) as {name: string; shape: number[]; data: Float32Array}
          const data = Float32Array.from(t.data)
          data[i] = (data[i] as number) + delta
          w.set(name, {...t, data})
          return w
        }
        const numeric = (lossOf(shifted(eps)) - lossOf(shifted(-eps))) / (2 * eps)
        const analytic = grad[i] as number
        assert.ok(Math.abs(numeric - analytic) < 2e-3 + 0.03 * Math.abs(numeric), `${name}[${i}]: analytic ${analytic} vs numeric ${numeric}`)
      }
    }
    for (const g of [...grads, ...ck.grads]) g.dispose()
  } finally {
    plain.dispose()
    checkpointed.dispose()
  }
  // exportWeights gives back the q/k norms under their HF names, exactly.
  const m = new TfQwen2(tf, config, weights)
  try {
    const back = m.exportWeights()
    for (const name of expectedTensorNames(config)) assert.deepEqual(back.get(name)?.data, weights.get(name)?.data, name)
  } finally {
    m.dispose()
  }
})

let dir: string
after(() => {
  if (dir) rmSync(dir, {recursive: true, force: true})
})

test('ars model init --arch qwen3, model info, and export onnx (transformers.js agrees) and hf keep a Qwen3 model', async () => {
  dir = mkdtempSync(join(tmpdir(), 'ars-qwen3-'))
  const init = await runCli(['model', 'init', '--preset', 'tiny', '--arch', 'qwen3', '--tokenizer', 'byte', '--out', join(dir, 'init'), '--quiet'])
  assert.equal(init.code, 0, init.stderr)
  const written = JSON.parse(await readFile(join(dir, 'init', 'config.json'), 'utf8')) as Record<string, unknown>
  assert.equal(written.model_type, 'qwen3')
  assert.deepEqual(written.architectures, ['Qwen3ForCausalLM'])
  assert.equal(written.head_dim, 16)
  assert.equal(written.attention_bias, false)
  const info = await runCli(['model', 'info', join(dir, 'init')])
  assert.equal(info.code, 0, info.stderr)
  assert.match(info.stdout, /: Qwen3ForCausalLM\n/)
  assert.match(info.stdout, /q\/k norms/)
  assert.match(info.stdout, /model\.layers\.\*\.self_attn\.q_norm\.weight\s+\[16\]/)
  assert.doesNotMatch(info.stdout, /MISSING|MISMATCH/)

  // The random tiny Qwen3 (non-trivial norms) through the CLI exports.
  const files = tokenizerPreset('byte')
  const tokenizer = new HfTokenizer(files)
  await saveCheckpoint(join(dir, 'model'), {config, weights, tokenizer: files})
  const onnx = await runCli(['export', join(dir, 'model'), '--format', 'onnx', '--out', join(dir, 'onnx-out'), '--quiet'])
  assert.equal(onnx.code, 0, onnx.stderr)
  assert.ok(existsSync(join(dir, 'onnx-out', 'onnx', 'model.onnx')))
  const prompts = ['Hello world', 'The capital of']
  const fromExport = await GenerationEngine.create({config, model: join(dir, 'onnx-out', 'onnx', 'model.onnx'), intraOpNumThreads: 1})
  const fromWeights = await GenerationEngine.create({config, model: weights, intraOpNumThreads: 1})
  const ours = await Promise.all(prompts.map((p) => fromExport.generate({tokenIds: tokenizer.encode(p), maxTokens: 12, temperature: 0, stopTokenIds: []})))
  const direct = await Promise.all(prompts.map((p) => fromWeights.generate({tokenIds: tokenizer.encode(p), maxTokens: 12, temperature: 0, stopTokenIds: []})))
  await fromExport.close()
  await fromWeights.close()
  for (const [i, r] of ours.entries()) {
    assert.deepEqual(r.tokenIds, direct[i]?.tokenIds)
    assert.ok(maxDiff(r.logprobs, 0, direct[i]?.logprobs as number[]) < 1e-4)
  }

  const tjs = await import('@huggingface/transformers')
  tjs.env.allowRemoteModels = false
  tjs.env.localModelPath = dir
  const model = await tjs.AutoModelForCausalLM.from_pretrained('onnx-out', {dtype: 'fp32', device: 'cpu'})
  try {
    for (const [i, prompt] of prompts.entries()) {
      const ids = tokenizer.encode(prompt)
      const shape = [1, ids.length]
      const output = (await model.generate({
        input_ids: new tjs.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), shape),
        attention_mask: new tjs.Tensor('int64', BigInt64Array.from(ids.map(() => 1n)), shape),
        max_new_tokens: 12,
        do_sample: false,
        eos_token_id: [],
      } as Parameters<typeof model.generate>[0])) as {tolist(): bigint[][]}
      const theirs = (output.tolist()[0] as bigint[]).slice(ids.length).map(Number)
      assert.deepEqual(theirs, ours[i]?.tokenIds.slice(0, theirs.length), `transformers.js, prompt ${JSON.stringify(prompt)}`)
      assert.ok(theirs.length >= 4)
    }
  } finally {
    await model.dispose()
  }

  const hf = await runCli(['export', join(dir, 'model'), '--format', 'hf', '--out', join(dir, 'hf-out'), '--quiet'])
  assert.equal(hf.code, 0, hf.stderr)
  const back = await loadCheckpoint(join(dir, 'hf-out'))
  assert.equal(back.config.modelType, 'qwen3')
  assert.equal(back.config.headDim, 24)
  for (const [name, tensor] of weights) assert.deepEqual(back.weights.get(name)?.data, tensor.data, name)
})
