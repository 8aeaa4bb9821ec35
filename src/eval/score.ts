// Scoring one prediction into an EvalResult: every rule metric of the benchmark, plus the judge when given.
// Shared by `ars eval` (agent answers) and `ars eval score` (predictions from any system).
import type {EvalResult, Question} from '../core/index.js'
import {metricVersions, scoreAnswer} from '../answer/index.js'
import type {LlmJudge} from './judge.js'

export interface ScoreContext {
  benchmark: string
  /** The questions come from a file mixing benchmarks: each result carries its question's own (`source`). */
  mixed?: boolean
  split: string
  model: string
  search: string
  seed: number
  /** Rule metrics to compute (names from METRICS). */
  metrics: readonly string[]
  judge?: LlmJudge
}

export interface Prediction {
  prediction: string | null
  sampleIndex?: number
  seed?: number
  stats?: Record<string, number>
  error?: string
  meta?: Record<string, unknown>
}

/** The benchmark a question's results are filed under. */
export function resultBenchmark(ctx: Pick<ScoreContext, 'benchmark' | 'mixed'>, question: Question): string {
  return ctx.mixed ? question.source : ctx.benchmark
}

export async function scorePrediction(question: Question, p: Prediction, ctx: ScoreContext): Promise<EvalResult> {
  const scores: Record<string, number | null> = {}
  for (const m of ctx.metrics) scores[m] = scoreAnswer(m, p.prediction, question.answers)
  const names = [...ctx.metrics]
  const meta: Record<string, unknown> = {...(p.meta ?? {})}
  if (ctx.judge) {
    const verdict = await ctx.judge.judge(question.question, question.answers, p.prediction)
    scores.judge = verdict.score
    names.push('judge')
    if (verdict.error) meta.judge_error = verdict.error
  }
  if (question.answers.length === 0) meta.no_gold = true
  return {
    type: 'eval_result',
    version: 1,
    id: question.id,
    benchmark: resultBenchmark(ctx, question),
    split: ctx.split,
    sample_index: p.sampleIndex ?? 0,
    model: ctx.model,
    search: ctx.search,
    seed: p.seed ?? ctx.seed,
    question: question.question,
    gold: question.answers,
    prediction: p.prediction,
    scores,
    metrics: metricVersions(names, ctx.judge?.version),
    ...(question.hops !== undefined ? {hops: question.hops} : {}),
    stats: p.stats ?? {},
    ...(p.error ? {error: p.error} : {}),
    meta,
  }
}
