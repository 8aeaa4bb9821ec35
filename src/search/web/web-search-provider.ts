// What Serper and SearXNG share: query checks, the on-disk response cache (keyed by provider + endpoint +
// query + parameters, with a TTL: a repeated query never costs a second API call), in-flight de-duplication of
// identical concurrent queries, and the JsonClient that retries, rate-limits and times out.
import {homedir} from 'node:os'
import {join} from 'node:path'
import {DiskCache} from '../../core/index.js'
import type {SearchHit, SearchOptions, SearchProvider} from '../provider.js'
import {JsonClient, type JsonClientOptions, type JsonRequest} from './json-client.js'
import {WebSearchError} from './web-search-error.js'

export interface WebSearchOptions extends JsonClientOptions {
  /** Response cache directory; `false` disables it. Default `$XDG_CACHE_HOME/ars/web-search` (~/.cache/…). */
  cacheDir?: string | false
  /** How long a cached response is reused. Default 7 days. */
  cacheTtlMs?: number
  /** Results asked for when the caller gives no topK. Default 10. */
  defaultTopK?: number
  /** Longest query sent; longer ones are refused with a tool error. Default 2000 characters. */
  maxQueryChars?: number
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ars', 'web-search')
}

export abstract class WebSearchProvider implements SearchProvider {
  readonly specificationVersion = 'ars-search-v1' as const
  abstract readonly id: string
  protected readonly client: JsonClient
  readonly #cache: DiskCache<unknown> | undefined
  readonly #inFlight = new Map<string, Promise<unknown>>()
  readonly #defaultTopK: number
  readonly #maxQueryChars: number
  /** Responses served from the disk cache (stats and tests). */
  cacheHits = 0

  constructor(options: WebSearchOptions) {
    this.client = new JsonClient(options)
    const dir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir
    this.#cache = dir === false ? undefined : new DiskCache({dir, ttlMs: options.cacheTtlMs ?? 7 * 24 * 3600_000})
    this.#defaultTopK = options.defaultTopK ?? 10
    this.#maxQueryChars = options.maxQueryChars ?? 2000
  }

  /** The service's name in messages. */
  protected abstract readonly service: string
  /** Everything that makes two calls return different results (base URL, parameters), without secrets. */
  protected abstract cacheKey(query: string, topK: number): Record<string, unknown>
  protected abstract buildRequest(query: string, topK: number): JsonRequest
  protected abstract parseHits(response: unknown, topK: number): SearchHit[]

  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    const trimmed = query.replace(/\s+/g, ' ').trim()
    if (trimmed === '') throw new WebSearchError('bad-query', `${this.service}: empty query`, {fix: 'Search for some words.'})
    if (trimmed.length > this.#maxQueryChars) throw new WebSearchError('bad-query', `${this.service}: query is ${trimmed.length} characters, at most ${this.#maxQueryChars} are sent`, {fix: 'Search with a few keywords instead of a long passage.'})
    const topK = options.topK ?? this.#defaultTopK
    if (!Number.isInteger(topK) || topK < 1 || topK > 100) throw new WebSearchError('bad-query', `${this.service}: expected topK between 1 and 100, got ${topK}`)
    const key = {provider: this.id, ...this.cacheKey(trimmed, topK)}
    const keyText = JSON.stringify(key)
    let pending = this.#inFlight.get(keyText)
    if (!pending) {
      pending = this.#fetchOrCache(key, trimmed, topK, options.signal).finally(() => this.#inFlight.delete(keyText))
      this.#inFlight.set(keyText, pending)
    }
    return this.parseHits(await pending, topK)
  }

  async #fetchOrCache(key: Record<string, unknown>, query: string, topK: number, signal: AbortSignal | undefined): Promise<unknown> {
    const cached = await this.#cache?.get(key)
    if (cached !== undefined) {
      this.cacheHits++
      return cached
    }
    const response = await this.client.request(this.buildRequest(query, topK), signal)
    // Validate before caching, so a malformed answer is never replayed from disk.
    this.parseHits(response, topK)
    await this.#cache?.set(key, response)
    return response
  }

  /** Network requests made so far (cache hits excluded). */
  get requests(): number {
    return this.client.attempts
  }
}

export function badShape(service: string, what: string): WebSearchError {
  return new WebSearchError('bad-response', `${service} answered JSON without ${what}`, {fix: 'Check the base URL points at the search API.'})
}

export function text(value: unknown): string {
  return typeof value === 'string' ? value : ''
}
