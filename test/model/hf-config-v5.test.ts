// Model folders as transformers ≥ 5 saves them (rope_parameters instead of rope_theta, dtype instead of torch_dtype,
// layer_types, chat_template.jinja beside tokenizer_config.json) read right by every runtime, and every config
// field that would change the maths but that ars does not implement refused by name.
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseModelConfig, type ModelConfig} from '../../src/model/config.js'
import {loadCheckpoint} from '../../src/model/checkpoint.js'
import {saveWeights} from '../../src/model/safetensors.js'
import {HfTokenizer, tokenizerPreset} from '../../src/model/tokenizer.js'
import {buildDecoderModel} from '../../src/model/onnx/graph.js'
import {OnnxSession, type HostTensor} from '../../src/model/onnx/runtime.js'
import {loadTf, type LoadedTf} from '../../src/model/tfjs/backend.js'
import {TfQwen2} from '../../src/model/tfjs/qwen2.js'
import {referenceLogits} from '../helpers/qwen2-reference.js'
import {tinyWeights} from '../helpers/tiny-model.js'
import {runCli} from '../helpers/cli.js'

/** config.json as transformers 5.x `save_pretrained` writes a Qwen2 model (Qwen2.5-0.5B-Instruct's fields, tiny sizes). */
const V5_CONFIG = {
  architectures: ['Qwen2ForCausalLM'],
  attention_dropout: 0.0,
  bos_token_id: 256,
  dtype: 'bfloat16',
  eos_token_id: 258,
  hidden_act: 'silu',
  hidden_size: 64,
  initializer_range: 0.02,
  intermediate_size: 176,
  layer_types: ['full_attention', 'full_attention'],
  max_position_embeddings: 32768,
  max_window_layers: 21,
  model_type: 'qwen2',
  num_attention_heads: 4,
  num_hidden_layers: 2,
  num_key_value_heads: 2,
  pad_token_id: null,
  rms_norm_eps: 1e-6,
  rope_parameters: {rope_theta: 1000000.0, rope_type: 'default'},
  sliding_window: null,
  tie_word_embeddings: true,
  transformers_version: '5.17.0',
  use_cache: true,
  use_sliding_window: false,
  vocab_size: 272,
}

/** tokenizer_config.json as transformers 5 writes it: no chat_template (it goes to chat_template.jinja), no added_tokens_decoder. */
const V5_TOKENIZER_CONFIG = {
  add_prefix_space: false,
  backend: 'tokenizers',
  bos_token: null,
  clean_up_tokenization_spaces: false,
  eos_token: '<|im_end|>',
  errors: 'replace',
  extra_special_tokens: ['<|im_start|>', '<|im_end|>'],
  is_local: true,
  model_max_length: 131072,
  pad_token: '<|endoftext|>',
  split_special_tokens: false,
  tokenizer_class: 'Qwen2Tokenizer',
  unk_token: null,
}

/** Qwen2.5's template shape: a default system prompt when the conversation has none (ChatML alone would not add it). */
const QWEN25_TEMPLATE = `{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}{%- else %}{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}{%- endif %}
{%- for message in messages %}{%- if not (message.role == 'system' and loop.first) %}{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}{%- endif %}{%- endfor %}
{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}
`

const TOKENS = Array.from({length: 40}, (_, i) => (i * 37 + 11) % 260)

let dir: string
let runtime: LoadedTf
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ars-hf-v5-'))
  const config = parseModelConfig({...V5_CONFIG})
  await saveWeights(dir, tinyWeights(config, 3))
  await writeFile(join(dir, 'config.json'), `${JSON.stringify(V5_CONFIG, null, 2)}\n`)
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerPreset('byte').tokenizer))
  await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(V5_TOKENIZER_CONFIG, null, 2))
  await writeFile(join(dir, 'chat_template.jinja'), QWEN25_TEMPLATE)
  runtime = await loadTf('wasm')
})
after(async () => {
  await rm(dir, {recursive: true, force: true})
})

/** The same model stated in the transformers 4 layout: the reference every runtime must match. */
function legacyConfig(theta: number): ModelConfig {
  const {rope_parameters: _r, dtype: _d, layer_types: _l, ...rest} = V5_CONFIG
  return parseModelConfig({...rest, rope_theta: theta, torch_dtype: 'bfloat16'})
}

function maxDiff(a: ArrayLike<number>, offset: number, b: Float64Array): number {
  let worst = 0
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs((a[offset + i] as number) - (b[i] as number)))
  return worst
}

test('a transformers 5 config.json reads rope_parameters.rope_theta and dtype, as the legacy layout reads rope_theta', () => {
  const v5 = parseModelConfig({...V5_CONFIG})
  assert.equal(v5.ropeTheta, 1e6)
  assert.equal(v5.dtype, 'bfloat16')
  const {raw: _a, ...fromV5} = v5
  const {raw: _b, ...fromLegacy} = legacyConfig(1e6)
  assert.deepEqual(fromV5, fromLegacy)
  // The same value in both places is fine; "type" (the pre-rope_type spelling) too.
  assert.equal(parseModelConfig({...V5_CONFIG, rope_theta: 1e6, rope_parameters: {rope_theta: 1e6, type: 'default'}}).ropeTheta, 1e6)
  // A rope_scaling that says default, as some 4.x configs do.
  assert.equal(parseModelConfig({...V5_CONFIG, rope_scaling: {rope_type: 'default'}}).ropeTheta, 1e6)
})

test('ONNX and tfjs runtimes on a transformers 5 folder give the rope-theta-1e6 logits (and theta 1e4 would not)', async () => {
  const checkpoint = await loadCheckpoint(dir)
  assert.equal(checkpoint.config.ropeTheta, 1e6)
  const expected = referenceLogits(legacyConfig(1e6), checkpoint.weights, TOKENS)
  const wrong = referenceLogits(legacyConfig(1e4), checkpoint.weights, TOKENS)
  const last = TOKENS.length - 1
  assert.ok(maxDiff(expected[last] as Float64Array, 0, wrong[last] as Float64Array) > 1e-2, 'the test must be able to tell the two thetas apart')

  const session = await OnnxSession.create(buildDecoderModel(checkpoint.config, checkpoint.weights).bytes, {intraOpNumThreads: 1})
  const n = TOKENS.length
  const i64 = (v: number[]) => BigInt64Array.from(v.map((x) => BigInt(x)))
  const feeds: Record<string, HostTensor> = {
    input_ids: {data: i64(TOKENS), dims: [1, n]},
    attention_mask: {data: i64(TOKENS.map(() => 1)), dims: [1, n]},
    position_ids: {data: i64(TOKENS.map((_, i) => i)), dims: [1, n]},
  }
  for (let l = 0; l < checkpoint.config.numLayers; l++) for (const kind of ['key', 'value']) feeds[`past_key_values.${l}.${kind}`] = {data: new Float32Array(0), dims: [1, 2, 0, 16]}
  const out = await session.run(feeds)
  const logits = out.logits?.data as Float32Array
  const vocab = checkpoint.config.vocabSize
  for (let i = 0; i < n; i++) assert.ok(maxDiff(logits, i * vocab, expected[i] as Float64Array) < 1e-4, `onnx position ${i}`)
  await session.release()

  const model = new TfQwen2(runtime.tf, checkpoint.config, checkpoint.weights)
  try {
    const tfLogits = runtime.tf.tidy(() => model.logits({inputIds: Int32Array.from(TOKENS), batch: 1, seqLen: n}).dataSync() as Float32Array)
    for (let i = 0; i < n; i++) assert.ok(maxDiff(tfLogits, i * vocab, expected[i] as Float64Array) < 1e-4, `tfjs position ${i}`)
  } finally {
    model.dispose()
  }
})

test('chat_template.jinja is the chat template (over ChatML), and export keeps it and states RoPE in both layouts', async () => {
  const tokenizer = await HfTokenizer.load(dir)
  assert.ok(tokenizer.hasChatTemplate)
  assert.equal(tokenizer.eosToken, '<|im_end|>')
  assert.equal(
    tokenizer.applyChatTemplate([{role: 'user', content: 'Hi'}]),
    '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n',
  )
  const out = join(dir, '..', `${dir.split('/').at(-1)}-export`)
  try {
    const result = await runCli(['export', dir, '--format', 'hf', '--out', out])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(await readFile(join(out, 'chat_template.jinja'), 'utf8'), QWEN25_TEMPLATE)
    const written = JSON.parse(await readFile(join(out, 'config.json'), 'utf8')) as Record<string, unknown>
    // transformers ≤ 4 reads rope_theta, ≥ 5 rope_parameters: both must say 1e6.
    assert.equal(written.rope_theta, 1e6)
    assert.deepEqual(written.rope_parameters, {rope_theta: 1e6, rope_type: 'default'})
    assert.equal(written.dtype, 'float32')
    assert.equal(written.torch_dtype, 'float32')
    assert.equal(parseModelConfig(written).ropeTheta, 1e6)
    assert.equal((JSON.parse(await readFile(join(out, 'tokenizer_config.json'), 'utf8')) as {chat_template?: string}).chat_template, QWEN25_TEMPLATE)
  } finally {
    await rm(out, {recursive: true, force: true})
  }
  // A folder without the .jinja file and without chat_template falls back to ChatML (no default system prompt).
  const bare = new HfTokenizer({tokenizer: tokenizerPreset('byte').tokenizer, tokenizerConfig: V5_TOKENIZER_CONFIG})
  assert.equal(bare.hasChatTemplate, false)
  assert.doesNotMatch(bare.applyChatTemplate([{role: 'user', content: 'Hi'}]), /You are Qwen/)
  assert.ok(existsSync(join(dir, 'chat_template.jinja')))
})

test('ars model info prints the transformers 5 folder\'s rope theta, dtype and chat template', async () => {
  const text = await runCli(['model', 'info', dir])
  assert.equal(text.code, 0, text.stderr)
  assert.match(text.stdout, /rope theta 1000000,/)
  assert.match(text.stdout, /dtypes {7}config bfloat16; stored F32/)
  assert.match(text.stdout, /tokenizer {4}269 ids, chat template, eos <\|im_end\|>/)
  const json = JSON.parse((await runCli(['model', 'info', dir, '--json'])).stdout) as {config: {ropeTheta: number; dtype: string}}
  assert.equal(json.config.ropeTheta, 1e6)
  assert.equal(json.config.dtype, 'bfloat16')
})

test('config fields that change the maths and that ars does not implement are refused by name, with the fix', async () => {
  const refused: [Record<string, unknown>, RegExp][] = [
    // Qwen2.5's long-context recipe as its model card gives it (transformers 4 layout) and as transformers 5 writes it.
    [{rope_scaling: {factor: 4.0, original_max_position_embeddings: 32768, type: 'yarn'}}, /rope_scaling: "yarn" is not supported/],
    [{rope_parameters: {rope_theta: 1e6, rope_type: 'yarn', factor: 4.0, original_max_position_embeddings: 32768}}, /rope_parameters\.rope_type: "yarn" is not supported/],
    [{rope_parameters: {rope_theta: 1e6, rope_type: 'linear', factor: 2.0}}, /rope_parameters\.rope_type: "linear"/],
    [{rope_scaling: {type: 'dynamic', factor: 2.0}}, /rope_scaling: "dynamic"/],
    [{rope_parameters: {rope_theta: 1e6, rope_type: 'default', partial_rotary_factor: 0.5}}, /rope_parameters\.partial_rotary_factor: 0\.5/],
    [{rope_theta: 10000}, /rope_theta: 10000 disagrees with rope_parameters\.rope_theta 1000000/],
    [{use_sliding_window: true, sliding_window: 4096, layer_types: ['full_attention', 'sliding_attention']}, /use_sliding_window: true with sliding_window 4096 < max_position_embeddings 32768 on layers 1/],
    // transformers 4 layout: no layer_types, windowed layers are those ≥ max_window_layers.
    [{use_sliding_window: true, sliding_window: 4096, max_window_layers: 0, layer_types: undefined}, /on layers 0, 1: sliding-window attention is not supported/],
    [{layer_types: ['full_attention', 'chunked_attention']}, /layer_types\[1\]: "chunked_attention" is not supported/],
    [{layer_types: ['full_attention']}, /layer_types: has 1 entries for num_hidden_layers 2/],
    [{hidden_act: 'gelu_pytorch_tanh'}, /hidden_act: "gelu_pytorch_tanh" is not supported/],
    [{quantization_config: {quant_method: 'awq', bits: 4}}, /quantization_config: quantized checkpoints are not supported/],
  ]
  for (const [overrides, message] of refused) {
    assert.throws(() => parseModelConfig({...V5_CONFIG, ...overrides}, 'm/config.json'), (e: Error & {code?: string; fix?: string}) => {
      assert.match(e.message, /^m\/config\.json: /)
      assert.match(e.message, message)
      assert.equal(e.code, 'model-config')
      assert.ok(e.fix && e.fix.length > 10, `a fix for ${e.message}`)
      return true
    }, JSON.stringify(overrides))
  }
  // What changes nothing is accepted: the window off (transformers ≥ 5 nulls it), sliding layers without a window,
  // a window that covers the whole context (Qwen2.5 ships use_sliding_window false, sliding_window 32768 = context).
  const accepted: Record<string, unknown>[] = [
    {use_sliding_window: false, sliding_window: 4096, max_window_layers: 0},
    {use_sliding_window: false, sliding_window: 4096, layer_types: ['sliding_attention', 'sliding_attention']},
    {use_sliding_window: true, sliding_window: 32768, max_window_layers: 0, layer_types: undefined},
    {use_sliding_window: true, sliding_window: 4096, max_window_layers: 2, layer_types: undefined},
    {hidden_act: 'swish'},
    {rope_scaling: null, quantization_config: null},
  ]
  for (const overrides of accepted) assert.equal(parseModelConfig({...V5_CONFIG, ...overrides}).ropeTheta, 1e6, JSON.stringify(overrides))

  // Through the CLI: the error names the file and the field, exit 2.
  const bad = join(dir, '..', `${dir.split('/').at(-1)}-yarn`)
  await rm(bad, {recursive: true, force: true})
  await (await import('node:fs/promises')).mkdir(bad)
  try {
    await writeFile(join(bad, 'config.json'), JSON.stringify({...V5_CONFIG, rope_parameters: {rope_theta: 1e6, rope_type: 'yarn', factor: 4}}))
    const result = await runCli(['model', 'info', bad])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /config\.json: rope_parameters\.rope_type: "yarn" is not supported\n {2}fix: ars implements the default RoPE only/)
  } finally {
    await rm(bad, {recursive: true, force: true})
  }
})

test('tensors the forward pass would use but config.json leaves out are refused, not dropped', async () => {
  const folder = join(dir, '..', `${dir.split('/').at(-1)}-extra`)
  const {mkdir} = await import('node:fs/promises')
  try {
    // Qwen2 with biases saved under "attention_bias": false (transformers' Qwen2 applies q/k/v biases regardless).
    await mkdir(folder, {recursive: true})
    await saveWeights(folder, tinyWeights(parseModelConfig({...V5_CONFIG}), 1))
    await writeFile(join(folder, 'config.json'), JSON.stringify({...V5_CONFIG, attention_bias: false}))
    await assert.rejects(loadCheckpoint(folder, {tokenizer: false}), /tensor model\.layers\.0\.self_attn\.(q|k|v)_proj\.bias is in the checkpoint but config\.json \(model_type qwen2, attention_bias false\) does not use it/)
    // A Qwen3 checkpoint under a Qwen2 config.
    await rm(folder, {recursive: true, force: true})
    await mkdir(folder, {recursive: true})
    const qwen3 = parseModelConfig({...V5_CONFIG, architectures: ['Qwen3ForCausalLM'], model_type: 'qwen3', head_dim: 16})
    await saveWeights(folder, tinyWeights(qwen3, 1))
    await writeFile(join(folder, 'config.json'), JSON.stringify({...V5_CONFIG, attention_bias: false}))
    await assert.rejects(loadCheckpoint(folder, {tokenizer: false}), (e: Error & {fix?: string}) => /self_attn\.(q|k)_norm\.weight is in the checkpoint/.test(e.message) && /qwen3/.test(e.fix ?? ''))
  } finally {
    await rm(folder, {recursive: true, force: true})
  }
})
