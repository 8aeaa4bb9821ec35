// The one episode scheduler: questions × samples → episodes on a p-queue with backpressure, results in input order
// (or as completed), with one seed rule and one trajectory id. Rollout, eval, the filter's and synthesis' ordered
// maps all run through it. Two signals: `stopSignal` ends the intake (in-flight episodes finish and are yielded),
// `abortSignal` cancels in-flight episodes, which are then dropped, never yielded half.
import {setMaxListeners} from 'node:events'
import PQueue from 'p-queue'
import {hashString} from './rng.js'

/** The id of sample `sample` of question `questionId`: `question_id#sample` (Trajectory.id, resume keys). */
export function trajectoryId(questionId: string, sample: number): string {
  return `${questionId}#${sample}`
}

/**
 * The one seed rule: sample `sample` of the episode keyed `key` (a question id; training adds `@group` because one
 * question recurs across epochs) under the run's `seed`. A function of (seed, key, sample) only, so output does not
 * depend on concurrency or on which other questions run.
 */
export function episodeSeed(seed: number, key: string, sample: number): number {
  return hashString(`${seed}/${key}/${sample}`) % 2_147_483_647
}

export interface Episode<Q> {
  question: Q
  /** Sample index within the question (0 … samples − 1). */
  sample: number
  /** episodeSeed(options.seed, keyOf(question), sample). */
  seed: number
  /** Aborts with `abortSignal`, when the consumer stops early, or after another episode threw. */
  signal: AbortSignal
}

export interface RunEpisodesOptions<Q> {
  /** The question's id, for the seed and `skip` (default `question.id`). */
  keyOf?: (question: Q) => string
  /** Samples per question (default 1). */
  samples?: number
  /** Episodes in flight (default 8). */
  concurrency?: number
  /** Base seed of the seed rule (default 0). */
  seed?: number
  /** Yield in input order (default true); false yields each result as it completes. */
  ordered?: boolean
  /** In ordered mode, how far ahead of the oldest unfinished episode new ones may start (default 4 × concurrency). */
  reorderWindow?: number
  /** Episodes to skip (resume), by trajectory id `key#sample`. */
  skip?: (key: string, sample: number, question: Q) => boolean
  /** Told once per skipped episode. */
  onSkip?: () => void
  /** Told when an episode starts and when one is dropped (aborted, or returned null). */
  onStart?: () => void
  onDrop?: () => void
  /** Stop taking new episodes; in-flight ones finish and are yielded. */
  stopSignal?: AbortSignal
  /** Cancel in-flight episodes; they are dropped. */
  abortSignal?: AbortSignal
}

/**
 * Runs `episode` for every (question, sample) and yields the non-null results. An episode that throws stops the
 * intake and aborts those in flight; every result already finished is still yielded (in order) before the error
 * is thrown, so nothing done is lost. A consumer that stops early (error, `| head`) aborts what is running.
 */
export async function* runEpisodes<Q, R>(questions: AsyncIterable<Q> | Iterable<Q>, episode: (e: Episode<Q>) => Promise<R | null>, options: RunEpisodesOptions<Q> = {}): AsyncGenerator<R> {
  const samples = options.samples ?? 1
  const concurrency = options.concurrency ?? 8
  const ordered = options.ordered ?? true
  const window = options.reorderWindow ?? concurrency * 4
  const keyOf = options.keyOf ?? ((q: Q) => (q as {id: string}).id)
  if (!Number.isInteger(samples) || samples < 1) throw new RangeError(`Expected samples to be a positive integer, got ${samples}`)
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`Expected concurrency to be a positive integer, got ${concurrency}`)
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`Expected reorderWindow to be a positive integer, got ${window}`)
  const queue = new PQueue({concurrency})
  const internal = new AbortController()
  const signal = options.abortSignal ? AbortSignal.any([options.abortSignal, internal.signal]) : internal.signal
  // Every episode and tool call listens on this one signal; hundreds in flight are expected, not a leak.
  setMaxListeners(0, signal, internal.signal, ...(options.abortSignal ? [options.abortSignal] : []))
  const results = new Map<number, R | null>()
  let nextOut = 0
  let produced = 0
  let producing = true
  let fatal: {error: unknown} | undefined
  let inputError: {error: unknown} | undefined
  let wake: () => void = () => {}
  let wakeProducer: () => void = () => {}
  const changed = (): Promise<void> => new Promise((resolve) => (wake = resolve))
  const finished = (seq: number, r: R | null): void => {
    results.set(seq, r)
    if (r === null) options.onDrop?.()
    wake()
    wakeProducer()
  }

  const producer = (async () => {
    try {
      outer: for await (const question of untilAborted(questions, options.stopSignal, signal)) {
        const key = keyOf(question)
        for (let s = 0; s < samples; s++) {
          if (options.stopSignal?.aborted || signal.aborted || fatal) break outer
          if (options.skip?.(key, s, question)) {
            options.onSkip?.()
            continue
          }
          await queue.onSizeLessThan(concurrency)
          while (ordered && produced - nextOut >= window && !signal.aborted && !fatal) await new Promise<void>((resolve) => (wakeProducer = resolve))
          if (options.stopSignal?.aborted || signal.aborted || fatal) break outer
          const seq = produced++
          options.onStart?.()
          const seed = episodeSeed(options.seed ?? 0, key, s)
          void queue.add(async () => {
            if (signal.aborted) return finished(seq, null)
            try {
              finished(seq, await episode({question, sample: s, seed, signal}))
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
    for (;;) {
      if (ordered) {
        while (results.has(nextOut)) {
          const r = results.get(nextOut)
          results.delete(nextOut)
          nextOut++
          wakeProducer()
          if (r !== null && r !== undefined) yield r
        }
      } else {
        for (const [seq, r] of results) {
          results.delete(seq)
          nextOut++
          wakeProducer()
          if (r !== null && r !== undefined) yield r
        }
      }
      if (!producing && results.size === 0 && nextOut >= produced) break
      const next = changed()
      if (results.size > 0 && (ordered ? results.has(nextOut) : true)) continue
      if (!producing && results.size === 0 && nextOut >= produced) break
      await next
    }
    if (fatal) throw fatal.error
    if (inputError) throw inputError.error
  } finally {
    if (producing) {
      internal.abort(new DOMException('episodes stopped', 'AbortError'))
      queue.clear()
      wakeProducer()
      await producer
    }
  }
}

/** Iterates until either signal fires, without waiting for a slow source (a terminal on stdin) to yield. */
async function* untilAborted<T>(items: AsyncIterable<T> | Iterable<T>, ...signals: Array<AbortSignal | undefined>): AsyncGenerator<T> {
  const live = signals.filter((s): s is AbortSignal => s !== undefined)
  const iterator: AsyncIterator<T> | Iterator<T> = Symbol.asyncIterator in items ? (items as AsyncIterable<T>)[Symbol.asyncIterator]() : (items as Iterable<T>)[Symbol.iterator]()
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
    void Promise.resolve(iterator.return?.()).catch(() => {})
  }
}
