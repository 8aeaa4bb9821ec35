// The eval loop: every question × k samples goes through an Answerer (the agent, or a closed-book model),
// is scored, and comes out as EvalResult in input order. Bounded concurrency, resumable (finished
// (benchmark, id, sample) keys are skipped), each sample seeded `seed + sample_index`.
import type {EvalResult, Question} from '../core/index.js'
import {ProgressTask, type ProgressCallback} from '../core/index.js'
import {resultBenchmark, scorePrediction, type ScoreContext} from './score.js'

export interface AnswerResult {
  answer: string | null
  /** turns, tokens, tool_calls, wall_ms … (numbers only) — drive the report's plots. */
  stats: Record<string, number>
  /** Set when the episode failed; the row is still written (prediction null, scores 0). */
  error?: string
  meta?: Record<string, unknown>
}

export interface SampleInfo {
  index: number
  seed: number
  signal: AbortSignal
}

/** Answers one question once. Implementations must not throw for a per-question failure: return `error`. */
export type Answerer = (question: Question, sample: SampleInfo) => Promise<AnswerResult>

export interface RunOptions {
  answerer: Answerer
  score: ScoreContext
  /** Samples per question (-k), default 1. */
  k?: number
  /** Episodes in flight, default 1. */
  concurrency?: number
  /** `${benchmark}\0${id}\0${sample}` keys already done (--resume). */
  done?: ReadonlySet<string>
  onProgress?: ProgressCallback
  signal?: AbortSignal
}

export const resultKey = (benchmark: string, id: string, sample: number): string => `${benchmark}\u0000${id}\u0000${sample}`

/** Runs and yields results in (question, sample) order while up to `concurrency` episodes run. */
export async function* runEval(questions: readonly Question[], options: RunOptions): AsyncGenerator<EvalResult> {
  const k = options.k ?? 1
  const concurrency = options.concurrency ?? 1
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`Expected k >= 1, got ${k}`)
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new RangeError(`Expected concurrency >= 1, got ${concurrency}`)
  const jobs: {q: Question; sample: number}[] = []
  for (const q of questions) for (let s = 0; s < k; s++) if (!options.done?.has(resultKey(resultBenchmark(options.score, q), q.id, s))) jobs.push({q, sample: s})
  const task = new ProgressTask(options.onProgress, `eval ${options.score.benchmark}`, jobs.length, 'episodes')
  const controller = new AbortController()
  const outer = options.signal
  const onAbort = (): void => controller.abort(outer?.reason)
  outer?.addEventListener('abort', onAbort, {once: true})
  const results = new Map<number, EvalResult>()
  const waiters = new Map<number, () => void>()
  let next = 0
  let failure: unknown
  const worker = async (): Promise<void> => {
    while (next < jobs.length && failure === undefined) {
      const i = next++
      const {q, sample} = jobs[i] as {q: Question; sample: number}
      const seed = options.score.seed + sample
      let answer: AnswerResult
      try {
        answer = await options.answerer(q, {index: sample, seed, signal: controller.signal})
      } catch (error) {
        if (controller.signal.aborted) {
          failure ??= error
          waiters.get(i)?.()
          return
        }
        answer = {answer: null, stats: {}, error: (error as Error).message}
      }
      try {
        results.set(i, await scorePrediction(q, {prediction: answer.answer, sampleIndex: sample, seed, stats: answer.stats, ...(answer.error ? {error: answer.error} : {}), ...(answer.meta ? {meta: answer.meta} : {})}, options.score))
      } catch (error) {
        failure ??= error
      }
      task.advance(1)
      waiters.get(i)?.()
    }
  }
  const workers = Array.from({length: Math.min(concurrency, Math.max(1, jobs.length))}, () => worker())
  const all = Promise.all(workers)
  try {
    for (let i = 0; i < jobs.length; i++) {
      if (!results.has(i) && failure === undefined) {
        await Promise.race([new Promise<void>((resolve) => waiters.set(i, resolve)), all])
      }
      if (failure !== undefined) throw failure
      const r = results.get(i)
      if (!r) throw new Error(`internal: result ${i} missing`)
      results.delete(i)
      waiters.delete(i)
      yield r
    }
    task.done()
  } finally {
    if (next < jobs.length || failure !== undefined) controller.abort(new Error('eval stopped'))
    outer?.removeEventListener('abort', onAbort)
    await all.catch(() => {})
  }
}
