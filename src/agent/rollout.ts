// Rollout orchestration: questions × samples → episodes on a p-queue with backpressure, written in input
// order (or as completed), skipping ids already done (resume). Two signals: `stop` ends the intake (in-flight
// episodes finish), `abort` cancels in-flight episodes, which are then dropped, never written half.
import {setMaxListeners} from 'node:events'
import PQueue from 'p-queue'
import {ProgressTask, type ProgressCallback} from '../core/index.js'
import type {Question} from '../core/index.js'
import type {Trajectory} from '../core/index.js'
import {hashString} from '../core/index.js'
import {runEpisode, type EpisodeOptions} from './loop.js'

/** Runs one episode; the default is the agent loop (`runEpisode`), the world oracle is another. */
export type EpisodeRunner = (question: Question, options: {sampleIndex: number; seed: number; signal: AbortSignal}) => Promise<Trajectory>

export interface RolloutOptions extends Omit<EpisodeOptions, 'sampleIndex' | 'seed' | 'signal'> {
  /** Replaces the agent loop (e.g. the world oracle); model/tools options are then unused. */
  episode?: EpisodeRunner
  /** Samples per question (default 1). */
  samples?: number
  /** Episodes in flight (default 8). */
  concurrency?: number
  /** Base seed; each episode samples with a seed derived from (seed, question id, sample index). */
  seed?: number
  /** Write in input order (default true); false writes each trajectory as it completes. */
  ordered?: boolean
  /** In ordered mode, how far ahead of the oldest unfinished episode new ones may start (default 4 × concurrency). */
  reorderWindow?: number
  /** Trajectory ids (`question_id#sample`) to skip, e.g. those already in the output. */
  skip?: ReadonlySet<string>
  /** Stop taking new episodes; in-flight ones finish and are written. */
  stopSignal?: AbortSignal
  /** Cancel in-flight episodes; they are dropped. */
  abortSignal?: AbortSignal
  progress?: ProgressCallback
}

export function trajectoryId(questionId: string, sample: number): string {
  return `${questionId}#${sample}`
}

export function episodeSeed(seed: number, questionId: string, sample: number): number {
  return hashString(`${seed}/${questionId}/${sample}`) % 2_147_483_647
}

export interface RolloutSummary {
  started: number
  written: number
  skipped: number
  abandoned: number
  rewardSum: number
  rewarded: number
}

/** The summary a caller prints after the output is flushed and closed: `written` is what reached the output. */
export function rolloutDoneText(summary: RolloutSummary): string {
  return `${summary.written} written${summary.skipped ? `, ${summary.skipped} skipped (resume)` : ''}${summary.abandoned ? `, ${summary.abandoned} abandoned` : ''}${summary.rewarded ? `, mean reward ${(summary.rewardSum / summary.rewarded).toFixed(3)}` : ''}`
}

export async function* rollout(questions: AsyncIterable<Question>, options: RolloutOptions, summary: RolloutSummary = {started: 0, written: 0, skipped: 0, abandoned: 0, rewardSum: 0, rewarded: 0}): AsyncGenerator<Trajectory> {
  const samples = options.samples ?? 1
  const concurrency = options.concurrency ?? 8
  const ordered = options.ordered ?? true
  const window = options.reorderWindow ?? concurrency * 4
  if (!Number.isInteger(samples) || samples < 1) throw new RangeError(`Expected samples to be a positive integer, got ${samples}`)
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`Expected concurrency to be a positive integer, got ${concurrency}`)
  const queue = new PQueue({concurrency})
  const internal = new AbortController()
  const signal = options.abortSignal ? AbortSignal.any([options.abortSignal, internal.signal]) : internal.signal
  // Every episode and tool call listens on this one signal; hundreds in flight are expected, not a leak.
  setMaxListeners(0, signal, internal.signal, ...(options.abortSignal ? [options.abortSignal] : []))
  const task = new ProgressTask(options.progress, 'rollout', undefined, 'episodes')
  const results = new Map<number, Trajectory | null>()
  let nextOut = 0
  let produced = 0
  let producing = true
  let fatal: {error: unknown} | undefined
  let inputError: {error: unknown} | undefined
  let wake: () => void = () => {}
  let wakeProducer: () => void = () => {}
  const checkFatal = (): void => {
    if (fatal) throw fatal.error
  }
  const changed = (): Promise<void> => new Promise((resolve) => (wake = resolve))

  const finished = (seq: number, t: Trajectory | null): void => {
    results.set(seq, t)
    if (t) {
      summary.written++
      if (t.reward !== null) {
        summary.rewardSum += t.reward
        summary.rewarded++
      }
      task.advance(1, summary.rewarded ? `reward ${(summary.rewardSum / summary.rewarded).toFixed(3)}` : undefined)
    } else summary.abandoned++
    wake()
    wakeProducer()
  }

  const producer = (async () => {
    try {
      outer: for await (const question of untilAborted(questions, options.stopSignal, signal)) {
        for (let s = 0; s < samples; s++) {
          if (options.stopSignal?.aborted || signal.aborted || fatal) break outer
          if (options.skip?.has(trajectoryId(question.id, s))) {
            summary.skipped++
            continue
          }
          await queue.onSizeLessThan(concurrency)
          while (ordered && produced - nextOut >= window && !signal.aborted && !fatal) await new Promise<void>((resolve) => (wakeProducer = resolve))
          if (options.stopSignal?.aborted || signal.aborted || fatal) break outer
          const seq = produced++
          summary.started++
          void queue.add(async () => {
            if (signal.aborted) return finished(seq, null)
            try {
              const seed = episodeSeed(options.seed ?? 0, question.id, s)
              const t = options.episode ? await options.episode(question, {sampleIndex: s, seed, signal}) : await runEpisode(question, {...options, sampleIndex: s, seed, signal})
              finished(seq, t.finish_reason === 'aborted' ? null : t)
            } catch (error) {
              fatal ??= {error}
              internal.abort(error)
              finished(seq, null)
            }
          })
        }
      }
    } catch (error) {
      inputError = {error}
    } finally {
      await queue.onIdle()
      producing = false
      wake()
    }
  })()

  try {
    // After a fatal episode error no new episode starts and those in flight are aborted, but every trajectory
    // already finished is still written (in order) before the error is thrown: nothing done is lost.
    for (;;) {
      if (ordered) {
        while (results.has(nextOut)) {
          const t = results.get(nextOut)
          results.delete(nextOut)
          nextOut++
          wakeProducer()
          if (t) yield t
        }
      } else {
        for (const [seq, t] of results) {
          results.delete(seq)
          nextOut++
          wakeProducer()
          if (t) yield t
        }
      }
      if (!producing && results.size === 0 && nextOut >= produced) break
      const next = changed()
      if (results.size > 0 && (ordered ? results.has(nextOut) : true)) continue
      if (!producing && results.size === 0 && nextOut >= produced) break
      await next
    }
    checkFatal()
    if (inputError) throw inputError.error
    // No `done` event here: the caller reports it once the trajectories are written (rolloutDoneText).
  } finally {
    // The consumer stopped early (error, or `| head`): cancel what is running and let the queue drain.
    if (producing) {
      internal.abort(new DOMException('rollout stopped', 'AbortError'))
      queue.clear()
      wakeProducer()
      await producer
    }
  }
}

/** Iterates until either signal fires, without waiting for a slow source (a terminal on stdin) to yield. */
async function* untilAborted<T>(items: AsyncIterable<T>, ...signals: Array<AbortSignal | undefined>): AsyncGenerator<T> {
  const live = signals.filter((s): s is AbortSignal => s !== undefined)
  const iterator = items[Symbol.asyncIterator]()
  const stopped = new Promise<'stop'>((resolve) => {
    for (const s of live) {
      if (s.aborted) resolve('stop')
      else s.addEventListener('abort', () => resolve('stop'), {once: true})
    }
  })
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), stopped])
      if (next === 'stop' || next.done) return
      yield next.value
    }
  } finally {
    void iterator.return?.()?.catch?.(() => {})
  }
}
