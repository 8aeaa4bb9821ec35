// The record registry: every JSONL record type ars reads or writes, by name.
import {UsageError} from '../errors.js'
import type {RecordType} from './common.js'
import {EvalResultType} from './eval-result.js'
import {QuestionType} from './question.js'
import {SynthItemType} from './synth-item.js'
import {SftExampleType} from './sft-example.js'
import {TrainMetricType} from './train-metric.js'
import {TrajectoryType} from './trajectory.js'

export * from './common.js'
export * from './question.js'
export * from './synth-item.js'
export * from './trajectory.js'
export * from './eval-result.js'
export * from './train-metric.js'
export * from './sft-example.js'
export * from './formats.js'

export const RECORD_TYPES: readonly RecordType[] = [QuestionType, SynthItemType, TrajectoryType, EvalResultType, TrainMetricType, SftExampleType]

/** CLI spelling of a type: `synth_item` → `synth-item`. */
export function cliName(type: RecordType): string {
  return type.type.replace(/_/g, '-')
}

/** Look up by CLI name, type value or title, case-insensitively. */
export function recordType(name: string): RecordType {
  const key = name.trim().toLowerCase().replace(/-/g, '_')
  const found = RECORD_TYPES.find((t) => t.type === key || t.title.toLowerCase() === key.replace(/_/g, ''))
  if (!found) {
    throw new UsageError(`unknown record type ${JSON.stringify(name)}`, {code: 'record-type', fix: `Use one of: ${RECORD_TYPES.map(cliName).join(', ')}.`})
  }
  return found
}
