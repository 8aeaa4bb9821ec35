// What `ars demo` prints at the end: how many questions each data stage kept, the policy's scores before and after
// training, and the reward over training steps — read back from the stage files, so a resumed demo reports the same.
import {existsSync} from 'node:fs'
import {readJsonl} from '../core/index.js'
import type {EvalResult} from '../core/index.js'
import {compareResults, type CompareRow} from '../eval/index.js'
import {COMMITTED_RL_MADE} from './policy.js'

export interface DemoSummary {
  seeds: number
  synthesized: number
  kept: number
  before: Record<string, number>
  after: Record<string, number>
  /** reward_mean per training step, in order. */
  rewards: number[]
  steps: number
  /** Groups whose rewards were all equal (no learning signal under GRPO), over all steps. */
  zeroVarianceGroups: number
  /** Groups trained on, over all steps. */
  groups: number
  /** Optimiser steps that changed the policy (a batch without reward variance is no update). */
  updates: number
  /** EM of after − before with its paired-bootstrap 95 % interval (live: this demo's own RL run). */
  live?: EmDelta
  /** The same for the committed RL policy against the starting one (COMMITTED_RL_MADE; decision 0960). */
  committed?: EmDelta
}

/** An `eval compare` row's EM figures, in points. */
export type EmDelta = Pick<CompareRow, 'pairs' | 'a' | 'b' | 'delta' | 'low' | 'high' | 'better' | 'worse'>

async function readResults(file: string): Promise<EvalResult[]> {
  const rows: EvalResult[] = []
  if (!existsSync(file)) return rows
  for await (const {value} of readJsonl(file)) rows.push(value as EvalResult)
  return rows
}

/** EM delta B − A over matched questions, with the paired bootstrap interval `ars eval compare` prints (seeded). */
async function emDelta(a: string, b: string, seed: number): Promise<EmDelta | undefined> {
  const [ra, rb] = await Promise.all([readResults(a), readResults(b)])
  if (!ra.length || !rb.length) return undefined
  const row = compareResults(ra, rb, {seed}).find((r) => r.metric === 'em')
  // compareResults works in fractions; the summary speaks in points, as eval's tables do.
  return row ? {pairs: row.pairs, a: 100 * row.a, b: 100 * row.b, delta: 100 * row.delta, low: 100 * row.low, high: 100 * row.high, better: row.better, worse: row.worse} : undefined
}

async function countLines(file: string): Promise<number> {
  if (!existsSync(file)) return 0
  let n = 0
  for await (const _ of readJsonl(file)) n++
  return n
}

/** Mean of each score over rows where it is not null, ×100 (as eval reports). */
async function meanScores(file: string): Promise<Record<string, number>> {
  const sums: Record<string, [number, number]> = {}
  if (!existsSync(file)) return {}
  for await (const {value} of readJsonl(file)) {
    const scores = (value as {scores?: Record<string, number | null>}).scores ?? {}
    for (const [k, v] of Object.entries(scores)) {
      if (typeof v !== 'number') continue
      const s = (sums[k] ??= [0, 0])
      s[0] += v
      s[1]++
    }
  }
  return Object.fromEntries(Object.entries(sums).map(([k, [s, n]]) => [k, (100 * s) / n]))
}

async function trainingCurve(file: string): Promise<{rewards: number[]; zeroVarianceGroups: number; groups: number; updates: number}> {
  const out = {rewards: [] as number[], zeroVarianceGroups: 0, groups: 0, updates: 0}
  if (!existsSync(file)) return out
  for await (const {value} of readJsonl(file)) {
    const m = (value as {metrics?: Record<string, number>}).metrics ?? {}
    if (typeof m.reward_mean === 'number') out.rewards.push(m.reward_mean)
    out.zeroVarianceGroups += m.zero_variance_groups ?? 0
    out.groups += m.groups ?? m.batch_questions ?? 0
    if (!m.update_skipped) out.updates++
  }
  return out
}

export async function summarize(files: {seeds: string; synth: string; train: string; before: string; after: string; metrics: string; committed?: string}, seed = 0): Promise<DemoSummary> {
  const {rewards, zeroVarianceGroups, groups, updates} = await trainingCurve(files.metrics)
  const live = await emDelta(files.before, files.after, seed)
  const committed = files.committed ? await emDelta(files.before, files.committed, seed) : undefined
  return {
    zeroVarianceGroups,
    groups,
    updates,
    ...(live ? {live} : {}),
    ...(committed ? {committed} : {}),
    seeds: await countLines(files.seeds),
    synthesized: await countLines(files.synth),
    kept: await countLines(files.train),
    before: await meanScores(files.before),
    after: await meanScores(files.after),
    rewards,
    steps: rewards.length,
  }
}

export function formatSummary(s: DemoSummary): string {
  const metrics = [...new Set([...Object.keys(s.before), ...Object.keys(s.after)])].sort()
  const score = (m: Record<string, number>, k: string) => (k in m ? m[k]!.toFixed(1).padStart(6) : '     –')
  const lines = [
    `data:   ${s.seeds} seeds → ${s.synthesized} synthesized → ${s.kept} kept after filter`,
    `train:  ${s.steps} steps, reward_mean ${s.rewards.map((r) => r.toFixed(3)).join(' → ') || '–'}` +
      (s.zeroVarianceGroups > 0 ? `; ${s.zeroVarianceGroups}${s.groups ? ` of ${s.groups}` : ''} groups had equal rewards (no GRPO signal)` : ''),
    `eval:   metric   before   after`,
    ...metrics.map((k) => `        ${k.padEnd(8)} ${score(s.before, k)}  ${score(s.after, k)}`),
  ]
  const delta = (d: EmDelta): string => `EM ${d.a.toFixed(1)} → ${d.b.toFixed(1)} (${d.delta >= 0 ? '+' : ''}${d.delta.toFixed(1)} points, 95 % CI [${d.low.toFixed(1)}, ${d.high.toFixed(1)}], ${d.pairs} questions, ${d.better} gained and ${d.worse} lost; ${d.low > 0 || d.high < 0 ? 'the interval excludes 0' : 'the interval includes 0: not significant'})`
  if (s.live) lines.push(`live:   this run's RL (${s.updates} of ${s.steps} steps updated the policy): ${delta(s.live)}`)
  if (s.committed) lines.push(`committed: datasets/policy-search-rl (${COMMITTED_RL_MADE}; scored live here): ${delta(s.committed)}`)
  return lines.join('\n')
}
