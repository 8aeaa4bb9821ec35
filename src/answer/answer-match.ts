// Is a predicted answer correct? Exact match (SQuAD normalisation, ./metrics.ts) against any gold answer. Used by
// the difficulty filter and the synthesis difficulty and uniqueness checks.
import {scoreAnswer} from './metrics.js'

export function matchesAnyGold(prediction: string | null | undefined, golds: readonly string[]): boolean {
  if (prediction === null || prediction === undefined || prediction.trim() === '') return false
  return (scoreAnswer('em', prediction, golds) ?? 0) === 1
}
