// One training step (forward + backward + clip + AdamW, batch 8 × 256) of ars's trainer — the backend `auto` picks
// (onnxruntime on CPU, decision 0940) — vs the PyTorch eager reference (bench/torch/qwen2_reference.py: OpenBLAS,
// OMP_WAIT_POLICY=PASSIVE, torch.set_num_threads(threads)) on the same weights, batch and thread count.
// Rounds are interleaved (ars, peer, ars, peer, …) because the machine is shared: each round gives a ratio from
// measurements seconds apart; the line reports the median ratio and the spread.
// Prints one JSON line per (config, threads): ratio = peer_seconds / ars_seconds (> 1: ars is faster).
// Usage: node dist/bench/train.bench.js [tiny] [small] [--threads 1,2] [--rounds 3] [--tfjs]   (--tfjs adds the tfjs-wasm trainer)
import {spawnSync} from 'node:child_process'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {loadavg, tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {presetConfig, type ModelConfig, type PresetName, type Weights} from '../src/model/config.js'
import {initWeights} from '../src/model/init.js'
import {saveCheckpoint} from '../src/model/checkpoint.js'
import {OnnxPolicyTrainer} from '../src/model/onnx/trainer.js'
import {Rng} from '../src/core/rng.js'
import type {TokenBatch} from '../src/model/tfjs/qwen2.js'

const here = dirname(fileURLToPath(import.meta.url))
// dist/bench/… at run time; the python file is not compiled, so resolve it from the source tree.
export const TORCH_REFERENCE = resolve(here, '..', '..', 'bench', 'torch', 'qwen2_reference.py')
export const PYTHON = process.env.ARS_PYTHON ?? '/usr/bin/python3'

interface BenchCase {
  name: string
  preset: PresetName
  vocab: number
  batch: number
  seqLen: number
}

const CASES: BenchCase[] = [
  {name: 'tiny', preset: 'tiny', vocab: 2048, batch: 8, seqLen: 256},
  {name: 'small', preset: 'small', vocab: 4096, batch: 8, seqLen: 256},
]

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

interface PeerResult {seconds?: number; cpu_seconds?: number; threads?: number; blas?: string; loss?: number; losses?: number[]; torch?: string}

/** Median step seconds of `steps` steps (after one warm-up) of a trainer, with its loss and backend line. */
async function arsSteps(backend: 'onnx' | 'tfjs-wasm', config: ModelConfig, weights: Weights, tokens: TokenBatch, steps: number, threads: number): Promise<{seconds: number; cpuSeconds: number; loss: number; firstLoss: number; backend: string}> {
  const times: number[] = []
  const cpuTimes: number[] = []
  let loss = 0
  let firstLoss = 0
  /** CPU seconds of the whole process (every onnxruntime thread): less sensitive than wall time to a loaded machine. */
  const cpu = () => {
    const u = process.cpuUsage()
    return (u.user + u.system) / 1e6
  }
  if (backend === 'onnx') {
    const trainer = await OnnxPolicyTrainer.create(config, weights, {threads})
    const n = tokens.batch * (tokens.seqLen - 1)
    const dlogp = new Float32Array(n).fill(-1 / n)
    try {
      for (let i = 0; i <= steps; i++) {
        const c0 = cpu()
        const r = await trainer.trainStep([{tokens}], (logp) => ({loss: -logp.reduce((a, v) => a + v, 0) / n, dlogp}), {constantGradient: true})
        loss = r.loss
        if (i === 0) firstLoss = r.loss
        if (i > 0) {
          times.push(r.seconds)
          cpuTimes.push(cpu() - c0)
        }
      }
      return {seconds: median(times), cpuSeconds: median(cpuTimes), loss, firstLoss, backend: trainer.backendDescription}
    } finally {
      await trainer.dispose()
    }
  }
  const {PolicyTrainer} = await import('../src/model/tfjs/policy-trainer.js')
  const trainer = await PolicyTrainer.create(config, weights, {backend: 'wasm'})
  try {
    for (let i = 0; i <= steps; i++) {
      const c0 = cpu()
      const r = await trainer.trainStep([tokens], (m, t) => m.nextTokenLoss(t))
      loss = r.loss
      if (i === 0) firstLoss = r.loss
      if (i > 0) {
        times.push(r.seconds)
        cpuTimes.push(cpu() - c0)
      }
    }
    return {seconds: median(times), cpuSeconds: median(cpuTimes), loss, firstLoss, backend: trainer.backendDescription}
  } finally {
    trainer.dispose()
  }
}

function peerSteps(modelDir: string, c: BenchCase, steps: number, threads: number, idsFile: string): PeerResult & {error?: string} {
  const peer = spawnSync(PYTHON, [TORCH_REFERENCE, 'train', modelDir, String(c.batch), String(c.seqLen), String(steps), String(threads), idsFile], {
    encoding: 'utf8',
    // As a careful user runs it: no spin-waiting OpenMP threads on a shared machine, the same thread count as ars.
    env: {...process.env, OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads)},
  })
  if (peer.status !== 0) return {error: (peer.stderr || peer.error?.message || '').trim().split('\n').at(-1)}
  return JSON.parse(peer.stdout) as PeerResult
}

export async function run(options: {steps?: number; cases?: string[]; threads?: number[]; rounds?: number; tfjs?: boolean} = {}): Promise<Record<string, unknown>[]> {
  const steps = options.steps ?? Number(process.env.ARS_BENCH_STEPS ?? 3)
  const rounds = options.rounds ?? Number(process.env.ARS_BENCH_ROUNDS ?? 3)
  const threadList = options.threads ?? [1, 2]
  const results: Record<string, unknown>[] = []
  for (const c of CASES.filter((x) => !options.cases || options.cases.includes(x.name))) {
    const config = presetConfig(c.preset, c.vocab, c.vocab - 1)
    const weights = initWeights(config, 1)
    const dir = await mkdtemp(join(tmpdir(), 'ars-bench-train-'))
    try {
      await saveCheckpoint(join(dir, 'model'), {config, weights})
      const rng = new Rng(0)
      const tokens: TokenBatch = {inputIds: Int32Array.from({length: c.batch * c.seqLen}, () => rng.int(c.vocab)), batch: c.batch, seqLen: c.seqLen}
      const idsFile = join(dir, 'ids.json')
      await writeFile(idsFile, JSON.stringify(Array.from(tokens.inputIds)))
      for (const threads of threadList) {
        const arsTimes: number[] = []
        const peerTimes: number[] = []
        const ratios: number[] = []
        const cpuRatios: number[] = []
        const arsCpu: number[] = []
        const peerCpu: number[] = []
        const tfjsTimes: number[] = []
        let arsLoss = 0
        let arsFirstLoss = 0
        let backend = ''
        let peer: PeerResult & {error?: string} = {}
        for (let r = 0; r < rounds; r++) {
          const a = await arsSteps('onnx', config, weights, tokens, steps, threads)
          arsTimes.push(a.seconds)
          arsLoss = a.loss
          arsFirstLoss = a.firstLoss
          backend = a.backend
          peer = peerSteps(join(dir, 'model'), c, steps, threads, idsFile)
          arsCpu.push(a.cpuSeconds)
          if (peer.seconds !== undefined) {
            peerTimes.push(peer.seconds)
            ratios.push(peer.seconds / a.seconds)
          }
          if (peer.cpu_seconds !== undefined) {
            peerCpu.push(peer.cpu_seconds)
            cpuRatios.push(peer.cpu_seconds / a.cpuSeconds)
          }
          if (options.tfjs && threads === 1) tfjsTimes.push((await arsSteps('tfjs-wasm', config, weights, tokens, steps, 1)).seconds)
        }
        const ars = median(arsTimes)
        const line = {
          bench: 'train-step',
          config: c.name,
          parameters: [...weights.values()].reduce((a, t) => a + t.data.length, 0),
          batch: c.batch,
          seq_len: c.seqLen,
          threads,
          backend,
          ars_seconds: Number(ars.toFixed(4)),
          // Loss before the first update (same weights, same ids: must agree to float32 precision) and after the last.
          ars_first_loss: Number(arsFirstLoss.toFixed(6)),
          peer_first_loss: peer.losses?.[0] === undefined ? null : Number(peer.losses[0].toFixed(6)),
          ars_loss: Number(arsLoss.toFixed(4)),
          peer: 'pytorch-eager-cpu',
          peer_torch: peer.torch ?? null,
          peer_seconds: peerTimes.length ? Number(median(peerTimes).toFixed(4)) : null,
          peer_loss: peer.loss === undefined ? null : Number(peer.loss.toFixed(4)),
          peer_threads: peer.threads ?? null,
          peer_blas: peer.blas ?? null,
          peer_env: 'OMP_WAIT_POLICY=PASSIVE',
          rounds,
          ratio: ratios.length ? Number(median(ratios).toFixed(3)) : null,
          ratio_min: ratios.length ? Number(Math.min(...ratios).toFixed(3)) : null,
          ratio_max: ratios.length ? Number(Math.max(...ratios).toFixed(3)) : null,
          // CPU seconds per step (all threads of each process): on a shared machine the less noisy comparison.
          ars_cpu_seconds: Number(median(arsCpu).toFixed(4)),
          peer_cpu_seconds: peerCpu.length ? Number(median(peerCpu).toFixed(4)) : null,
          cpu_ratio: cpuRatios.length ? Number(median(cpuRatios).toFixed(3)) : null,
          load_average: Number(loadavg()[0]!.toFixed(1)),
          goal: 1.0,
          ...(tfjsTimes.length ? {tfjs_wasm_seconds: Number(median(tfjsTimes).toFixed(4)), tfjs_wasm_ratio: peerTimes.length ? Number((median(peerTimes) / median(tfjsTimes)).toFixed(3)) : null} : {}),
          ...(peer.error ? {peer_error: peer.error} : {}),
        }
        process.stdout.write(`${JSON.stringify(line)}\n`)
        results.push(line)
      }
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  }
  return results
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const value = (flag: string) => {
    const i = args.indexOf(flag)
    return i >= 0 ? args[i + 1] : undefined
  }
  const cases = args.filter((a, i) => !a.startsWith('--') && !['--threads', '--rounds'].includes(args[i - 1] ?? ''))
  await run({
    cases: cases.length ? cases : undefined,
    threads: value('--threads')?.split(',').map(Number),
    rounds: value('--rounds') === undefined ? undefined : Number(value('--rounds')),
    tfjs: args.includes('--tfjs'),
  })
}
