// Errors a LanguageModel raises that callers act on: a prompt longer than the context (the agent finishes the
// episode with finish_reason context_overflow) versus backend failures that stop a whole run.
import {ArsError} from '../core/index.js'

export class ContextOverflowError extends ArsError {
  readonly promptTokens: number | undefined
  readonly contextLength: number | undefined

  constructor(message: string, options: {promptTokens?: number; contextLength?: number; fix?: string} = {}) {
    super('context-overflow', message, {fix: options.fix ?? 'Lower --max-turns or the per-turn token budget, or use a model with a longer context.'})
    this.name = 'ContextOverflowError'
    this.promptTokens = options.promptTokens
    this.contextLength = options.contextLength
  }
}

/** A whole-run failure of the model backend (unreachable, auth, missing capability): never per-episode. */
export class ModelBackendError extends ArsError {
  constructor(code: string, message: string, fix: string, cause?: unknown) {
    super(code, message, {fix, cause})
    this.name = 'ModelBackendError'
  }
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || (error as {code?: string}).code === 'ABORT_ERR')
}
