// Composable stop conditions: each looks at the episode state after a turn and may name a finish reason. The
// loop checks them in order (so `answerGiven` wins over `turnLimit` on the turn that answered).
import type {FINISH_REASONS} from '../core/index.js'

export type FinishReason = (typeof FINISH_REASONS)[number]

export interface EpisodeState {
  turns: number
  /** Tokens the model generated so far. */
  modelTokens: number
  answer: string | null
}

export type StopCondition = (state: Readonly<EpisodeState>) => FinishReason | undefined

export const answerGiven = (): StopCondition => (s) => (s.answer !== null ? 'answer' : undefined)

export const turnLimit = (maxTurns: number): StopCondition => {
  if (!Number.isInteger(maxTurns) || maxTurns < 1) throw new RangeError(`Expected maxTurns to be a positive integer, got ${maxTurns}`)
  return (s) => (s.turns >= maxTurns ? 'turn_limit' : undefined)
}

export const tokenBudget = (maxModelTokens: number): StopCondition => {
  if (!Number.isInteger(maxModelTokens) || maxModelTokens < 1) throw new RangeError(`Expected a positive token budget, got ${maxModelTokens}`)
  return (s) => (s.modelTokens >= maxModelTokens ? 'token_limit' : undefined)
}

export const abortedBy = (signal: AbortSignal): StopCondition => () => (signal.aborted ? 'aborted' : undefined)

export function firstStop(conditions: readonly StopCondition[], state: EpisodeState): FinishReason | undefined {
  for (const c of conditions) {
    const r = c(state)
    if (r) return r
  }
  return undefined
}
