// `ars model info`: what a model folder holds — architecture, parameter count, vocabulary, stored dtypes and a
// tensor summary — read from headers only, so it is instant even for multi-GB checkpoints.
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {expectedShape, expectedTensorNames, toHfConfig} from './config.js'
import {loadModelConfig} from './checkpoint.js'
import {readSafetensorsHeader, tensorLocations} from './safetensors.js'
import {HfTokenizer, TOKENIZER_FILE} from './tokenizer.js'

export interface ModelInfo {
  dir: string
  architecture: string
  config: {modelType: string; vocabSize: number; hiddenSize: number; intermediateSize: number; numLayers: number; numHeads: number; numKvHeads: number; headDim: number; maxPositions: number; ropeTheta: number; rmsNormEps: number; tieWordEmbeddings: boolean; qkvBias: boolean; qkNorm: boolean; dtype: string | null}
  parameters: number
  dtypes: Record<string, number>
  files: string[]
  tensors: {name: string; shape: number[]; dtype: string}[]
  missingTensors: string[]
  mismatchedTensors: {name: string; shape: number[]; expected: number[]}[]
  extraTensors: string[]
  tokenizer: {vocabSize: number; chatTemplate: boolean; eosToken?: string; matchesConfig: boolean} | null
}

export async function modelInfo(dir: string): Promise<ModelInfo> {
  const config = await loadModelConfig(dir)
  const locations = await tensorLocations(dir)
  const tensors: ModelInfo['tensors'] = []
  const dtypes: Record<string, number> = {}
  const files = [...new Set(locations.values())]
  for (const file of files) {
    const header = await readSafetensorsHeader(file)
    for (const [name, entry] of header.entries) {
      if (locations.get(name) !== file) continue
      tensors.push({name, shape: entry.shape, dtype: entry.dtype})
    }
  }
  tensors.sort((a, b) => (a.name < b.name ? -1 : 1))
  const byName = new Map(tensors.map((t) => [t.name, t]))
  const expected = expectedTensorNames(config)
  const missingTensors = expected.filter((n) => !byName.has(n))
  const mismatchedTensors: ModelInfo['mismatchedTensors'] = []
  let parameters = 0
  for (const name of expected) {
    const t = byName.get(name)
    if (!t) continue
    const want = expectedShape(config, name) as number[]
    if (want.length !== t.shape.length || want.some((d, i) => d !== t.shape[i])) mismatchedTensors.push({name, shape: t.shape, expected: want})
    const count = t.shape.reduce((a, b) => a * b, 1)
    parameters += count
    dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + count
  }
  const expectedSet = new Set(expected)
  let tokenizer: ModelInfo['tokenizer'] = null
  if (existsSync(join(dir, TOKENIZER_FILE))) {
    const tok = await HfTokenizer.load(dir)
    tokenizer = {vocabSize: tok.vocabSize, chatTemplate: tok.hasChatTemplate, eosToken: tok.eosToken, matchesConfig: tok.vocabSize <= config.vocabSize}
  }
  return {
    dir,
    architecture: (toHfConfig(config).architectures as string[])[0] as string,
    config: {
      modelType: config.modelType,
      vocabSize: config.vocabSize,
      hiddenSize: config.hiddenSize,
      intermediateSize: config.intermediateSize,
      numLayers: config.numLayers,
      numHeads: config.numHeads,
      numKvHeads: config.numKvHeads,
      headDim: config.headDim,
      maxPositions: config.maxPositions,
      ropeTheta: config.ropeTheta,
      rmsNormEps: config.rmsNormEps,
      tieWordEmbeddings: config.tieWordEmbeddings,
      qkvBias: config.qkvBias,
      qkNorm: config.qkNorm,
      dtype: config.dtype ?? null,
    },
    parameters,
    dtypes,
    files: files.map((f) => f.slice(dir.length).replace(/^[/\\]/, '')),
    tensors,
    missingTensors,
    mismatchedTensors,
    extraTensors: tensors.filter((t) => !expectedSet.has(t.name)).map((t) => t.name),
    tokenizer,
  }
}

function human(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`
  return String(n)
}

/** The plain-text rendering of ModelInfo. */
export function formatModelInfo(info: ModelInfo): string {
  const c = info.config
  const lines = [
    `${info.dir}: ${info.architecture}`,
    `  parameters   ${human(info.parameters)} (${info.parameters})`,
    `  layers       ${c.numLayers}, hidden ${c.hiddenSize}, mlp ${c.intermediateSize}, heads ${c.numHeads} (kv ${c.numKvHeads}, dim ${c.headDim})`,
    `  vocabulary   ${c.vocabSize}${c.tieWordEmbeddings ? ', tied embeddings' : ', separate lm_head'}${c.qkvBias ? ', q/k/v biases' : ''}${c.qkNorm ? ', q/k norms' : ''}`,
    `  positions    ${c.maxPositions}, rope theta ${c.ropeTheta}, rms eps ${c.rmsNormEps}`,
    `  dtypes       ${c.dtype ? `config ${c.dtype}; stored ` : ''}${Object.entries(info.dtypes).map(([d, n]) => `${d} ${human(n)}`).join(', ') || '(none)'}`,
    `  files        ${info.files.join(', ')}`,
    `  tokenizer    ${info.tokenizer ? `${info.tokenizer.vocabSize} ids${info.tokenizer.chatTemplate ? ', chat template' : ''}${info.tokenizer.eosToken ? `, eos ${info.tokenizer.eosToken}` : ''}${info.tokenizer.matchesConfig ? '' : '  MISMATCH: more ids than vocab_size'}` : '(none)'}`,
    `  tensors      ${info.tensors.length}`,
  ]
  const groups = new Map<string, {count: number; params: number}>()
  for (const t of info.tensors) {
    const key = t.name.replace(/^model\.layers\.\d+\./, 'model.layers.*.')
    const g = groups.get(key) ?? {count: 0, params: 0}
    g.count++
    g.params += t.shape.reduce((a, b) => a * b, 1)
    groups.set(key, g)
  }
  for (const [key, g] of groups) {
    const sample = info.tensors.find((t) => t.name.replace(/^model\.layers\.\d+\./, 'model.layers.*.') === key)
    lines.push(`    ${key.padEnd(48)} ${JSON.stringify(sample?.shape).padEnd(14)} ${sample?.dtype.padEnd(5)} ×${g.count}`)
  }
  for (const name of info.missingTensors) lines.push(`  MISSING ${name}`)
  for (const m of info.mismatchedTensors) lines.push(`  SHAPE MISMATCH ${m.name}: ${JSON.stringify(m.shape)}, config expects ${JSON.stringify(m.expected)}`)
  return `${lines.join('\n')}\n`
}
