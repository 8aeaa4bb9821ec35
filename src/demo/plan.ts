// The stages of `ars demo` on the embedded default: synthesize hard questions from seeds with the KB engine,
// filter them, evaluate the committed SFT policy (it searches, in the compact agent format), train it with
// asynchronous RL on the result and world train questions, evaluate again and compare; then score the committed RL
// policy on the same questions, so the demo shows a measured gain even when its live budget is small. Every stage
// is an ars command line (see pipeline.ts); this file only decides the arguments.
import {createReadStream} from 'node:fs'
import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import type {DemoStage} from './pipeline.js'
import {COMMITTED_RL_MADE} from './policy.js'

export interface DemoPlanOptions {
  /** World folder (default datasets/world-small). */
  world: string
  /** Starting policy: a model folder (default datasets/policy-search-sft). */
  policy: string
  /** The committed RL policy scored against the starting one (default datasets/policy-search-rl; none: skipped). */
  committed?: string
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

export const DEMO_DEFAULTS = {seeds: 24, trainQuestions: 200, steps: 8, samples: 8, evalLimit: 160, seed: 0} as const

/** What the policies were trained in (decision 0960): the agent format, turns and reply budget of every stage. */
const AGENT = ['--max-turns', '6'] as const

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
    'eval', '--bench', 'world-test', '--world', o.world, '--model', model, '--search', o.world, '--agent-format', 'compact', ...AGENT,
    '--limit', String(o.evalLimit), '--concurrency', '8', '--out', file, '--resume', '--report', report,
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
      about: `${o.steps} steps of asynchronous RL (GRPO groups of ${o.samples}, EM reward, decoupled PPO at the learning rate for its size; a batch without reward variance is no update) on the filtered and world train questions`,
      args: ['train', '--model', o.policy, '--questions', train, '--questions', p('world-train.jsonl'), '--search', o.world, '--out', run,
        '--format', 'compact', ...AGENT, '--max-tokens-per-turn', '48', '--reward', 'em',
        '--steps', String(o.steps), '--samples', String(o.samples), '--concurrency', '16', '--mode', 'async', '--seed', seed, '--resume'],
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
      args: ['eval', 'compare', p('eval-before.jsonl'), p('eval-after.jsonl'), '--seed', seed],
      stdout: p('compare.txt'),
      outputs: [],
    },
    ...(o.committed ? [
      {
        name: 'eval-committed',
        quietable: true,
        about: `score the committed RL policy (${COMMITTED_RL_MADE}) on the same questions`,
        args: evalArgs(o.committed, p('eval-committed.jsonl'), p('report-committed')),
        outputs: [p('eval-committed.jsonl'), p('report-committed')],
      },
      {
        name: 'compare-committed',
        about: 'paired bootstrap comparison of the starting policy and the committed RL policy',
        args: ['eval', 'compare', p('eval-before.jsonl'), p('eval-committed.jsonl'), '--seed', seed],
        stdout: p('compare-committed.txt'),
        outputs: [],
      },
    ] : []),
  ]
}
