// Samples per hour of `ars train` when generation runs on 1, 2 or 4 `ars serve model` processes (`--generation`,
// real HTTP on loopback, each version published to them after every step) against the in-process engine, measured
// in the same run with the same model, questions, seeds and sizes: the committed policy-search-sft (0.8M
// parameters), world-small BM25, the compact format. samples = episodes in the batches the trainer consumed.
// ratio = servers' samples/hour ÷ in-process samples/hour. On one machine every server shares its cores with the
// trainer, so this measures the pool's overhead there, not what separate machines would add.
import {spawn, type ChildProcess} from 'node:child_process'
import {availableParallelism, loadavg, tmpdir} from 'node:os'
import {mkdtempSync} from 'node:fs'
import {join} from 'node:path'
import {BIN, ROOT, isMain, report} from './harness.js'
import {benchWorld} from './world-setup.js'
import {agentFormat} from '../src/agent/formats.js'
import {trainRl} from '../src/rl/controller.js'
import type {TrainMetric} from '../src/core/records/train-metric.js'
import {parseGenerationServers} from '../src/llm/generation-pool.js'

export interface GenerationBenchOptions {
  steps?: number
  servers?: number[]
  samples?: number
  batchQuestions?: number
  concurrency?: number
  /** Each configuration runs this many times, interleaved (default 2); the median is reported. */
  rounds?: number
}

function startServer(model: string): Promise<{child: ChildProcess; url: string}> {
  const child = spawn(process.execPath, [BIN, 'serve', 'model', '-m', model, '--port', '0', '--threads', '1', '-q'], {cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe']})
  return new Promise((resolve, reject) => {
    let err = ''
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString()
      const m = /at (http:\/\/\S+\/v1)/.exec(err)
      if (m) resolve({child, url: m[1] as string})
    })
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${err}`)))
  })
}

export async function run(options: GenerationBenchOptions = {}): Promise<void> {
  const steps = options.steps ?? 6
  const samples = options.samples ?? 4
  const batchQuestions = options.batchQuestions ?? 2
  const concurrency = options.concurrency ?? 8
  const model = join(ROOT, 'datasets', 'policy-search-sft')
  const work = mkdtempSync(join(tmpdir(), 'ars-generation-bench-'))
  const {questions, tools} = await benchWorld(work)

  type Run = {perHour: number; steadyPerHour: number; seconds: number; samples: number; load: number; publishS: number; waitS: number}
  const runs = new Map<number, Run[]>()
  const configs = [0, ...(options.servers ?? [1, 2, 4])]
  for (let round = 0; round < (options.rounds ?? 2); round++) {
    for (const n of configs) {
      const servers = await Promise.all(Array.from({length: n}, () => startServer(model)))
      try {
        const metrics: TrainMetric[] = []
        const load = loadavg()[0] as number
        const summary = await trainRl({
          model, questions, tools, out: join(work, `run-${n}-${round}`), mode: 'async', samples, batchQuestions, steps, maxStaleness: 2, concurrency,
          episode: {format: agentFormat('compact'), maxTurns: 3, maxTokensPerTurn: 32}, reward: {metric: 'f1'}, seed: 0, threads: 1,
          ...(n ? {generation: parseGenerationServers(servers.map((s) => s.url))} : {}),
          onMetric: (m) => void metrics.push(m), warn: () => {},
        })
        const consumed = metrics.reduce((a, m) => a + (m.metrics.episodes ?? 0), 0)
        // Steady state: from the first step's end to the last's (start-up, the first publish and model loading excluded).
        const first = metrics[0]!
        const last = metrics.at(-1)!
        const later = consumed - (first.metrics.episodes ?? 0)
        const mean = (key: string): number => metrics.reduce((a, m) => a + (m.metrics[key] ?? 0), 0) / metrics.length
        const list = runs.get(n) ?? []
        list.push({perHour: (consumed / summary.wallSeconds) * 3600, steadyPerHour: later / Math.max(1e-9, (last.time_ms - first.time_ms) / 1000) * 3600, seconds: summary.wallSeconds, samples: consumed, load, publishS: mean('publish_s'), waitS: mean('wait_s')})
        runs.set(n, list)
      } finally {
        for (const s of servers) s.child.kill('SIGTERM')
      }
    }
  }
  await tools.close()
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b)
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
  }
  const local = median(runs.get(0)!.map((r) => r.steadyPerHour))
  for (const [n, list] of runs) {
    const steady = median(list.map((r) => r.steadyPerHour))
    report({
      bench: 'generation', figure: n ? `samples_per_hour_${n}_server${n > 1 ? 's' : ''}` : 'samples_per_hour_in_process', unit: 'samples/h', ars: Math.round(steady),
      peer: 'ars train, in-process engine, same run', peer_value: Math.round(local), ratio: round(steady / local),
      rounds: list.map((r) => ({steady_per_hour: Math.round(r.steadyPerHour), wall_per_hour: Math.round(r.perHour), seconds: round(r.seconds), samples: r.samples, publish_s_mean: round(r.publishS), wait_s_mean: round(r.waitS), load_average_at_start: round(r.load)})),
      cores: availableParallelism(),
      notes: `median over rounds of the steady-state rate (episodes consumed after step 1 ÷ time from step 1 to step ${steps}); ${steps} steps, async η 2, ${samples} samples × ${batchQuestions} questions, concurrency ${concurrency}, 3 turns × 32 tokens, policy-search-sft, compact format; servers on this machine share its cores with the trainer`,
    })
  }
}

const round = (x: number): number => Math.round(x * 1000) / 1000

if (isMain(import.meta.url)) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`)
    return i >= 0 ? process.argv[i + 1] : undefined
  }
  const num = (name: string): number | undefined => (arg(name) === undefined ? undefined : Number(arg(name)))
  await run({steps: num('steps'), rounds: num('rounds'), servers: arg('servers')?.split(',').map(Number), samples: num('samples'), batchQuestions: num('batch-questions'), concurrency: num('concurrency')})
}
