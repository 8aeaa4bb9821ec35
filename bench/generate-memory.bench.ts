// Peak resident memory of generation (issue 12): `ars rollout -c 8` on a random model folder of the Qwen2.5-0.5B
// shape, against the PyTorch eager peer (bench/torch/qwen2_decode.py) decoding the same batch from the same
// safetensors, each measured by /usr/bin/time -v in its own process. Goal: ars's peak ≤ 1.5 × the weights' bytes
// plus the KV cache. `--preset tiny|small|base` swaps the model for a quick run.
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {spawnSync} from 'node:child_process'
import {PRESETS, parseModelConfig} from '../src/model/config.js'
import {weightBytes} from '../src/model/onnx/model-files.js'
import {BIN, ROOT, isMain, report} from './harness.js'

const PYTHON = '/usr/bin/python3'
const TIME = '/usr/bin/time'
const CONCURRENCY = 8
const TOKENS = 16
const THREADS = 2

/** Qwen2.5-0.5B's shape (random weights): what the issue measured. */
const QWEN05 = {hidden_size: 896, intermediate_size: 4864, num_hidden_layers: 24, num_attention_heads: 14, num_key_value_heads: 2, max_position_embeddings: 32768, vocab_size: 151936}

/** Runs a command under /usr/bin/time -v; returns its stdout and the peak RSS in bytes. */
function peakOf(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): {stdout: string; peak: number; seconds: number} {
  const run = spawnSync(TIME, ['-v', cmd, ...args], {encoding: 'utf8', env: {...process.env, ...env}, maxBuffer: 1 << 28})
  if (run.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${run.status}): ${run.stderr.slice(-2000)}`)
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(run.stderr)
  if (!kb || !wall) throw new Error(`no /usr/bin/time -v figures from ${cmd}`)
  return {stdout: run.stdout, peak: Number(kb[1]) * 1024, seconds: Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3])}
}

function ars(args: string[]): string {
  const run = spawnSync(process.execPath, [BIN, ...args], {encoding: 'utf8', maxBuffer: 1 << 28})
  if (run.status !== 0) throw new Error(`ars ${args.join(' ')} failed: ${run.stderr}`)
  return run.stdout
}

export async function run(options: {preset?: keyof typeof PRESETS | 'qwen0.5b'} = {}): Promise<void> {
  const preset = options.preset ?? 'qwen0.5b'
  const dir = mkdtempSync(join(tmpdir(), 'ars-bench-genmem-'))
  try {
    const shape = preset === 'qwen0.5b' ? QWEN05 : {...PRESETS[preset], vocab_size: 32000}
    const raw = {architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', ...shape, rms_norm_eps: 1e-6, rope_theta: 1e6, tie_word_embeddings: true, hidden_act: 'silu'}
    writeFileSync(join(dir, 'config.json'), JSON.stringify(raw))
    const model = join(dir, 'model')
    ars(['model', 'init', '--preset', join(dir, 'config.json'), '--out', model, '--seed', '1', '-q'])
    const config = parseModelConfig(JSON.parse(readFileSync(join(model, 'config.json'), 'utf8')))
    writeFileSync(join(dir, 'corpus.jsonl'), Array.from({length: 20}, (_, i) => JSON.stringify({id: `d${i}`, title: `Doc ${i}`, contents: `Document ${i} says the river Osk flows through Brenn.`})).join('\n') + '\n')
    writeFileSync(join(dir, 'questions.jsonl'), Array.from({length: CONCURRENCY}, (_, i) => JSON.stringify({type: 'question', version: 1, id: `q${i}`, question: `Which river flows through Brenn, case ${i}?`, answers: ['Osk'], source: 'bench', meta: {}})).join('\n') + '\n')
    ars(['index', join(dir, 'corpus.jsonl'), '-o', join(dir, 'index'), '-q'])

    // One turn of TOKENS tokens per episode, all CONCURRENCY episodes decoded as one batch.
    const mine = peakOf(process.execPath, [BIN, 'rollout', '-m', model, '-s', join(dir, 'index'), '-c', String(CONCURRENCY), '--max-turns', '1', '--max-tokens-per-turn', String(TOKENS), '--format', 'compact', '-i', join(dir, 'questions.jsonl'), '-q'])
    const episodes = mine.stdout.trim().split('\n').map((line) => JSON.parse(line) as {stats: {tokens: number; model_tokens: number}})
    const promptTokens = Math.max(...episodes.map((e) => e.stats.tokens - e.stats.model_tokens))
    const contextTokens = promptTokens + TOKENS
    const kvBytes = 2 * config.numLayers * config.numKvHeads * config.headDim * 4 * CONCURRENCY * contextTokens
    const weights = weightBytes(config)
    const goal = 1.5 * weights + kvBytes

    const peer = peakOf(PYTHON, [join(ROOT, 'bench', 'torch', 'qwen2_decode.py'), model, '--threads', String(THREADS), '--batch', String(CONCURRENCY), '--prompt', String(promptTokens), '--tokens', String(TOKENS)], {OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: String(THREADS)})
    const info = JSON.parse(peer.stdout.trim().split('\n').at(-1) as string) as {torch: string; blas: string}
    const gb = (bytes: number): number => Number((bytes / 1e9).toFixed(3))
    report({
      bench: 'generate-memory',
      figure: `peak RSS of rollout -c ${CONCURRENCY}, ${preset} shape (${gb(weights)} GB f32 weights)`,
      unit: 'GB',
      ars: gb(mine.peak),
      peer: `pytorch ${info.torch} eager (${info.blas}), batch ${CONCURRENCY}, same safetensors, loaded tensor by tensor`,
      peer_value: gb(peer.peak),
      ratio: Number((peer.peak / mine.peak).toFixed(2)),
      goal: `<= 1.5 x weights + KV cache = ${gb(goal)} GB`,
      met: mine.peak <= goal,
      ars_over_weights: Number((mine.peak / weights).toFixed(2)),
      peer_over_weights: Number((peer.peak / weights).toFixed(2)),
      kv_cache_gb: gb(kvBytes),
      ars_wall_s: mine.seconds,
      peer_wall_s: peer.seconds,
      notes: `ratio = peer peak / ars peak (>1: ars uses less). ars: ars rollout (whole CLI process: agent, BM25 index, engine), ${CONCURRENCY} episodes × 1 turn × ${TOKENS} tokens, prompt ≤ ${promptTokens} tokens; peer: prefill ${promptTokens} + ${TOKENS} greedy tokens, ${THREADS} threads, OMP_WAIT_POLICY=PASSIVE. Peaks from /usr/bin/time -v.`,
    })
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

if (isMain(import.meta.url)) {
  const at = process.argv.indexOf('--preset')
  await run(at > 0 ? {preset: process.argv[at + 1] as keyof typeof PRESETS} : {})
}
