// safetensors and checkpoint folders: bit-exact round trips, half-precision input, shards, and every bad-input case.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtemp, readFile, rm, writeFile, readdir} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {presetConfig, type Weights} from '../../src/model/config.js'
import {initWeights} from '../../src/model/init.js'
import {decodeSafetensors, encodeSafetensors, loadWeights, readSafetensorsFile, saveWeights, writeSafetensorsFile} from '../../src/model/safetensors.js'
import {loadCheckpoint, saveCheckpoint} from '../../src/model/checkpoint.js'
import {tokenizerPreset} from '../../src/model/tokenizer.js'

const config = presetConfig('tiny', 269, 268)

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'ars-st-'))
}

function rawFile(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(header))
  const out = new Uint8Array(8 + text.length + data.length)
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true)
  out.set(text, 8)
  out.set(data, 8 + text.length)
  return out
}

test('F32 round trip is bit-exact, including NaN payloads, -0 and subnormals', async () => {
  const bits = new Uint32Array([0x7fc00001, 0x80000000, 0x00000001, 0x3f800000, 0xff800000, 0x12345678])
  const weights: Weights = new Map([['a.weight', {name: 'a.weight', shape: [2, 3], data: new Float32Array(bits.buffer)}]])
  const decoded = decodeSafetensors(encodeSafetensors(weights)).weights.get('a.weight')
  assert.ok(decoded)
  assert.deepEqual([...new Uint32Array(decoded.data.buffer)], [...bits])
  assert.deepEqual(decoded.shape, [2, 3])
  const dir = await tempDir()
  try {
    await writeSafetensorsFile(join(dir, 'x.safetensors'), weights)
    const {weights: back, metadata} = await readSafetensorsFile(join(dir, 'x.safetensors'))
    assert.deepEqual([...new Uint32Array((back.get('a.weight') as {data: Float32Array}).data.buffer)], [...bits])
    assert.equal(metadata.format, 'pt')
    // Data section starts 8-byte aligned, as the reference writer does.
    const bytes = await readFile(join(dir, 'x.safetensors'))
    assert.equal(Number(bytes.readBigUInt64LE(0)) % 8, 0)
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
})

test('BF16 and F16 are converted to fp32', () => {
  const bf16 = new Uint8Array([0x80, 0x3f, 0x00, 0xc0]) // 1.0, -2.0
  const f16 = new Uint8Array([0x00, 0x3c, 0x00, 0x38, 0x01, 0x00, 0x00, 0x7c, 0x00, 0xc0]) // 1, 0.5, 2^-24, inf, -2
  const file = rawFile(
    {b: {dtype: 'BF16', shape: [2], data_offsets: [0, 4]}, h: {dtype: 'F16', shape: [5], data_offsets: [4, 14]}},
    new Uint8Array([...bf16, ...f16]),
  )
  const {weights} = decodeSafetensors(file, 'mixed.safetensors')
  assert.deepEqual([...(weights.get('b') as {data: Float32Array}).data], [1, -2])
  assert.deepEqual([...(weights.get('h') as {data: Float32Array}).data], [1, 0.5, 2 ** -24, Infinity, -2])
})

test('unknown dtype, truncated file and bad offsets name the file and tensor', () => {
  const i64 = rawFile({ids: {dtype: 'I64', shape: [1], data_offsets: [0, 8]}}, new Uint8Array(8))
  assert.throws(() => decodeSafetensors(i64, 'ids.safetensors'), /ids\.safetensors: tensor ids: dtype I64 is not supported/)
  const good = encodeSafetensors(new Map([['w', {name: 'w', shape: [4], data: new Float32Array(4)}]]))
  assert.throws(() => decodeSafetensors(good.subarray(0, good.length - 3), 'cut.safetensors'), /cut\.safetensors: truncated file: tensor w ends at data byte 16/)
  assert.throws(() => decodeSafetensors(good.subarray(0, 20), 'cut.safetensors'), /cut\.safetensors: truncated file: header says/)
  assert.throws(() => decodeSafetensors(new Uint8Array(3), 'tiny.safetensors'), /tiny\.safetensors: truncated file/)
  const wrong = rawFile({w: {dtype: 'F32', shape: [3], data_offsets: [0, 8]}}, new Uint8Array(8))
  assert.throws(() => decodeSafetensors(wrong, 'w.safetensors'), /tensor w: F32\[3\] needs 12 bytes, data_offsets span 8/)
})

test('loadWeights checks names and shapes against the config', async () => {
  const dir = await tempDir()
  try {
    const weights = initWeights(config, 1)
    await saveWeights(dir, weights)
    const {weights: back, dtypes} = await loadWeights(dir, config)
    assert.equal(back.size, weights.size)
    assert.equal(dtypes.get('model.norm.weight'), 'F32')
    for (const [name, t] of weights) assert.deepEqual(back.get(name)?.data, t.data, name)

    const missing = new Map(weights)
    missing.delete('model.layers.1.mlp.up_proj.weight')
    await saveWeights(dir, missing)
    await assert.rejects(loadWeights(dir, config), /model\.safetensors: missing tensor model\.layers\.1\.mlp\.up_proj\.weight \(config\.json expects \[176,64\]\)/)

    const bad = new Map(weights)
    bad.set('model.norm.weight', {name: 'model.norm.weight', shape: [32], data: new Float32Array(32)})
    await saveWeights(dir, bad)
    await assert.rejects(loadWeights(dir, config), /model\.safetensors: tensor model\.norm\.weight: shape \[32\] does not match config\.json \(expected \[64\]\)/)

    const bytes = encodeSafetensors(weights)
    await writeFile(join(dir, 'model.safetensors'), bytes.subarray(0, bytes.length - 100))
    await assert.rejects(loadWeights(dir, config), /model\.safetensors: truncated file/)
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
})

test('sharded checkpoints: written with an index and read back exactly', async () => {
  const dir = await tempDir()
  try {
    const weights = initWeights(config, 2)
    const files = await saveWeights(dir, weights, {maxShardBytes: 40_000})
    assert.ok(files.length > 2, `expected several shards, got ${files.join(', ')}`)
    assert.ok(files.includes('model.safetensors.index.json'))
    const {weights: back} = await loadWeights(dir, config)
    for (const [name, t] of weights) assert.deepEqual(back.get(name)?.data, t.data, name)
    // Lazily: same names, shapes and bytes, read on first use; a file cut short after opening is named on read.
    const {weights: lazy, dtypes} = await loadWeights(dir, config, {lazy: true})
    assert.deepEqual([...lazy.keys()].sort(), [...weights.keys()].sort())
    for (const [name, t] of weights) {
      assert.deepEqual(lazy.get(name)?.shape, t.shape, name)
      assert.deepEqual(lazy.get(name)?.data, t.data, name)
      assert.equal(dtypes.get(name), 'F32')
    }
    const shard = join(dir, files.find((f) => f.endsWith('.safetensors')) as string)
    const {weights: cut} = await loadWeights(dir, config, {lazy: true})
    await writeFile(shard, (await readFile(shard)).subarray(0, 200))
    const victims = [...cut.values()]
    assert.throws(() => victims.forEach((t) => t.data), /short read/)
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
})

test('checkpoint folders save atomically and load back; unsupported architectures are refused', async () => {
  const root = await tempDir()
  const dir = join(root, 'model')
  try {
    const weights = initWeights(config, 3)
    await saveCheckpoint(dir, {config, weights, tokenizer: tokenizerPreset('byte')})
    assert.deepEqual((await readdir(dir)).sort(), ['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'])
    await assert.rejects(saveCheckpoint(dir, {config, weights}), /already exists/)
    await saveCheckpoint(dir, {config, weights: initWeights(config, 4), tokenizer: tokenizerPreset('byte')}, {overwrite: true})
    assert.deepEqual((await readdir(root)).sort(), ['model'], 'no temp or aside folders left behind')
    const loaded = await loadCheckpoint(dir)
    assert.equal(loaded.config.hiddenSize, 64)
    assert.deepEqual(loaded.weights.get('model.embed_tokens.weight')?.data, initWeights(config, 4).get('model.embed_tokens.weight')?.data)
    assert.ok(loaded.tokenizer?.tokenizer.model)

    const cfg = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>
    await writeFile(join(dir, 'config.json'), JSON.stringify({...cfg, vocab_size: 200}))
    await writeFile(join(dir, 'model.safetensors'), encodeSafetensors(initWeights(presetConfig('tiny', 200, 1), 4)))
    await assert.rejects(loadCheckpoint(dir), /model\/tokenizer\.json: tokenizer has 269 token ids but .*model\/config\.json has vocab_size 200/)
    await writeFile(join(dir, 'config.json'), JSON.stringify({...cfg, architectures: ['LlamaForCausalLM'], model_type: 'llama'}))
    await assert.rejects(loadCheckpoint(dir), /config\.json: unsupported architecture LlamaForCausalLM/)
  } finally {
    await rm(root, {recursive: true, force: true})
  }
})
