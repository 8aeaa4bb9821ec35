// The filter stage: each record goes through the cheap checks (field predicates, hop bounds,
// decontamination — all reasons collected), then near-duplicate removal, then the difficulty check (the only
// asynchronous one, run concurrently with output kept in input order). Kept records stream out unchanged;
// each rejected one is handed to `onReject` with every reason that applied.
import {DataError} from '../core/index.js'
import type {InvalidPolicy, JsonLine} from '../core/index.js'
import {parseRecord, QuestionType, SynthItemType, type Question, type SynthItem} from '../core/index.js'
import {ProgressTask, type ProgressCallback} from '../core/index.js'
import type {NearDuplicateIndex} from './dedupe.js'
import type {NgramIndex} from './decontaminate.js'
import {judgeDifficulty, type DifficultyOptions} from './difficulty.js'
import {orderedMap} from './ordered-map.js'
import type {Predicate} from './predicate.js'
import {FilterStats} from './stats.js'

export type FilterRecord = Question | SynthItem

export interface RejectReason {
  /** Stable reason code: where, min-hops, max-hops, hops-unknown, contaminated, duplicate, solved-without-tools, … */
  code: string
  detail: string
  [extra: string]: unknown
}

export interface Rejected {
  record: FilterRecord
  reasons: RejectReason[]
}

export interface FilterOptions {
  where?: readonly Predicate[]
  minHops?: number
  maxHops?: number
  decontaminate?: NgramIndex
  dedupe?: NearDuplicateIndex
  difficulty?: DifficultyOptions
  /** Questions checked for difficulty at once. Default 4. */
  concurrency?: number
  onReject?: (rejected: Rejected) => void | Promise<void>
  stats?: FilterStats
  progress?: ProgressCallback
  signal?: AbortSignal
}

/** Parse each line as a SynthItem when it says so, else as a Question (the record keeps its type). */
export async function* parseFilterInput(lines: AsyncIterable<JsonLine>, policy: InvalidPolicy): AsyncGenerator<FilterRecord> {
  for await (const {source, line, value} of lines) {
    const where = `${source}:${line}`
    try {
      const isSynth = value !== null && typeof value === 'object' && (value as {type?: unknown}).type === 'synth_item'
      yield isSynth ? parseRecord(SynthItemType, value, where) : parseRecord(QuestionType, value, where)
    } catch (error) {
      if (error instanceof DataError) {
        policy.handle(error)
        continue
      }
      throw error
    }
  }
}

function cheapReasons(record: FilterRecord, options: FilterOptions): RejectReason[] {
  const reasons: RejectReason[] = []
  for (const p of options.where ?? []) {
    const why = p.test(record as unknown as Record<string, unknown>)
    if (why !== undefined) reasons.push({code: 'where', detail: why, predicate: p.text})
  }
  if (options.minHops !== undefined || options.maxHops !== undefined) {
    if (record.hops === undefined) reasons.push({code: 'hops-unknown', detail: 'the record has no hops field, so --min-hops/--max-hops cannot be checked'})
    else {
      if (options.minHops !== undefined && record.hops < options.minHops) reasons.push({code: 'min-hops', detail: `hops ${record.hops} < --min-hops ${options.minHops}`})
      if (options.maxHops !== undefined && record.hops > options.maxHops) reasons.push({code: 'max-hops', detail: `hops ${record.hops} > --max-hops ${options.maxHops}`})
    }
  }
  if (options.decontaminate) {
    const m = options.decontaminate.check(record.question)
    if (m) reasons.push({code: 'contaminated', detail: `${m.matched}/${m.total} ${options.decontaminate.n}-grams shared with an eval set, e.g. "${m.example}" (${m.where})`, overlap: m.overlap, eval_where: m.where})
  }
  return reasons
}

export async function* filterRecords(records: AsyncIterable<FilterRecord>, options: FilterOptions = {}): AsyncGenerator<FilterRecord> {
  const stats = options.stats ?? new FilterStats()
  const task = new ProgressTask(options.progress, 'filter', undefined, 'records')
  const reject = async (record: FilterRecord, reasons: RejectReason[]): Promise<void> => {
    stats.reject(reasons.map((r) => r.code))
    await options.onReject?.({record, reasons})
  }

  async function* staticStage(): AsyncGenerator<{record: FilterRecord; reasons: RejectReason[]}> {
    for await (const record of records) {
      options.signal?.throwIfAborted()
      stats.seen++
      const reasons = cheapReasons(record, options)
      if (reasons.length === 0 && options.dedupe) {
        const dup = options.dedupe.add(record.id, record.question)
        if (dup) reasons.push({code: 'duplicate', detail: dup.exact ? `same normalised text as ${dup.of}` : `near-duplicate of ${dup.of} (estimated Jaccard ${dup.similarity.toFixed(2)} ≥ ${options.dedupe.threshold})`, of: dup.of, similarity: dup.similarity})
      }
      yield {record, reasons}
    }
  }

  const difficulty = options.difficulty
  const checked = difficulty && (difficulty.noTools || difficulty.withTools)
    ? orderedMap(staticStage(), async (item) => {
        if (item.reasons.length > 0) return item
        const verdict = await judgeDifficulty(item.record, difficulty, options.signal)
        if (verdict.reasons.length === 0 && Object.keys(verdict.stats).length > 0) {
          // Record the measured pass rates on kept items, so later stages can sort or re-filter by them.
          item.record.meta = {...item.record.meta, ...verdict.stats}
        }
        return {record: item.record, reasons: verdict.reasons}
      }, options.concurrency ?? 4)
    : staticStage()

  for await (const {record, reasons} of checked) {
    task.advance()
    if (reasons.length > 0) {
      await reject(record, reasons)
      continue
    }
    stats.kept++
    yield record
  }
  task.done()
}
