// Difficulty by pass rate: a Solver answers a question K times (an agent with tools, or the model alone),
// and the filter keeps questions whose pass rate lies in a range (ASearcher keeps 0 < pass@k < 1), or
// drops those the model answers without tools.
import {matchesAnyGold, type Solver} from '../answer/index.js'
import type {PassRange} from './pass-range.js'

export interface PassRateResult {
  passes: number
  samples: number
  rate: number
  answers: (string | null)[]
}

export async function passRate(solver: Solver, item: {id: string; question: string; answers: readonly string[]}, samples: number, signal?: AbortSignal): Promise<PassRateResult> {
  const answers = await Promise.all(Array.from({length: samples}, (_, sample) => solver.solve({id: item.id, question: item.question, answers: item.answers, sample, signal})))
  const passes = answers.filter((a) => matchesAnyGold(a, item.answers)).length
  return {passes, samples, rate: passes / samples, answers}
}

export interface DifficultyOptions {
  /** Agent with tools; keep when its pass rate lies in `range`. */
  withTools?: {solver: Solver; samples: number; range: PassRange}
  /** The model alone; drop when it answers correctly in any sample. */
  noTools?: {solver: Solver; samples: number}
}

export interface DifficultyVerdict {
  reasons: {code: string; detail: string; pass_rate?: number}[]
  stats: Record<string, number>
}

export async function judgeDifficulty(item: {id: string; question: string; answers: readonly string[]}, options: DifficultyOptions, signal?: AbortSignal): Promise<DifficultyVerdict> {
  const reasons: DifficultyVerdict['reasons'] = []
  const stats: Record<string, number> = {}
  if (item.answers.length === 0) {
    return {reasons: [{code: 'no-answers', detail: 'the record has no gold answers, so a pass rate cannot be measured'}], stats}
  }
  if (options.noTools) {
    const r = await passRate(options.noTools.solver, item, options.noTools.samples, signal)
    stats.no_tool_pass_rate = r.rate
    if (r.passes > 0) reasons.push({code: 'solved-without-tools', detail: `${options.noTools.solver.id} answered correctly without tools in ${r.passes}/${r.samples} samples`, pass_rate: r.rate})
  }
  if (options.withTools && reasons.length === 0) {
    const r = await passRate(options.withTools.solver, item, options.withTools.samples, signal)
    stats.pass_rate = r.rate
    if (!options.withTools.range.contains(r.rate)) {
      const code = r.rate === 0 ? 'never-solved' : r.rate === 1 ? 'always-solved' : 'pass-rate-out-of-range'
      reasons.push({code, detail: `pass rate ${r.passes}/${r.samples} = ${r.rate.toFixed(3)} outside ${options.withTools.range.text} (${options.withTools.solver.id})`, pass_rate: r.rate})
    }
  }
  return {reasons, stats}
}
