// The one retry loop of every HTTP client (web search, the retrieval-server client, OpenAI-compatible models):
// attempt → on a retryable failure wait (exponential backoff with ±25 % jitter, or the server's retry-after when it
// gives one) → try again, up to `retries` more times; a retry-after longer than allowed fails at once. Each client
// keeps what is its own: how one attempt goes and the words of its errors.
import {sleep as abortableSleep} from './sleep.js'

export interface RetryOptions {
  /** Attempts after the first (default 3; 0 = no retry). */
  retries?: number
  /** First backoff, doubled per retry (default 500 ms). */
  backoffMs?: number
  /** Largest backoff (default 8000 ms). */
  maxBackoffMs?: number
  /** A server asking to wait longer than this fails the call at once (default 60 000 ms). */
  maxRetryAfterMs?: number
  /** Jitter source in [0, 1) (tests inject it; default Math.random). */
  random?: () => number
  /** The wait (tests inject it; default an abortable setTimeout). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

export const RETRY_DEFAULTS = Object.freeze({retries: 3, backoffMs: 500, maxBackoffMs: 8000, maxRetryAfterMs: 60_000})

/** Statuses worth another try: timeouts, conflicts, rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500
}

/** The wait before retry number `attempt + 1` (attempt counts from 0). */
export function backoffDelay(attempt: number, options: RetryOptions = {}): number {
  const base = options.backoffMs ?? RETRY_DEFAULTS.backoffMs
  const max = options.maxBackoffMs ?? RETRY_DEFAULTS.maxBackoffMs
  return Math.min(max, base * 2 ** attempt) * (0.75 + 0.5 * (options.random ?? Math.random)())
}

/** What one attempt came to: a value, or a problem with whether it is worth another try. */
export type AttemptOutcome<T, P> = {ok: true; value: T} | {ok: false; retry: boolean; retryAfterMs?: number; problem: P}

export interface RetryCall<P> extends RetryOptions {
  signal?: AbortSignal
  /** The error for a server that asks to wait longer than `maxRetryAfterMs`. */
  waitTooLong(retryAfterMs: number, maxRetryAfterMs: number, problem: P): Error
  /** The error after the last attempt (`attempts` made in all), or for a problem not worth retrying. */
  giveUp(problem: P, attempts: number, retryable: boolean): Error
}

/** Checks the retry options eagerly: "Expected X, got Y" naming the option. */
export function checkRetryOptions(options: RetryOptions, where: string): void {
  for (const key of ['retries', 'backoffMs', 'maxBackoffMs', 'maxRetryAfterMs'] as const) {
    const value = options[key]
    if (value !== undefined && !(typeof value === 'number' && value >= 0 && !Number.isNaN(value))) throw new RangeError(`${where}: expected ${key} to be a number ≥ 0, got ${String(value)}`)
  }
}

/** Runs `attempt` until it succeeds, a problem is not retryable, or the retries are spent. Aborts with `signal`. */
export async function withRetries<T, P>(attempt: (index: number) => Promise<AttemptOutcome<T, P>>, call: RetryCall<P>): Promise<T> {
  const retries = call.retries ?? RETRY_DEFAULTS.retries
  const maxRetryAfterMs = call.maxRetryAfterMs ?? RETRY_DEFAULTS.maxRetryAfterMs
  const wait = call.sleep ?? abortableSleep
  for (let index = 0; ; index++) {
    call.signal?.throwIfAborted()
    const outcome = await attempt(index)
    if (outcome.ok) return outcome.value
    if (!outcome.retry) throw call.giveUp(outcome.problem, index + 1, false)
    if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > maxRetryAfterMs) throw call.waitTooLong(outcome.retryAfterMs, maxRetryAfterMs, outcome.problem)
    if (index >= retries) throw call.giveUp(outcome.problem, index + 1, true)
    await wait(outcome.retryAfterMs ?? backoffDelay(index, call), call.signal)
  }
}
