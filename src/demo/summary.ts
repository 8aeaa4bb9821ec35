// What `ars demo` prints at the end: how many questions each data stage kept, the policy's scores before and after
// training, and the reward over training steps — read back from the stage files, so a resumed demo reports the same.
import {existsSync} from 'node:fs'
import {readJsonl} from '../core/jsonl.js'

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

async function trainingCurve(file: string): Promise<{rewards: number[]; zeroVarianceGroups: number; groups: number}> {
  const out = {rewards: [] as number[], zeroVarianceGroups: 0, groups: 0}
  if (!existsSync(file)) return out
  for await (const {value} of readJsonl(file)) {
    const m = (value as {metrics?: Record<string, number>}).metrics ?? {}
    if (typeof m.reward_mean === 'number') out.rewards.push(m.reward_mean)
    out.zeroVarianceGroups += m.zero_variance_groups ?? 0
    out.groups += m.groups ?? m.batch_questions ?? 0
  }
  return out
}

export async function summarize(files: {seeds: string; synth: string; train: string; before: string; after: string; metrics: string}): Promise<DemoSummary> {
  const {rewards, zeroVarianceGroups, groups} = await trainingCurve(files.metrics)
  return {
    zeroVarianceGroups,
    groups,
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
  return lines.join('\n')
}
