// SFT throughput: `ars train sft` (runSft, the backend `auto` picks: onnxruntime on CPU) vs a PyTorch eager loop
// (bench/torch/sft_peer.py) on the same tiny model and the same optimiser steps — the bench dumps ars's own plan and
// micro-batches for the peer, so both train on identical padded batches with the same weighted masked NLL.
// Prints one JSON line: tokens/s of each (training-step time only) and ratio = ars / peer (> 1: ars is faster).
import {spawnSync} from 'node:child_process'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {InvalidPolicy, readJsonl} from '../src/core/jsonl.js'
import {Rng} from '../src/core/rng.js'
import {saveCheckpoint} from '../src/model/checkpoint.js'
import {presetConfig} from '../src/model/config.js'
import {initWeights} from '../src/model/init.js'
import {HfTokenizer, tokenizerPreset} from '../src/model/tokenizer.js'
import {readSftSamples} from '../src/train/sft-data.js'
import {epochOrder, planSteps, runSft} from '../src/train/sft.js'
import {defaultTrainThreads} from '../src/model/onnx/trainer.js'
import {packMicroBatches} from '../src/train/sequences.js'
import {report} from './harness.js'

const here = dirname(fileURLToPath(import.meta.url))
const PEER = resolve(here, '..', '..', 'bench', 'torch', 'sft_peer.py')
const PYTHON = process.env.ARS_PYTHON ?? '/usr/bin/python3'

const WORDS = 'the river city founded by north old glass tower salt road capital museum archive village bridge council wrote painted built award prize composer island harbour mountain library'.split(' ')

/** Chat examples of varied length (a question, then an assistant answer of 20–200 words). */
function examples(count: number, seed: number): string {
  const rng = new Rng(seed)
  const sentence = (n: number) => Array.from({length: n}, () => rng.pick(WORDS)).join(' ')
  return Array.from({length: count}, (_, i) => JSON.stringify({
    id: `ex${i}`,
    messages: [{role: 'user', content: `${sentence(rng.range(5, 15))}?`}, {role: 'assistant', content: `<think>${sentence(rng.range(10, 150))}</think><answer>${sentence(rng.range(1, 5))}</answer>`}],
  })).join('\n') + '\n'
}

export async function run(options: {examples?: number} = {}): Promise<Record<string, unknown>> {
  const count = options.examples ?? Number(process.env.ARS_BENCH_SFT_EXAMPLES ?? 256)
  const settings = {batchTokens: 4096, microBatchTokens: 2048, maxSeqLen: 512, learningRate: 1e-3, seed: 0}
  const dir = await mkdtemp(join(tmpdir(), 'ars-bench-sft-'))
  try {
    const tokenizerFiles = tokenizerPreset('world')
    const tokenizer = new HfTokenizer(tokenizerFiles)
    const config = presetConfig('tiny', tokenizer.vocabSize, tokenizer.tokenToId('<|im_end|>') as number, tokenizer.tokenToId('<|endoftext|>') ?? null)
    const model = join(dir, 'model')
    await saveCheckpoint(model, {config, weights: initWeights(config, 0), tokenizer: tokenizerFiles})
    const data = join(dir, 'data.jsonl')
    await writeFile(data, examples(count, 1))

    // The peer's steps: ars's own plan and micro-batches, serialised.
    const {samples} = await readSftSamples(readJsonl(data), {tokenizer, vocabSize: config.vocabSize, policy: new InvalidPolicy('fail')})
    const kept = samples.filter((s) => s.tokenIds.length <= settings.maxSeqLen)
    const plan = planSteps(kept.map((s) => s.tokenIds.length), {epochs: 1, batchTokens: settings.batchTokens, seed: settings.seed})
    const steps = plan.map((step) => {
      const batch = epochOrder(kept.length, settings.seed, step.epoch).slice(step.start, step.end).map((i) => kept[i]!)
      return packMicroBatches(batch, {maxTokensPerMicroBatch: settings.microBatchTokens, maxSeqLen: settings.maxSeqLen}).microBatches.map((mb) => ({
        input_ids: Array.from(mb.tokens.inputIds), batch: mb.tokens.batch, seq_len: mb.tokens.seqLen,
        target_weights: Array.from(mb.targetWeights), target_weight: mb.targetWeight, real_tokens: mb.realTokens,
      }))
    })
    const stepsFile = join(dir, 'steps.json')
    await writeFile(stepsFile, JSON.stringify(steps))

    const summary = await runSft({
      model, out: join(dir, 'run'), inputs: [data], epochs: 1, ...settings, warmup: 0, schedule: 'constant',
      policy: new InvalidPolicy('fail'), warn: () => {},
    })
    let firstLoss: number | undefined
    const metricsText = await import('node:fs/promises').then((fs) => fs.readFile(join(dir, 'run', 'metrics.jsonl'), 'utf8'))
    const metrics = metricsText.trim().split('\n').map((l) => JSON.parse(l) as {metrics: {loss: number}})
    firstLoss = metrics[0]?.metrics.loss

    // The peer as a careful user runs it: the same thread count as ars's trainer, no spin-waiting OpenMP threads.
    const threads = defaultTrainThreads()
    const peer = spawnSync(PYTHON, [PEER, model, stepsFile, String(settings.learningRate), String(threads)], {
      encoding: 'utf8', cwd: dirname(PEER), env: {...process.env, OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads)},
    })
    const peerResult = peer.status === 0 ? (JSON.parse(peer.stdout) as {tokens_per_s: number; first_loss: number; last_loss: number; threads: number; blas: string; steps: number; tokens: number}) : undefined
    const line = {
      bench: 'sft',
      figure: 'train sft tokens/s (tiny model, 1 epoch)',
      unit: 'tokens/s',
      examples: kept.length,
      steps: summary.steps,
      tokens: summary.tokens,
      backend: summary.backend,
      ars: Math.round(summary.tokensPerSecond),
      ars_first_loss: firstLoss === undefined ? null : Number(firstLoss.toFixed(4)),
      ars_last_loss: summary.finalLoss === undefined ? null : Number(summary.finalLoss.toFixed(4)),
      peer: 'pytorch-eager-cpu',
      peer_value: peerResult ? Math.round(peerResult.tokens_per_s) : null,
      peer_first_loss: peerResult ? Number(peerResult.first_loss.toFixed(4)) : null,
      peer_last_loss: peerResult ? Number(peerResult.last_loss.toFixed(4)) : null,
      threads,
      peer_threads: peerResult?.threads ?? null,
      peer_blas: peerResult?.blas ?? null,
      peer_env: 'OMP_WAIT_POLICY=PASSIVE',
      ratio: peerResult ? Number((summary.tokensPerSecond / peerResult.tokens_per_s).toFixed(3)) : null,
      ...(peer.status === 0 ? {} : {peer_error: (peer.stderr || peer.error?.message || '').trim().split('\n').at(-1)}),
    }
    report(line as unknown as Parameters<typeof report>[0])
    return line
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await run()
}
