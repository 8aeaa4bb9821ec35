// The HTTP layer of the web search providers: every attempt goes through one p-queue (concurrency and rate
// limit), has its own timeout, shares the caller's AbortSignal, and failed attempts (429, 5xx, 408, network,
// timeout) are retried by the one HTTP retry loop (src/core/http-retry.ts: backoff with jitter, or what
// `retry-after` asks; a retry-after longer than allowed fails at once instead of stalling the agent).
import PQueue from 'p-queue'
import {WebSearchError} from './web-search-error.js'
import {checkRetryOptions, isRetryableStatus, withRetries, type AttemptOutcome, type RetryOptions} from '../../core/index.js'
import {retryAfterFromHeaders} from '../../core/index.js'

export interface JsonClientOptions extends RetryOptions {
  /** Per-attempt timeout. Default 10000 ms. */
  timeoutMs?: number
  /** Requests in flight at once. Default 4. */
  concurrency?: number
  /** Requests started per second at most (a rolling window). Default 10; Infinity disables. */
  ratePerSecond?: number
  fetch?: typeof fetch
}

export interface JsonRequest {
  url: string
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: unknown
  /** Names the service in messages, e.g. "Serper". */
  service: string
}

export class JsonClient {
  readonly #queue: PQueue
  readonly #timeoutMs: number
  readonly #retry: RetryOptions
  readonly #fetch: typeof fetch
  /** Attempts made (network requests), for tests and stats. */
  attempts = 0

  constructor(options: JsonClientOptions = {}) {
    const positive = (name: string, value: number, min = 0): number => {
      if (!(value >= min) || Number.isNaN(value)) throw new RangeError(`Expected ${name} ≥ ${min}, got ${value}`)
      return value
    }
    this.#timeoutMs = positive('timeoutMs', options.timeoutMs ?? 10_000, 1)
    checkRetryOptions(options, 'JsonClient')
    this.#retry = {retries: options.retries, backoffMs: options.backoffMs, maxBackoffMs: options.maxBackoffMs, maxRetryAfterMs: options.maxRetryAfterMs, random: options.random, sleep: options.sleep}
    const rate = positive('ratePerSecond', options.ratePerSecond ?? 10, Number.MIN_VALUE)
    const concurrency = positive('concurrency', options.concurrency ?? 4, 1)
    this.#queue = new PQueue(Number.isFinite(rate)
      ? {concurrency, intervalCap: Math.max(1, Math.round(rate)), interval: Math.round(1000 * Math.max(1, Math.round(rate)) / rate), strict: true}
      : {concurrency})
    this.#fetch = options.fetch ?? fetch
  }

  async request(request: JsonRequest, signal?: AbortSignal): Promise<unknown> {
    const cancelled = (error: unknown): WebSearchError => new WebSearchError('aborted', `${request.service}: search cancelled`, {cause: error})
    try {
      return await withRetries<unknown, WebSearchError>(async () => this.#queue.add(() => this.#attempt(request, signal), {signal}) as Promise<Outcome>, {
        ...this.#retry,
        ...(signal ? {signal} : {}),
        waitTooLong: (ms, max, error) => new WebSearchError('rate-limited', `${request.service} asks to wait ${Math.ceil(ms / 1000)} s before the next request (retry-after), longer than the ${Math.round(max / 1000)} s allowed`, {status: error.status, fix: 'Lower the request rate or concurrency, or check the account quota.'}),
        giveUp: (error, tries, retryable) => retryable ? new WebSearchError(error.code, `${error.message} (after ${tries} attempt${tries > 1 ? 's' : ''})`, {status: error.status, fix: error.fix, cause: error}) : error,
      })
    } catch (error) {
      if (signal?.aborted && !(error instanceof WebSearchError && error.code === 'aborted')) throw cancelled(error)
      throw error
    }
  }

  async #attempt(request: JsonRequest, signal: AbortSignal | undefined): Promise<Outcome> {
    this.attempts++
    const timeout = AbortSignal.timeout(this.#timeoutMs)
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout
    let response: Response
    let text: string
    try {
      response = await this.#fetch(request.url, {
        method: request.method ?? 'GET',
        headers: {accept: 'application/json', ...(request.body !== undefined ? {'content-type': 'application/json'} : {}), ...request.headers},
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: combined,
        redirect: 'follow',
      })
      text = await response.text()
    } catch (error) {
      if (signal?.aborted) throw error
      if (timeout.aborted) return {ok: false, retry: true, problem: new WebSearchError('timeout', `${request.service} did not answer within ${this.#timeoutMs} ms`, {cause: error, fix: 'The service is slow or down; try again later or raise the timeout.'})}
      const cause = (error as {cause?: {code?: string}}).cause
      return {ok: false, retry: true, problem: new WebSearchError('network', `${request.service} unreachable (${cause?.code ?? (error as Error).message})`, {cause: error, fix: 'Check the base URL and the network.'})}
    }
    if (!response.ok) {
      const status = response.status
      const retryAfterMs = retryAfterFromHeaders(response.headers)
      const code = status === 429 ? 'rate-limited' : 'http-status'
      const detail = text.replace(/\s+/g, ' ').trim().slice(0, 200)
      return {ok: false, retry: isRetryableStatus(status), ...(retryAfterMs !== undefined ? {retryAfterMs} : {}), problem: new WebSearchError(code, `${request.service} answered HTTP ${status}${detail ? `: ${detail}` : ''}`, {status, fix: fixFor(status, request.service)})}
    }
    try {
      return {ok: true, value: JSON.parse(text) as unknown}
    } catch {
      const shown = text.replace(/\s+/g, ' ').trim().slice(0, 80)
      return {ok: false, retry: false, problem: new WebSearchError('bad-response', `${request.service} answered HTTP ${response.status} with something that is not JSON: ${JSON.stringify(shown)}`, {status: response.status, fix: 'Check the base URL points at the search API (for SearXNG, enable the json format in settings.yml).'})}
    }
  }
}

type Outcome = AttemptOutcome<unknown, WebSearchError>

function fixFor(status: number, service: string): string {
  if (status === 401 || status === 403) return service === 'SearXNG' ? 'Enable the json format (search.formats in settings.yml) and check the instance allows API use.' : 'Check the API key.'
  if (status === 429) return 'Lower the request rate or concurrency, or check the account quota.'
  if (status >= 500) return 'The service failed; try again later.'
  return 'Check the request parameters and base URL.'
}


