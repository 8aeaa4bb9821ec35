// The synthesis driver: seeds in, SynthItems out in seed order, with bounded concurrency (p-queue via
// orderedMap), retries with backoff when a tool is down (the seed is retried later, and rejected with the
// reason only after the last try — never dropped silently), rejects with reasons, and progress.
import {Rng} from '../core/index.js'
import {ProgressTask, type ProgressCallback} from '../core/index.js'
import type {Question, SynthItem} from '../core/index.js'
import {orderedMap} from '../filter/index.js'
import {ToolUnavailableError, type SynthEngine, type SynthOutcome, type SynthReason} from './engine.js'
import {SynthStats} from './stats.js'
import {sleep} from '../core/index.js'

export interface SynthRejected {
  record: Question
  reasons: SynthReason[]
  /** How far the item got before it was rejected (edit history, checks). */
  partial?: SynthItem
}

export interface RunSynthesisOptions {
  engine: SynthEngine
  seed?: number
  /** Seeds in flight at once. Default 2. */
  concurrency?: number
  /** Tries per seed when a tool is down. Default 4. */
  maxTries?: number
  /** First retry delay (doubles each time). Default 1000 ms. */
  retryDelayMs?: number
  /** Seed ids to skip (already in the output or rejects: --resume). */
  done?: ReadonlySet<string>
  onReject?: (rejected: SynthRejected) => void | Promise<void>
  stats?: SynthStats
  progress?: ProgressCallback
  signal?: AbortSignal
  total?: number
}


export async function* runSynthesis(seeds: AsyncIterable<Question>, options: RunSynthesisOptions): AsyncGenerator<SynthItem> {
  const stats = options.stats ?? new SynthStats()
  const task = new ProgressTask(options.progress, 'synthesize', options.total, 'seeds')
  const maxTries = options.maxTries ?? 4
  const baseDelay = options.retryDelayMs ?? 1000
  const root = new Rng(options.seed ?? 0)

  async function* pending(): AsyncGenerator<Question> {
    for await (const s of seeds) {
      if (options.done?.has(s.id)) {
        stats.skippedResume++
        continue
      }
      yield s
    }
  }

  const results = orderedMap(pending(), async (seed): Promise<{seed: Question; result: SynthOutcome}> => {
    for (let attempt = 1; ; attempt++) {
      try {
        // Each seed's choices depend only on (--seed, seed id): output is the same at any concurrency.
        return {seed, result: await options.engine.synthesize(seed, {rng: root.fork(seed.id), signal: options.signal})}
      } catch (error) {
        if (!(error instanceof ToolUnavailableError)) throw error
        if (attempt >= maxTries) {
          return {seed, result: {kind: 'reject', reasons: [{code: 'tool-unavailable', detail: `${error.tool} still failing after ${attempt} tries: ${error.message}`, tool: error.tool}]}}
        }
        stats.retried++
        const delay = baseDelay * 2 ** (attempt - 1)
        options.progress?.({kind: 'log', level: 'warn', message: `${seed.id}: ${error.tool} unavailable (${error.message}); retrying in ${delay} ms (try ${attempt + 1}/${maxTries})`})
        await sleep(delay, options.signal)
      }
    }
  }, options.concurrency ?? 2)

  for await (const {seed, result} of results) {
    stats.seeds++
    task.advance(1)
    if (result.kind === 'item') {
      stats.keep(result.item)
      yield result.item
    } else {
      stats.reject(result.reasons.map((r) => r.code))
      await options.onReject?.({record: seed, reasons: result.reasons, ...(result.partial ? {partial: result.partial} : {})})
    }
  }
  task.done()
}
