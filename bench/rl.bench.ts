// RL wall time: N optimiser steps of `ars train`'s controller in sync, one-step-off and async modes on the tiny model
// (`ars model init --preset tiny --tokenizer world`) with world-small BM25 search, same questions, seeds and sizes.
// The peer is sync mode measured in the same run; ratio = sync seconds / mode seconds (> 1: faster than sync).
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {spawnSync} from 'node:child_process'
import {BIN, ROOT, isMain, report} from './harness.js'
import {benchWorld} from './world-setup.js'
import {trainRl, TRAIN_MODES, type TrainMode} from '../src/rl/controller.js'
import type {TrainMetric} from '../src/core/records/train-metric.js'

export interface RlBenchOptions {
  steps?: number
  samples?: number
  batchQuestions?: number
  concurrency?: number
  maxTurns?: number
  maxTokensPerTurn?: number
  modes?: TrainMode[]
  maxStaleness?: number
}

export async function run(options: RlBenchOptions = {}): Promise<void> {
  const steps = options.steps ?? 6
  const samples = options.samples ?? 4
  const batchQuestions = options.batchQuestions ?? 2
  const concurrency = options.concurrency ?? 8
  const maxTurns = options.maxTurns ?? 3
  const maxTokensPerTurn = options.maxTokensPerTurn ?? 32
  const work = mkdtempSync(join(tmpdir(), 'ars-rl-bench-'))
  const model = join(work, 'tiny')
  const init = spawnSync(process.execPath, [BIN, 'model', 'init', '--preset', 'tiny', '--tokenizer', 'world', '--out', model, '--seed', '0'], {encoding: 'utf8'})
  if (init.status !== 0) throw new Error(`model init failed: ${init.stderr}`)
  const {questions, tools} = await benchWorld(work)

  const results = new Map<TrainMode, {seconds: number; metrics: TrainMetric[]}>()
  for (const mode of options.modes ?? ['sync', 'one-step-off', 'async']) {
    const metrics: TrainMetric[] = []
    const summary = await trainRl({
      model, questions, tools, out: join(work, `run-${mode}`), mode, samples, batchQuestions, steps, maxStaleness: options.maxStaleness ?? 4, concurrency,
      learningRate: 1e-4, backend: 'auto', episode: {maxTurns, maxTokensPerTurn}, reward: {metric: 'f1'}, seed: 0,
      onMetric: (m) => void metrics.push(m), warn: () => {},
    })
    results.set(mode, {seconds: summary.wallSeconds, metrics})
  }
  await tools.close()
  const sync = results.get('sync')
  const mean = (ms: TrainMetric[], key: string): number => ms.reduce((a, m) => a + (m.metrics[key] ?? 0), 0) / Math.max(1, ms.length)
  for (const [mode, r] of results) {
    report({
      bench: 'rl', figure: `wall_seconds_${steps}_steps_${mode}`, unit: 's', ars: round(r.seconds), peer: 'ars --mode sync, same run', peer_value: sync ? round(sync.seconds) : null,
      ratio: sync ? round(sync.seconds / r.seconds) : null, goal: mode === 'sync' ? undefined : '> 1 (faster than sync)',
      staleness_mean: round(mean(r.metrics, 'staleness_mean')), staleness_max: Math.max(0, ...r.metrics.map((m) => m.metrics.staleness_max ?? 0)),
      wait_s_mean: round(mean(r.metrics, 'wait_s')), train_s_mean: round(mean(r.metrics, 'train_s')), gen_tokens_per_s: round(mean(r.metrics, 'gen_tokens_per_s')),
      notes: `η ${options.maxStaleness ?? 4}, ${samples} samples × ${batchQuestions} questions per step, ${maxTurns} turns × ${maxTokensPerTurn} tokens, concurrency ${concurrency}, tiny model, world-small BM25`,
    })
  }
}

const round = (x: number): number => Math.round(x * 1000) / 1000

if (isMain(import.meta.url)) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`)
    return i >= 0 ? process.argv[i + 1] : undefined
  }
  const modes = arg('modes')?.split(',') as TrainMode[] | undefined
  if (modes?.some((m) => !TRAIN_MODES.includes(m))) throw new Error(`--modes: expected a comma list of ${TRAIN_MODES.join(', ')}`)
  const num = (name: string): number | undefined => (arg(name) === undefined ? undefined : Number(arg(name)))
  await run({steps: num('steps'), samples: num('samples'), batchQuestions: num('batch-questions'), maxTurns: num('turns'), maxTokensPerTurn: num('tokens'), concurrency: num('concurrency'), maxStaleness: num('max-staleness'), modes})
}
