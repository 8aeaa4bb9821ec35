// Decode tokens/s of the ONNX generation engine vs PyTorch eager (bench/torch/qwen2_decode.py, same safetensors,
// same prompts, greedy, both on 2 threads) at batch 1 and 16, for the tiny preset and the ~100M `base` preset.
// Also: max |logit diff| between the ONNX graph and the torch reference, and the fused vs standard graph.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {spawnSync} from 'node:child_process'
import {presetConfig, type ModelConfig, type PresetName, type Weights} from '../src/model/config.js'
import {initWeights} from '../src/model/init.js'
import {saveCheckpoint} from '../src/model/checkpoint.js'
import {GenerationEngine} from '../src/model/onnx/engine.js'
import {buildDecoderModel} from '../src/model/onnx/graph.js'
import {OnnxSession} from '../src/model/onnx/runtime.js'
import {ROOT, isMain, median, report} from './harness.js'

const PYTHON = '/usr/bin/python3'
const TORCH_SCRIPT = join(ROOT, 'bench', 'torch', 'qwen2_decode.py')
const THREADS = 2
const PROMPT = 16

interface Point {
  preset: PresetName
  vocab: number
  tokens: number
}

/** The same prompt ids the torch script uses: (i * 7 + 3) mod vocab over batch × prompt. */
function prompts(batch: number, vocab: number): number[][] {
  return Array.from({length: batch}, (_, b) => Array.from({length: PROMPT}, (_, i) => ((b * PROMPT + i) * 7 + 3) % vocab))
}

/** Decode tokens/s of our engine: the clock starts after the prefill step and stops after the last token. */
async function arsDecode(config: ModelConfig, model: Uint8Array, batch: number, tokens: number): Promise<number> {
  let timing = false
  let start = 0
  let end = 0
  const engine = await GenerationEngine.create({
    config,
    model,
    intraOpNumThreads: THREADS,
    maxBatchSize: batch,
    // The first step of the timed run is the batch's prefill: the clock starts when it ends.
    onStep: () => {
      if (!timing) return
      end = performance.now()
      if (start === 0) start = end
    },
  })
  await engine.generate({tokenIds: prompts(1, config.vocabSize)[0] as number[], maxTokens: 4, temperature: 0, stopTokenIds: []}) // warm-up
  timing = true
  const results = await Promise.all(prompts(batch, config.vocabSize).map((tokenIds) => engine.generate({tokenIds, maxTokens: tokens, temperature: 0, stopTokenIds: []})))
  await engine.close()
  const generated = results.reduce((sum, r) => sum + r.tokenIds.length - 1, 0)
  return generated / ((end - start) / 1000)
}

function torchDecode(folder: string, batch: number, tokens: number): {tokensPerS: number; blas: string; torch: string} {
  // As a careful user runs it (issue 12): OpenMP threads that sleep instead of spin-waiting; on a shared machine a
  // spinning peer measured 18-113x slower than it is.
  const run = spawnSync(PYTHON, [TORCH_SCRIPT, folder, '--threads', String(THREADS), '--batch', String(batch), '--prompt', String(PROMPT), '--tokens', String(tokens)], {
    encoding: 'utf8', env: {...process.env, OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: String(THREADS)},
  })
  if (run.status !== 0) throw new Error(`torch peer failed: ${run.stderr}`)
  const result = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as {tokens_per_s: number; blas: string; torch: string}
  return {tokensPerS: result.tokens_per_s, blas: result.blas, torch: result.torch}
}

/** max |ONNX − torch| over the logits of one prompt: both runtimes read the same safetensors. */
async function logitsDiff(config: ModelConfig, model: Uint8Array, folder: string): Promise<number> {
  const ids = Array.from({length: 12}, (_, i) => (i * 13 + 1) % config.vocabSize)
  const run = spawnSync(PYTHON, [TORCH_SCRIPT, folder, '--logits', ids.join(',')], {encoding: 'utf8', maxBuffer: 1 << 30})
  if (run.status !== 0) throw new Error(`torch peer failed: ${run.stderr}`)
  const expected = JSON.parse(run.stdout) as number[][]
  const session = await OnnxSession.create(model, {intraOpNumThreads: THREADS})
  const feeds: Record<string, {data: Float32Array | BigInt64Array; dims: number[]}> = {
    input_ids: {data: BigInt64Array.from(ids.map(BigInt)), dims: [1, ids.length]},
    attention_mask: {data: BigInt64Array.from(ids.map(() => 1n)), dims: [1, ids.length]},
    position_ids: {data: BigInt64Array.from(ids.map((_, i) => BigInt(i))), dims: [1, ids.length]},
  }
  for (let l = 0; l < config.numLayers; l++) {
    for (const kind of ['key', 'value']) feeds[`past_key_values.${l}.${kind}`] = {data: new Float32Array(0), dims: [1, config.numKvHeads, 0, config.headDim]}
  }
  const logits = (await session.run(feeds)).logits?.data as Float32Array
  await session.release()
  let worst = 0
  expected.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - (logits[i * config.vocabSize + j] as number))))))
  return worst
}

export async function run(options: {repeats?: number; points?: Point[]; batches?: number[]} = {}): Promise<void> {
  const repeats = options.repeats ?? 3
  const points = options.points ?? [{preset: 'tiny', vocab: 269, tokens: 64}, {preset: 'base', vocab: 32000, tokens: 32}]
  const batches = options.batches ?? [1, 16]
  const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], {encoding: 'utf8'}).status === 0
  for (const point of points) {
    const dir = mkdtempSync(join(tmpdir(), `ars-bench-generate-${point.preset}-`))
    try {
      const config = presetConfig(point.preset, point.vocab, 0)
      const weights: Weights = initWeights(config, 1)
      const params = [...weights.values()].reduce((sum, t) => sum + t.data.length, 0)
      await saveCheckpoint(join(dir, 'model'), {config, weights})
      // The engine's own graphs: fused norms (its default) and the standard-ops variant, both last-position logits.
      const standard = buildDecoderModel(config, weights, {lastTokenLogits: true}).bytes
      const fused = buildDecoderModel(config, weights, {fused: true, lastTokenLogits: true}).bytes
      const diff = hasTorch ? await logitsDiff(config, buildDecoderModel(config, weights).bytes, join(dir, 'model')) : null
      for (const batch of batches) {
        const ars: number[] = []
        const arsFused: number[] = []
        const peer: number[] = []
        let info = {blas: '?', torch: '?'}
        for (let r = 0; r < repeats; r++) {
          ars.push(await arsDecode(config, standard, batch, point.tokens))
          arsFused.push(await arsDecode(config, fused, batch, point.tokens))
          if (hasTorch) {
            const t = torchDecode(join(dir, 'model'), batch, point.tokens)
            peer.push(t.tokensPerS)
            info = t
          }
        }
        const a = median(arsFused)
        const p = hasTorch ? median(peer) : null
        report({
          bench: 'generate',
          figure: `decode tokens/s, ${point.preset} (${(params / 1e6).toFixed(1)}M params), batch ${batch}`,
          unit: 'tokens/s',
          ars: Math.round(a),
          peer: `pytorch ${info.torch} eager (${info.blas}), ${THREADS} threads`,
          peer_value: p === null ? null : Math.round(p),
          ratio: p === null ? null : Number((a / p).toFixed(2)),
          goal: '>= 1.5',
          ars_standard_ops: Math.round(median(ars)),
          max_abs_logit_diff_vs_torch: diff,
          notes: `ars = engine default (fused norms); prompt ${PROMPT}, ${point.tokens} greedy tokens per sequence, median of ${repeats}; intraOpNumThreads ${THREADS}`,
        })
      }
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }
}

if (isMain(import.meta.url)) {
  const repeats = process.argv.indexOf('--repeats')
  await run(repeats > 0 ? {repeats: Number(process.argv[repeats + 1])} : {})
}
