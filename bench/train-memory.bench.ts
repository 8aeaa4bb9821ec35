// One training step of a Qwen2.5-0.5B-shaped model (random weights, batch 8 × 256, forward + backward + clip +
// AdamW) in micro-batches with gradient accumulation (issue 12: it must fit in 24 GiB): ars's onnxruntime trainer
// vs PyTorch eager (bench/torch/qwen2_reference.py train-micro: OpenBLAS, OMP_WAIT_POLICY=PASSIVE, same threads),
// each in its own process under /usr/bin/time -v for the peak RSS. One JSON line per micro-batch size.
// Usage: node dist/bench/train-memory.bench.js [--micro 1,2] [--threads 2] [--preset small] [--no-peer]   (small: a quick check)
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {PRESETS, parseModelConfig} from '../src/model/config.js'
import {loadCheckpoint} from '../src/model/checkpoint.js'
import {OnnxPolicyTrainer} from '../src/model/onnx/trainer.js'
import {weightBytes} from '../src/model/onnx/model-files.js'
import {Rng} from '../src/core/rng.js'
import type {TokenBatch} from '../src/model/tfjs/qwen2.js'
import {BIN, ROOT, isMain, report} from './harness.js'

const PYTHON = '/usr/bin/python3'
const BATCH = 8
const SEQ = 256
const QWEN05 = {hidden_size: 896, intermediate_size: 4864, num_hidden_layers: 24, num_attention_heads: 14, num_key_value_heads: 2, max_position_embeddings: 32768, vocab_size: 151936}

interface StepFigures {seconds: number; cpu_seconds: number; loss: number; backend?: string; blas?: string; torch?: string; threads?: number}

/** The measured child: load the folder, one step of BATCH × SEQ in micro-batches of `micro` rows; prints figures. */
async function child(folder: string, micro: number, threads: number): Promise<void> {
  const {config, weights} = await loadCheckpoint(folder, {tokenizer: false})
  const trainer = await OnnxPolicyTrainer.create(config, weights, {threads})
  weights.clear() // the trainer holds its own (train-layout) copy
  const rng = new Rng(0)
  const microBatches: {tokens: TokenBatch}[] = []
  for (let start = 0; start < BATCH; start += micro) {
    const rows = Math.min(micro, BATCH - start)
    microBatches.push({tokens: {inputIds: Int32Array.from({length: rows * SEQ}, () => rng.int(config.vocabSize)), batch: rows, seqLen: SEQ}})
  }
  const c0 = process.cpuUsage()
  const result = await trainer.trainStep(microBatches, (logp) => {
    const n = logp.length
    return {loss: -logp.reduce((a, v) => a + v, 0) / n, dlogp: new Float32Array(n).fill(-1 / n)}
  }, {constantGradient: true, weightOf: (mb) => mb.tokens.batch})
  const cpu = process.cpuUsage(c0)
  process.stdout.write(`${JSON.stringify({seconds: result.seconds, cpu_seconds: (cpu.user + cpu.system) / 1e6, loss: result.loss, backend: trainer.backendDescription})}\n`)
  await trainer.dispose()
}

function measured(cmd: string, args: string[], env: NodeJS.ProcessEnv): StepFigures & {peak: number} {
  const run = spawnSync('/usr/bin/time', ['-v', cmd, ...args], {encoding: 'utf8', env: {...process.env, ...env}})
  if (run.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${run.status}): ${run.stderr.slice(-3000)}`)
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)
  if (!kb) throw new Error('no peak RSS from /usr/bin/time -v')
  return {...(JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as StepFigures), peak: Number(kb[1]) * 1024}
}

export async function run(options: {micro?: number[]; threads?: number; preset?: keyof typeof PRESETS | 'qwen0.5b'; peer?: boolean} = {}): Promise<void> {
  const threads = options.threads ?? 2
  const preset = options.preset ?? 'qwen0.5b'
  const dir = mkdtempSync(join(tmpdir(), 'ars-bench-trainmem-'))
  try {
    const shape = preset === 'qwen0.5b' ? QWEN05 : {...PRESETS[preset], vocab_size: 32000}
    writeFileSync(join(dir, 'config.json'), JSON.stringify({architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', ...shape, rms_norm_eps: 1e-6, rope_theta: 1e6, tie_word_embeddings: true, hidden_act: 'silu'}))
    const folder = join(dir, 'model')
    const init = spawnSync(process.execPath, [BIN, 'model', 'init', '--preset', join(dir, 'config.json'), '--out', folder, '--seed', '1', '-q'], {encoding: 'utf8'})
    if (init.status !== 0) throw new Error(`model init failed: ${init.stderr}`)
    const config = parseModelConfig(JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')))
    const weights = weightBytes(config)
    const gb = (bytes: number): number => Number((bytes / 1e9).toFixed(2))
    for (const micro of options.micro ?? [1, 2]) {
      const figure = `one step, ${preset} shape (${gb(weights)} GB f32 weights), batch ${BATCH}×${SEQ} in micro-batches of ${micro}, ${threads} threads`
      const load = loadavg()[0]
      // This file as the child (not argv[1]: under run-all that is run-all.js). Each side's line is printed as soon
      // as it is measured: on a starved machine the peer's step can take many minutes.
      const ars = measured(process.execPath, [fileURLToPath(import.meta.url), '--child', folder, String(micro), String(threads)], {})
      report({bench: 'train-memory', figure, unit: 's', ars: Number(ars.seconds.toFixed(1)), peer: 'see the next line', peer_value: null, ratio: null, goal: 'fits in 24 GiB; report step time and peak RSS', ars_peak_gb: gb(ars.peak), ars_cpu_s: Number(ars.cpu_seconds.toFixed(1)), ars_loss: ars.loss, backend: ars.backend, load_average: load})
      if (options.peer === false) continue
      const peer = measured(PYTHON, [join(ROOT, 'bench', 'torch', 'qwen2_reference.py'), 'train-micro', folder, String(BATCH), String(SEQ), String(micro), String(threads)], {OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: String(threads)})
      report({
        bench: 'train-memory',
        figure,
        unit: 's',
        ars: Number(ars.seconds.toFixed(1)),
        peer: `pytorch ${peer.torch} eager (${peer.blas}), ${peer.threads} threads, OMP_WAIT_POLICY=PASSIVE, same micro-batches`,
        peer_value: Number(peer.seconds.toFixed(1)),
        ratio: Number((peer.seconds / ars.seconds).toFixed(2)),
        goal: 'fits in 24 GiB; report step time and peak RSS',
        ars_peak_gb: gb(ars.peak),
        peer_peak_gb: gb(peer.peak),
        peak_ratio: Number((peer.peak / ars.peak).toFixed(2)),
        ars_cpu_s: Number(ars.cpu_seconds.toFixed(1)),
        peer_cpu_s: Number(peer.cpu_seconds.toFixed(1)),
        ars_loss: ars.loss,
        peer_loss: peer.loss,
        backend: ars.backend,
        load_average: [load, loadavg()[0]],
        notes: 'ratio = peer s / ars s (>1: ars faster); peak_ratio = peer peak / ars peak (>1: ars smaller). Different random token ids on each side (same distribution); losses are both ≈ ln(vocab). Shared 2-core machine: wall times are noisy.',
      })
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

if (isMain(import.meta.url)) {
  const arg = (flag: string): string | undefined => {
    const at = process.argv.indexOf(flag)
    return at > 0 ? process.argv[at + 1] : undefined
  }
  const childAt = process.argv.indexOf('--child')
  if (childAt > 0) {
    const [folder, micro, threads] = process.argv.slice(childAt + 1)
    await child(folder as string, Number(micro), Number(threads))
  } else {
    await run({
      micro: arg('--micro')?.split(',').map(Number),
      threads: arg('--threads') ? Number(arg('--threads')) : undefined,
      preset: arg('--preset') as keyof typeof PRESETS | undefined,
      peer: !process.argv.includes('--no-peer'),
    })
  }
}
