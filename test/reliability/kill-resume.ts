// kill -9 → --resume probes for `ars synthesize` and `ars train` (RL, sync and async): the real bin/run.js killed
// with SIGKILL at seeded random points — at a random time, right after a step's metric line, or while a checkpoint
// folder is being written — then resumed until it finishes. Deterministic runs (synthesize; train --mode sync) must
// end byte-identical to a run never killed; async runs (timing decides staleness) must keep the record-level
// invariants: every step's metric once, `latest` at the last step, a loadable checkpoint, no staged leftovers.
import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'
import {Rng} from '../../src/core/rng.js'
import {InvalidPolicy} from '../../src/core/jsonl.js'
import {buildIndex, readCorpus} from '../../src/search/bm25/build-index.js'
import {BIN, ROOT} from '../helpers/cli.js'
import {row, type Row} from './row.js'

export type KillRow = Row

/**
 * Where a run is killed, counted from its own start: a time, the moment it prints its nth metric line, while it
 * writes its nth checkpoint folder, or once its output file has grown by `bytes`.
 */
export type KillPoint = {kind: 'time'; ms: number} | {kind: 'metric'; nth: number} | {kind: 'checkpoint-write'; nth: number} | {kind: 'output-bytes'; bytes: number}

interface Watched {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string[]
  stderr: string
  timedOut: boolean
  /** What the kill hit, when it fired ('' when the run ended first). */
  killed: string
}

/**
 * Spawns bin/run.js and SIGKILLs it at `point`. `stagedIn` is the folder whose dot-named entries are staged
 * (half-written) checkpoints; `output` the file whose size `output-bytes` watches. Polls every 2 ms.
 */
function runKilled(args: string[], point: KillPoint | undefined, options: {timeoutMs: number; stagedIn?: string; output?: string}): Promise<Watched> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {cwd: ROOT, env: {...process.env, ARS_CONFIG: ''}, stdio: ['ignore', 'pipe', 'pipe']})
    const result: Watched = {code: null, signal: null, stdout: [], stderr: '', timedOut: false, killed: ''}
    const kill = (what: string): void => {
      if (result.killed || child.exitCode !== null) return
      result.killed = what
      child.kill('SIGKILL')
    }
    let buffered = ''
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString()
      let nl
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        result.stdout.push(line)
        if (point?.kind === 'metric' && result.stdout.length === point.nth) kill(`after its metric line ${point.nth}`)
      }
    })
    child.stderr.on('data', (d: Buffer) => (result.stderr += d.toString()))
    const timers: NodeJS.Timeout[] = []
    timers.push(
      setTimeout(() => {
        result.timedOut = true
        child.kill('SIGKILL')
      }, options.timeoutMs),
    )
    if (point?.kind === 'time') timers.push(setTimeout(() => kill(`${point.ms} ms after start`), point.ms))
    if (point?.kind === 'checkpoint-write' || point?.kind === 'output-bytes') {
      const startSize = options.output && existsSync(options.output) ? statSync(options.output).size : 0
      let seen = 0
      let inStaged = false
      timers.push(
        setInterval(() => {
          if (point.kind === 'output-bytes') {
            const size = options.output && existsSync(options.output) ? statSync(options.output).size : 0
            if (size >= startSize + point.bytes) kill(`at ${size} bytes of output`)
            return
          }
          const dir = options.stagedIn!
          const staged = existsSync(dir) ? readdirSync(dir).find((n) => n.startsWith('.')) : undefined
          if (staged && !inStaged) {
            seen++
            if (seen === point.nth) kill(`while writing ${staged}`)
          }
          inStaged = staged !== undefined
        }, 2),
      )
    }
    child.on('error', reject)
    child.on('close', (code, signal) => {
      for (const t of timers) clearTimeout(t)
      result.code = code
      result.signal = signal
      resolve(result)
    })
  })
}

const unclearText = (stderr: string): boolean => /\n\s+at .*\(|RangeError|TypeError|ReferenceError/.test(stderr)

/** Runs `args` (`resumeArgs` once something was written) killed at each point, then once to the end. */
async function killSeries(r: KillRow, points: readonly KillPoint[], args: string[], resumeArgs: string[], started: () => boolean, options: {timeoutMs: number; stagedIn?: string; output?: string}): Promise<Watched | undefined> {
  const kinds = new Map<string, number>()
  for (const point of points) {
    r.tried++
    const result = await runKilled(started() ? resumeArgs : args, point, options)
    if (result.timedOut) {
      r.hung++
      r.note += `hung (${point.kind}); `
    } else if (result.signal === 'SIGKILL' || result.code === 0) {
      if (unclearText(result.stderr)) {
        r.unclear++
        r.note += `stack trace: ${result.stderr.slice(-120)}; `
      } else r.handled++
      if (result.killed) kinds.set(point.kind, (kinds.get(point.kind) ?? 0) + 1)
    } else {
      r.unclear++
      r.note += `exit ${result.code}: ${result.stderr.trim().split('\n').at(-1)?.slice(0, 120)}; `
    }
  }
  r.tried++
  const last = await runKilled(started() ? resumeArgs : args, undefined, {...options, timeoutMs: options.timeoutMs * 2})
  if (last.timedOut) r.hung++
  else if (last.code !== 0 || unclearText(last.stderr)) {
    r.unclear++
    r.note += `final run exit ${last.code}: ${last.stderr.trim().split('\n').at(-1)?.slice(0, 120)}; `
  } else r.handled++
  r.note += `kills hit: ${[...kinds].map(([k, n]) => `${k}×${n}`).join(', ') || 'none'}; `
  return last.code === 0 ? last : undefined
}

/** world-small's files linked into a temp world folder with its BM25 index built (as `ars train --search` wants). */
export async function worldWithIndex(dir: string): Promise<string> {
  const source = join(ROOT, 'datasets', 'world-small')
  const world = join(dir, 'world')
  mkdirSync(world)
  for (const f of ['world.json', 'kb.jsonl', 'site', 'corpus.jsonl', 'questions', 'seeds.jsonl']) symlinkSync(join(source, f), join(world, f))
  await buildIndex(readCorpus(join(source, 'corpus.jsonl'), new InvalidPolicy('fail')), join(world, 'index'))
  return world
}

/**
 * `ars synthesize --engine kb` over `copies`×600 world-small seeds (copies get distinct ids), killed `kills` times
 * at random output sizes, resumed to the end: items and rejects byte-identical to a run never killed.
 */
export async function synthesizeKills(kills: number, copies: number, seed = 11): Promise<KillRow> {
  const r = row(`synthesize kill -9 → --resume (${kills} kills)`)
  const dir = mkdtempSync(join(tmpdir(), 'ars-campaign-synth-'))
  const seedLines = readFileSync(join(ROOT, 'datasets/world-small/seeds.jsonl'), 'utf8').split('\n').filter(Boolean)
  const seeds = join(dir, 'seeds.jsonl')
  const all: string[] = []
  for (let c = 0; c < copies; c++) for (const l of seedLines) all.push(c === 0 ? l : JSON.stringify({...(JSON.parse(l) as object), id: `${(JSON.parse(l) as {id: string}).id}~copy${c}`}))
  writeFileSync(seeds, all.join('\n') + '\n')
  const world = join(ROOT, 'datasets/world-small')
  const args = (out: string): string[] => ['synthesize', '--world', world, '-i', seeds, '-o', join(dir, `${out}.jsonl`), '--rejects', join(dir, `${out}-rejects.jsonl`), '--concurrency', '4', '-q']
  const reference = await runKilled(args('reference'), undefined, {timeoutMs: 120_000})
  if (reference.code !== 0) throw new Error(`campaign: synthesize reference run failed: ${reference.stderr}`)
  const refItems = readFileSync(join(dir, 'reference.jsonl'))
  const refRejects = readFileSync(join(dir, 'reference-rejects.jsonl'))
  const rng = new Rng(seed)
  const out = join(dir, 'killed.jsonl')
  const points: KillPoint[] = Array.from({length: kills}, () => ({kind: 'output-bytes', bytes: 1 + rng.int(Math.ceil(refItems.length / kills))}))
  const done = await killSeries(r, points, args('killed'), [...args('killed'), '--resume'], () => existsSync(out), {timeoutMs: 60_000, output: out})
  if (!done) return r
  const items = readFileSync(out)
  const rejects = readFileSync(join(dir, 'killed-rejects.jsonl'))
  const ids = (text: Buffer, key: (v: Record<string, unknown>) => string): string[] => text.toString().split('\n').filter(Boolean).map((l) => key(JSON.parse(l) as Record<string, unknown>))
  const seen = [...ids(items, (v) => String(v.seed_id)), ...ids(rejects, (v) => String((v.record as {id: string}).id))]
  const unique = new Set(seen)
  if (!items.equals(refItems) || !rejects.equals(refRejects) || unique.size !== seen.length || unique.size !== all.length) {
    r.lost++
    r.note += `differs from the run never killed: ${seen.length} seeds written (${unique.size} unique) of ${all.length}; items ${items.equals(refItems) ? 'same' : 'differ'}, rejects ${rejects.equals(refRejects) ? 'same' : 'differ'}; `
  } else r.handled++
  r.tried++
  return r
}

/** The metrics of a train_metric line that do not depend on timing (what an exact resume must reproduce). */
function timeless(line: string): unknown {
  const m = JSON.parse(line) as {step: number; policy_version: number; metrics: Record<string, number>; meta: unknown}
  const metrics = Object.fromEntries(Object.entries(m.metrics).filter(([k]) => !/(_s|_ms|_per_s)$/.test(k)))
  return {step: m.step, policy_version: m.policy_version, metrics, meta: m.meta}
}

export interface TrainKillOptions {
  /** sync / async: `ars train` (RL); sft: `ars train sft` (deterministic, compared like sync). */
  mode: 'sync' | 'async' | 'sft'
  kills: number
  steps: number
  seed?: number
  /** Kill points to use instead of seeded random ones. */
  points?: KillPoint[]
  /** Sampling temperature: 1.5 makes most steps an update (more varied answers), 1 runs faster. Default 1. */
  temperature?: number
}

const SFT_NAMES = ['Veltria', 'Brenn', 'Osk', 'Pell', 'Quell', 'Marrow', 'Ister', 'Caldera', 'Tovin', 'Seray', 'Umber', 'Wick']

/** `ars train sft` flags for a small run on datasets/policy-tiny (`epochs` sets its length: 12 steps an epoch). */
function sftArgs(dir: string, out: string, epochs: number): string[] {
  const data = join(dir, 'sft.jsonl')
  if (!existsSync(data)) {
    const records = SFT_NAMES.map((name, i) => ({messages: [{role: 'user', content: `Where is ${name}?`}, {role: 'assistant', content: `<answer>${SFT_NAMES[(i + 5) % SFT_NAMES.length]}</answer>`}]}))
    writeFileSync(data, records.map((r) => JSON.stringify(r)).join('\n') + '\n')
  }
  return ['train', 'sft', '--model', join(ROOT, 'datasets/policy-tiny'), '--out', join(dir, out), '--epochs', String(epochs), '--batch-tokens', '40', '--micro-batch-tokens', '64',
    '--max-seq-len', '64', '--lr', '5e-3', '--warmup', '3', '--save-every', '2', '--backend', 'wasm', '--seed', '7', '-q', data]
}

/**
 * `ars train` (RL) on datasets/policy-search-sft and world-small, saving every step, killed at seeded random points
 * (a time, after a metric line, mid checkpoint write), resumed to `steps`. sync: metrics (minus timings), weights and
 * optimizer state byte-identical to a run never killed; async: each step once, `latest` = last step, no leftovers.
 */
export async function trainKills(options: TrainKillOptions): Promise<KillRow> {
  const {mode, kills, steps} = options
  const r = row(mode === 'sft' ? `train sft kill -9 → --resume (${kills} kills)` : `train --mode ${mode} kill -9 → --resume (${kills} kills, ${steps} steps)`)
  const dir = mkdtempSync(join(tmpdir(), `ars-campaign-train-${mode}-`))
  const world = mode === 'sft' ? '' : await worldWithIndex(dir)
  const questions = join(dir, 'q.jsonl')
  writeFileSync(questions, readFileSync(join(ROOT, 'datasets/world-small/questions/train.jsonl'), 'utf8').split('\n').slice(0, 16).join('\n') + '\n')
  // A format penalty gives groups reward variance (some episodes answer, some do not), so steps do update.
  const args = (out: string): string[] => mode === 'sft' ? sftArgs(dir, out, Math.ceil(steps / 12)) : ['train', '--model', join(ROOT, 'datasets/policy-search-sft'), '--questions', questions, '--search', world, '--out', join(dir, out),
    '--steps', String(steps), '--samples', '4', '--batch-questions', '2', '--max-turns', '3', '--max-tokens-per-turn', '48', '--concurrency', '8', '--lr', '1e-3',
    '--backend', 'wasm', '--save-every', '1', '--format-penalty', '0.5', '--temperature', String(options.temperature ?? 1), '--mode', mode, ...(mode === 'async' ? ['--max-staleness', '2'] : []), '--seed', '1', '-q']
  const out = join(dir, 'killed')
  let reference: string[] | undefined
  if (mode !== 'async') {
    const ref = await runKilled(args('reference'), undefined, {timeoutMs: 300_000})
    if (ref.code !== 0) throw new Error(`campaign: train reference run failed: ${ref.stderr}`)
    reference = readFileSync(join(dir, 'reference', 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean)
  }
  const rng = new Rng(options.seed ?? 5)
  // An SFT step takes milliseconds and saves come every 2 steps, so its kills are spread over more lines and saves.
  const spread = mode === 'sft' ? 3 : 1
  const points: KillPoint[] = options.points ?? Array.from({length: kills}, (_, k): KillPoint => {
    const kind = k % 3
    if (kind === 0) return {kind: 'checkpoint-write', nth: 1 + rng.int(2 * spread)}
    if (kind === 1) return {kind: 'metric', nth: 1 + rng.int(2 * spread)}
    return {kind: 'time', ms: (mode === 'sft' ? 1500 : 2500) + rng.int(6000)}
  })
  const done = await killSeries(r, points, args('killed'), [...args('killed'), '--resume'], () => existsSync(join(out, 'run.json')), {timeoutMs: 300_000, stagedIn: join(out, 'checkpoints')})
  if (!done) return r
  r.tried++
  const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean)
  const stepList = lines.map((l) => (JSON.parse(l) as {step: number}).step)
  // SFT's length follows from the data and --epochs: the run never killed says how many steps.
  const last = reference ? (JSON.parse(reference.at(-1)!) as {step: number}).step : steps
  const problems: string[] = []
  if (JSON.stringify(stepList) !== JSON.stringify(Array.from({length: last}, (_, i) => i + 1))) problems.push(`metric steps ${stepList.join(',')}`)
  if (basename(realpathSync(join(out, 'latest'))) !== `step-${String(last).padStart(6, '0')}`) problems.push(`latest is ${realpathSync(join(out, 'latest'))}`)
  const leftovers = [...readdirSync(out), ...readdirSync(join(out, 'checkpoints'))].filter((n) => n.startsWith('.'))
  if (leftovers.length > 0) problems.push(`leftovers ${leftovers.join(', ')}`)
  const state = JSON.parse(readFileSync(join(out, 'latest', 'trainer_state.json'), 'utf8')) as {step: number}
  if (state.step !== last) problems.push(`trainer_state step ${state.step}`)
  if (reference) {
    const a = lines.map(timeless)
    const b = reference.map(timeless)
    const first = a.findIndex((v, i) => JSON.stringify(v) !== JSON.stringify(b[i]))
    if (first >= 0 || a.length !== b.length) problems.push(`metrics differ from the run never killed from step ${first + 1}: ${JSON.stringify(a[first]).slice(0, 200)} vs ${JSON.stringify(b[first]).slice(0, 200)}`)
    for (const file of ['model.safetensors', 'optimizer.safetensors']) {
      if (!readFileSync(join(out, 'latest', file)).equals(readFileSync(join(dir, 'reference', 'latest', file)))) problems.push(`${file} differs from the run never killed`)
    }
  }
  if (mode !== 'sft') r.note += `${(JSON.parse(lines.at(-1)!) as {policy_version: number}).policy_version} updates in ${steps} steps; `
  else r.note += `${last} steps; `
  if (problems.length > 0) {
    r.lost++
    r.note += problems.join('; ') + '; '
  } else r.handled++
  return r
}
