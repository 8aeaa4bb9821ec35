// The eval loop: every question × k samples goes through an Answerer (the agent, or a closed-book model),
// is scored, and comes out as EvalResult in input order. Bounded concurrency, resumable (finished
// (benchmark, id, sample) keys are skipped), each sample seeded by the one episode seed rule.
import type {EvalResult, Question} from '../core/index.js'
import {ProgressTask, runEpisodes, type ProgressCallback} from '../core/index.js'
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

/**
 * Runs and yields results in (question, sample) order while up to `concurrency` episodes run, through the one
 * episode scheduler (src/core/episodes.ts) and its seed rule: sample i of question q is seeded
 * episodeSeed(--seed, q.id, i), as in rollout, filter and train.
 */
export async function* runEval(questions: readonly Question[], options: RunOptions): AsyncGenerator<EvalResult> {
  const k = options.k ?? 1
  const concurrency = options.concurrency ?? 1
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`Expected k >= 1, got ${k}`)
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new RangeError(`Expected concurrency >= 1, got ${concurrency}`)
  const done = options.done
  const isDone = (q: Question, sample: number): boolean => done?.has(resultKey(resultBenchmark(options.score, q), q.id, sample)) ?? false
  let jobs = 0
  for (const q of questions) for (let s = 0; s < k; s++) if (!isDone(q, s)) jobs++
  const task = new ProgressTask(options.onProgress, `eval ${options.score.benchmark}`, jobs, 'episodes')
  yield* runEpisodes<Question, EvalResult>(questions, async ({question: q, sample, seed, signal}) => {
    let answer: AnswerResult
    try {
      answer = await options.answerer(q, {index: sample, seed, signal})
    } catch (error) {
      // A failed answer is a row (prediction null, the error kept); only a stopped run is an error.
      if (signal.aborted) throw error
      answer = {answer: null, stats: {}, error: (error as Error).message}
    }
    const row = await scorePrediction(q, {prediction: answer.answer, sampleIndex: sample, seed, stats: answer.stats, ...(answer.error ? {error: answer.error} : {}), ...(answer.meta ? {meta: answer.meta} : {})}, options.score)
    task.advance(1)
    return row
  }, {samples: k, concurrency, seed: options.score.seed, skip: (_key, sample, q) => isDone(q, sample), ...(options.signal ? {abortSignal: options.signal} : {})})
  options.signal?.throwIfAborted()
  task.done()
}
