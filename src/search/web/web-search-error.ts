// WebSearchError: how a web search call failed, with a code the agent loop can turn into a tool-error text
// (`toolText()`) and the fix a user needs (a missing key, a disabled JSON format, a quota).
import {ArsError} from '../../core/index.js'

export type WebSearchErrorCode = 'missing-key' | 'bad-query' | 'http-status' | 'rate-limited' | 'timeout' | 'bad-response' | 'network' | 'aborted'

export class WebSearchError extends ArsError {
  override readonly code: WebSearchErrorCode
  /** HTTP status of the last attempt, when there was one. */
  readonly status: number | undefined

  constructor(code: WebSearchErrorCode, message: string, options: {fix?: string; cause?: unknown; status?: number} = {}) {
    super(code, message, {exit: code === 'missing-key' ? 2 : 1, fix: options.fix, cause: options.cause})
    this.name = 'WebSearchError'
    this.code = code
    this.status = options.status
  }

  toolText(): string {
    return `Search failed: ${this.message}`
  }
}
