// Prediction lines for `eval score`: `{id, prediction}` from any system (optional sample_index, seed, stats),
// or ars Trajectory records (question_id, answer, stats), so `ars rollout | ars eval score` works.
import {DataError} from '../core/index.js'
import type {JsonLine} from '../core/index.js'
import type {InvalidPolicy} from '../core/index.js'

export interface PredictionLine {
  id: string
  prediction: string | null
  sampleIndex: number
  seed?: number
  stats: Record<string, number>
  /** The prediction's benchmark (`benchmark` or `data_source`), to tell apart equal ids of a file mixing benchmarks. */
  benchmark?: string
  where: string
}

function parse(value: unknown, where: string): PredictionLine {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new DataError(`invalid prediction: expected a JSON object {id, prediction}, got ${Array.isArray(value) ? 'array' : typeof value}`, {where, code: 'prediction'})
  const v = value as Record<string, unknown>
  const isTrajectory = v.type === 'trajectory'
  const idValue = isTrajectory ? v.question_id : v.id
  if (typeof idValue !== 'string' && typeof idValue !== 'number') throw new DataError(`invalid prediction: ${isTrajectory ? 'question_id' : 'id'}: required field is missing (expected string)`, {where, code: 'prediction', fix: 'Each line is {"id": "<question id>", "prediction": "<answer text>"}.'})
  const raw = isTrajectory ? v.answer : 'prediction' in v ? v.prediction : v.answer
  if (raw !== null && raw !== undefined && typeof raw !== 'string' && typeof raw !== 'number') throw new DataError(`invalid prediction: prediction: expected string or null, got ${Array.isArray(raw) ? 'array' : typeof raw}`, {where, code: 'prediction'})
  if (raw === undefined && !isTrajectory) throw new DataError('invalid prediction: prediction: required field is missing (expected string or null)', {where, code: 'prediction', fix: 'Write "prediction": null for a question the system did not answer.'})
  if (v.sample_index !== undefined && !(typeof v.sample_index === 'number' && Number.isInteger(v.sample_index) && v.sample_index >= 0)) {
    throw new DataError(`invalid prediction: sample_index: expected a non-negative integer, got ${JSON.stringify(v.sample_index)}`, {where, code: 'prediction', fix: 'Write "sample_index": 0, 1, … (one per sample of the same question), or leave it out for one sample.'})
  }
  const sampleIndex = (v.sample_index as number | undefined) ?? 0
  if (v.seed !== undefined && !(typeof v.seed === 'number' && Number.isInteger(v.seed))) throw new DataError(`invalid prediction: seed: expected an integer, got ${JSON.stringify(v.seed)}`, {where, code: 'prediction'})
  if (v.stats !== undefined && (v.stats === null || typeof v.stats !== 'object' || Array.isArray(v.stats))) throw new DataError(`invalid prediction: stats: expected an object of numbers, got ${JSON.stringify(v.stats)}`, {where, code: 'prediction'})
  const stats: Record<string, number> = {}
  const s = (isTrajectory ? v.stats : v.stats) as Record<string, unknown> | undefined
  if (s && typeof s === 'object') for (const [k, x] of Object.entries(s)) if (typeof x === 'number' && Number.isFinite(x)) stats[k] = x
  const benchmark = typeof v.benchmark === 'string' ? v.benchmark : typeof v.data_source === 'string' ? v.data_source : undefined
  return {id: String(idValue), prediction: raw === null || raw === undefined ? null : String(raw), sampleIndex, ...(typeof v.seed === 'number' ? {seed: v.seed} : {}), stats, ...(benchmark ? {benchmark} : {}), where}
}

export type OnDuplicate = 'error' | 'first' | 'last'
export const ON_DUPLICATE_MODES: readonly OnDuplicate[] = ['error', 'first', 'last']

/**
 * One prediction per (id, sample_index): a second one is an error handled by `policy` ('error'; --on-invalid
 * skip|warn then keep the first), or silently resolved ('first' keeps the earlier line, 'last' the later one).
 * 'last' must see the whole input before it can emit anything, so it buffers; the others stream.
 */
export async function* uniquePredictions(predictions: AsyncIterable<PredictionLine>, mode: OnDuplicate, policy: InvalidPolicy): AsyncGenerator<PredictionLine> {
  const firstAt = new Map<string, string>()
  // A file mixing benchmarks reuses ids across them: the benchmark is part of the key.
  const keyOf = (p: PredictionLine): string => `${p.benchmark ?? ''}\u0000${p.id}\u0000${p.sampleIndex}`
  if (mode === 'last') {
    const latest = new Map<string, PredictionLine>()
    for await (const p of predictions) latest.set(keyOf(p), p)
    yield* latest.values()
    return
  }
  for await (const p of predictions) {
    const key = keyOf(p)
    const first = firstAt.get(key)
    if (first === undefined) {
      firstAt.set(key, p.where)
      yield p
      continue
    }
    if (mode === 'error') {
      policy.handle(new DataError(`duplicate prediction for id ${JSON.stringify(p.id)}, sample_index ${p.sampleIndex} (first at ${first})`, {where: p.where, code: 'duplicate', fix: 'Give each sample of a question its own sample_index, or pass --on-duplicate first|last to keep one.'}))
    }
  }
}

export async function* readPredictions(lines: AsyncIterable<JsonLine>, policy: InvalidPolicy): AsyncGenerator<PredictionLine> {
  for await (const {source, line, value} of lines) {
    const where = `${source}:${line}`
    try {
      yield parse(value, where)
    } catch (error) {
      if (error instanceof DataError) {
        policy.handle(error)
        continue
      }
      throw error
    }
  }
}
