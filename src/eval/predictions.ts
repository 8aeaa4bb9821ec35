// Prediction lines for `eval score`: `{id, prediction}` from any system (optional sample_index, seed, stats),
// or ars Trajectory records (question_id, answer, stats), so `ars rollout | ars eval score` works.
import {DataError} from '../core/errors.js'
import type {JsonLine} from '../core/jsonl.js'
import type {InvalidPolicy} from '../core/jsonl.js'

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
  const sampleIndex = typeof v.sample_index === 'number' && Number.isInteger(v.sample_index) && v.sample_index >= 0 ? v.sample_index : 0
  const stats: Record<string, number> = {}
  const s = (isTrajectory ? v.stats : v.stats) as Record<string, unknown> | undefined
  if (s && typeof s === 'object') for (const [k, x] of Object.entries(s)) if (typeof x === 'number' && Number.isFinite(x)) stats[k] = x
  const benchmark = typeof v.benchmark === 'string' ? v.benchmark : typeof v.data_source === 'string' ? v.data_source : undefined
  return {id: String(idValue), prediction: raw === null || raw === undefined ? null : String(raw), sampleIndex, ...(typeof v.seed === 'number' ? {seed: v.seed} : {}), stats, ...(benchmark ? {benchmark} : {}), where}
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
