// ReadError: every way reading a page can fail, with a code the agent loop and `ars read` can act on and a
// message short enough to hand back to the model as a tool-error text.
import {ArsError} from '../core/index.js'

export type ReadErrorCode =
  | 'bad-url'
  | 'unsupported-scheme'
  | 'blocked-address'
  | 'dns'
  | 'network'
  | 'timeout'
  | 'over-budget'
  | 'aborted'
  | 'too-many-redirects'
  | 'http-status'
  | 'unsupported-content-type'
  | 'empty'

export class ReadError extends ArsError {
  override readonly code: ReadErrorCode
  readonly url: string

  constructor(code: ReadErrorCode, url: string, message: string, options: {fix?: string; cause?: unknown} = {}) {
    super(code, `${url}: ${message}`, {exit: 1, ...options})
    this.name = 'ReadError'
    this.code = code
    this.url = url
  }

  /** What the agent sees inside <information> when `access` fails. */
  toolText(): string {
    return `Error reading ${this.message}`
  }
}

export function isReadError(error: unknown): error is ReadError {
  return error instanceof ReadError
}
