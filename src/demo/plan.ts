// The stages of `ars demo` on the embedded default: synthesize hard questions from seeds with the KB engine,
// filter them, evaluate the committed tiny policy, train it with asynchronous RL on the result, evaluate again
// and compare. Every stage is an ars command line (see pipeline.ts); this file only decides the arguments.
import {createReadStream} from 'node:fs'
import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import type {DemoStage} from './pipeline.js'

export interface DemoPlanOptions {
  /** World folder (default datasets/world-small). */
  world: string
  /** Starting policy: a model folder (default datasets/policy-tiny). */
  policy: string
  out: string
  /** Seeds synthesized (the first N of the world's seeds.jsonl). */
  seeds: number
  /** World train questions added to the synthesized ones for training. */
  trainQuestions: number
  /** RL optimiser steps. */
  steps: number
  /** Samples per question (GRPO group size). */
  samples: number
  /** world-test questions evaluated before and after training. */
  evalLimit: number
  seed: number
}

export const DEMO_DEFAULTS = {seeds: 24, trainQuestions: 24, steps: 4, samples: 4, evalLimit: 40, seed: 0} as const

async function headLines(file: string, n: number): Promise<string[]> {
  const lines: string[] = []
  const rl = createInterface({input: createReadStream(file), crlfDelay: Infinity})
  for await (const line of rl) {
    if (line.trim() === '') continue
    lines.push(line)
    if (lines.length >= n) break
  }
  rl.close()
  return lines
}

export function demoPlan(o: DemoPlanOptions): DemoStage[] {
  const p = (name: string) => join(o.out, name)
  const seeds = p('seeds.jsonl')
  const synth = p('synth.jsonl')
  const train = p('train.jsonl')
  const run = p('run')
  const seed = String(o.seed)
  const evalArgs = (model: string, file: string, report: string) => [
    'eval', '--bench', 'world-test', '--world', o.world, '--model', model, '--search', o.world,
    '--limit', String(o.evalLimit), '--concurrency', '4', '--out', file, '--resume', '--report', report,
  ]
  return [
    {
      name: 'synthesize',
      quietable: true,
      about: `turn ${o.seeds} simple seed questions into multi-hop, fuzzed ones the KB confirms unique`,
      prepare: async () => {
        await mkdir(o.out, {recursive: true})
        const lines = await headLines(join(o.world, 'seeds.jsonl'), o.seeds)
        const extra = o.trainQuestions > 0 ? await headLines(join(o.world, 'questions', 'train.jsonl'), o.trainQuestions) : []
        await writeFile(seeds, lines.join('\n') + '\n')
        await writeFile(p('world-train.jsonl'), extra.join('\n') + (extra.length ? '\n' : ''))
      },
      prepareShell: [
        `mkdir -p ${o.out}`,
        `head -n ${o.seeds} ${join(o.world, 'seeds.jsonl')} > ${seeds}`,
        `head -n ${o.trainQuestions} ${join(o.world, 'questions', 'train.jsonl')} > ${p('world-train.jsonl')}`,
      ],
      args: ['synthesize', '--engine', 'kb', '--world', o.world, '--model', o.policy, '--difficulty-samples', '4', '--max-edits', '8', '--seed', seed, '--rejects', p('synth-rejects.jsonl')],
      stdin: seeds,
      stdout: synth,
      outputs: [p('world-train.jsonl')],
    },
    {
      name: 'filter',
      quietable: true,
      about: 'drop near-duplicates and anything overlapping the world-test questions',
      args: ['filter', '--dedupe', '--decontaminate', join(o.world, 'questions', 'test.jsonl'), '--rejects', p('filter-rejects.jsonl')],
      stdin: synth,
      stdout: train,
      outputs: [],
    },
    {
      name: 'eval-before',
      quietable: true,
      about: `score the starting policy on ${o.evalLimit} world-test questions, searching the world`,
      args: evalArgs(o.policy, p('eval-before.jsonl'), p('report-before')),
      outputs: [p('eval-before.jsonl'), p('report-before')],
    },
    {
      name: 'train',
      quietable: true,
      about: `${o.steps} steps of asynchronous RL (GRPO groups of ${o.samples}, decoupled PPO) on the filtered questions`,
      args: ['train', '--model', o.policy, '--questions', train, '--questions', p('world-train.jsonl'), '--search', o.world, '--out', run,
        '--steps', String(o.steps), '--samples', String(o.samples), '--mode', 'async', '--seed', seed, '--resume'],
      stdout: p('metrics.jsonl'),
      outputs: [join(run, 'latest')],
    },
    {
      name: 'eval-after',
      quietable: true,
      about: 'score the trained policy on the same questions',
      args: evalArgs(join(run, 'latest'), p('eval-after.jsonl'), p('report-after')),
      outputs: [p('eval-after.jsonl'), p('report-after')],
    },
    {
      name: 'compare',
      about: 'paired bootstrap comparison of before and after',
      args: ['eval', 'compare', p('eval-before.jsonl'), p('eval-after.jsonl')],
      stdout: p('compare.txt'),
      outputs: [],
    },
  ]
}
