#!/usr/bin/env node
// Deepens a Qwen2 checkpoint without changing what it computes: new layers are copies of existing ones whose output
// projections (o_proj, down_proj) are zero, so each adds nothing to the residual stream until training moves them
// (depth up-scaling with function-preserving init). Used by decision 0960's third attempt to give the searching
// policy more layers for copying without losing what its SFT learned.
//
//   npm run build && node scripts/grow-depth.mjs FROM_DIR TO_DIR NEW_LAYERS
import {copyFile, mkdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {readSafetensorsFile, writeSafetensorsFile} from '../dist/src/model/index.js'

const [from, to, extraArg] = process.argv.slice(2)
const extra = Number(extraArg)
if (!from || !to || !Number.isInteger(extra) || extra < 1) {
  console.error('usage: node scripts/grow-depth.mjs FROM_DIR TO_DIR NEW_LAYERS (a positive integer)')
  process.exit(2)
}
const config = JSON.parse(await readFile(join(from, 'config.json'), 'utf8'))
const layers = config.num_hidden_layers
const {weights} = await readSafetensorsFile(join(from, 'model.safetensors'))
const out = new Map(weights)
for (let k = 0; k < extra; k++) {
  const source = layers - 1 - (k % layers) // copy the last layers, newest first
  const target = layers + k
  for (const [name, t] of weights) {
    const prefix = `model.layers.${source}.`
    if (!name.startsWith(prefix)) continue
    const newName = `model.layers.${target}.${name.slice(prefix.length)}`
    const zero = /\.(o_proj|down_proj)\.weight$/.test(name)
    out.set(newName, {name: newName, shape: [...t.shape], data: zero ? new Float32Array(t.data.length) : Float32Array.from(t.data)})
  }
}
await mkdir(to, {recursive: true})
await writeSafetensorsFile(join(to, 'model.safetensors'), out)
await writeFile(join(to, 'config.json'), `${JSON.stringify({...config, num_hidden_layers: layers + extra}, null, 2)}\n`)
for (const f of ['generation_config.json', 'tokenizer.json', 'tokenizer_config.json']) await copyFile(join(from, f), join(to, f)).catch(() => {})
console.error(`grow-depth: ${layers} → ${layers + extra} layers in ${to}`)
