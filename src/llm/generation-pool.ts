// A pool of OpenAI-compatible generation servers (`ars serve model`, SGLang, vLLM) as one LanguageModel: each
// request goes to the healthy server with the fewest requests in flight; a server that fails (refused, reset,
// timed out, 5xx) is taken out and its request is sent again to another one, so a dying server loses no episode;
// a background check brings it back once its /health answers (after the pool re-syncs its weights, see
// `publish`). The token-level extensions of `openai.ts` (token-id prompts, exact ids, behaviour log-probs, the
// ars policy version) pass through unchanged.
import {setTimeout as sleep} from 'node:timers/promises'
import {ArsError, UsageError} from '../core/index.js'
import {ContextOverflowError, ModelBackendError, isAbortError} from './errors.js'
import {OpenAIModel} from './openai.js'
import {reloadWeights, serverRoot, SERVER_KINDS, type ServerKind} from './weight-reload.js'
import type {GenerateInput, GenerateResult, LanguageModel, SamplingOptions, TextTokenizer} from './language-model.js'

export interface GenerationServer {
  /** Server root ending in /v1. */
  url: string
  /** Which weight-reload API it speaks (default ars). */
  kind: ServerKind
}

export interface GenerationPoolOptions {
  servers: readonly GenerationServer[]
  /** Model name sent in requests (default: what each server's /models lists first). */
  model?: string
  /** For token-id prompts and exact token ids (training needs it). */
  tokenizer?: TextTokenizer
  /** Requests in flight per server (default 64). */
  concurrency?: number
  /** Per-attempt timeout (default 600 000 ms). */
  timeoutMs?: number
  stream?: boolean
  contextLength?: number
  /** How often a server that is out is asked for /health (default 1000 ms). */
  healthIntervalMs?: number
  /** How long a request waits for any server to be healthy before failing the run (default 120 000 ms). */
  unavailableMs?: number
  /** A server left or came back (for logs). */
  onEvent?: (event: {kind: 'down' | 'up'; url: string; reason: string}) => void
  fetch?: typeof fetch
}

interface Member {
  server: GenerationServer
  model: OpenAIModel
  healthy: boolean
  inFlight: number
  /** Weight version last loaded there by this pool (undefined: what it was started with). */
  version: number | undefined
  /** Set while the health check re-syncs it, so two checks never overlap. */
  recovering: boolean
  served: number
}

/** Parses `--generation` / repeated `--base-url` values: `URL` or `KIND=URL` (kinds: ars, sglang, vllm), comma-separated. */
export function parseGenerationServers(values: readonly string[], flag = '--generation'): GenerationServer[] {
  const servers: GenerationServer[] = []
  for (const raw of values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)) {
    const m = /^([a-z]+)=(.*)$/.exec(raw)
    const kind = (m ? m[1] : 'ars') as ServerKind
    const url = (m ? m[2] as string : raw).replace(/\/+$/, '')
    if (!SERVER_KINDS.includes(kind)) throw new UsageError(`${flag} ${raw}: unknown server kind ${JSON.stringify(kind)}`, {code: 'generation-url', fix: `Write URL or KIND=URL with KIND one of ${SERVER_KINDS.join(', ')}, e.g. sglang=http://10.0.0.2:30000/v1.`})
    try {
      const u = new URL(url)
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol')
    } catch {
      throw new UsageError(`${flag} ${raw}: expected an http(s) URL ending in /v1`, {code: 'generation-url', fix: 'e.g. http://127.0.0.1:8000/v1 (an `ars serve model` server).'})
    }
    if (servers.some((s) => s.url === url)) throw new UsageError(`${flag}: ${url} is listed twice`, {code: 'generation-url', fix: 'List each server once.'})
    servers.push({url: /\/v1$/.test(url) ? url : `${url}/v1`, kind})
  }
  if (servers.length === 0) throw new UsageError(`${flag}: no server URL given`, {code: 'generation-url', fix: 'e.g. --generation http://127.0.0.1:8001/v1,http://127.0.0.1:8002/v1'})
  return servers
}

export class GenerationPool implements LanguageModel {
  readonly specificationVersion = 'ars-lm-v1' as const
  readonly id: string
  readonly capabilities: {tokens: boolean; logprobs: boolean; chat: boolean}
  readonly tokenizer?: TextTokenizer
  readonly #members: Member[]
  readonly #options: GenerationPoolOptions
  readonly #fetch: typeof fetch
  #timer: NodeJS.Timeout | undefined
  #waiters: Array<() => void> = []
  #latest: {path: string; version: number} | undefined
  #next = 0
  #closed = false

  private constructor(options: GenerationPoolOptions, members: Member[], id: string) {
    this.#options = options
    this.#members = members
    this.#fetch = options.fetch ?? fetch
    this.id = id
    this.tokenizer = options.tokenizer
    this.capabilities = {tokens: Boolean(options.tokenizer), logprobs: true, chat: true}
  }

  /** Asks every server for /models; those that answer start healthy. At least one must. */
  static async open(options: GenerationPoolOptions): Promise<GenerationPool> {
    if (options.servers.length === 0) throw new UsageError('generation pool: no servers', {code: 'generation-url'})
    const doFetch = options.fetch ?? fetch
    const found = await Promise.all(options.servers.map(async (server) => {
      try {
        const response = await doFetch(`${server.url}/models`, {signal: AbortSignal.timeout(5000)})
        if (!response.ok) return {server, problem: `HTTP ${response.status}`}
        const list = ((await response.json()) as {data?: Array<{id?: string; max_model_len?: unknown}>}).data ?? []
        const entry = list.find((m) => m.id === options.model) ?? list[0]
        return {server, name: entry?.id, context: typeof entry?.max_model_len === 'number' ? entry.max_model_len : undefined}
      } catch (error) {
        return {server, problem: describe(error)}
      }
    }))
    if (found.every((f) => 'problem' in f)) {
      throw new ModelBackendError('generation-unreachable', `no generation server answers: ${found.map((f) => `${f.server.url} (${(f as {problem: string}).problem})`).join(', ')}`, 'Start them first, e.g. `ars serve model --model DIR --port 8001`, and pass their /v1 URLs.')
    }
    const contexts = found.map((f) => ('context' in f ? f.context : undefined)).filter((c): c is number => c !== undefined)
    const context = options.contextLength ?? (contexts.length ? Math.min(...contexts) : undefined)
    const name = options.model ?? found.find((f) => 'name' in f && f.name)?.name
    if (!name) throw new ModelBackendError('generation-model', `${options.servers[0]?.url}/models lists no model`, 'Check that the servers are OpenAI-compatible.')
    const members = found.map((f): Member => ({
      server: f.server,
      // One retry for a blip; a server that fails twice is taken out and the pool sends the request elsewhere.
      model: new OpenAIModel(name, {baseUrl: f.server.url, tokenizer: options.tokenizer, concurrency: options.concurrency ?? 64, timeoutMs: options.timeoutMs, stream: options.stream, contextLength: context, retries: 1, backoffMs: 100, fetch: options.fetch}),
      healthy: !('problem' in f),
      inFlight: 0,
      version: undefined,
      recovering: false,
      served: 0,
    }))
    const pool = new GenerationPool(options, members, `pool:${name}@${members.length}`)
    for (const f of found) if ('problem' in f) options.onEvent?.({kind: 'down', url: f.server.url, reason: (f as {problem: string}).problem})
    pool.#startHealthChecks()
    return pool
  }

  get contextLength(): number | undefined {
    return this.#members[0]?.model.contextLength
  }

  /** Servers and their state, for logs and tests. */
  get servers(): Array<{url: string; kind: ServerKind; healthy: boolean; inFlight: number; served: number; version: number | undefined}> {
    return this.#members.map((m) => ({url: m.server.url, kind: m.server.kind, healthy: m.healthy, inFlight: m.inFlight, served: m.served, version: m.version}))
  }

  async generate(input: GenerateInput, options: SamplingOptions): Promise<GenerateResult> {
    for (;;) {
      options.signal?.throwIfAborted()
      const member = await this.#pick(options.signal)
      member.inFlight++
      const versionAtStart = member.version
      try {
        const result = await member.model.generate(input, options)
        member.served++
        // Servers that do not report a version (SGLang, vLLM): the version loaded when the request started. If
        // a reload landed mid-request the tokens are newer than that, so staleness is overstated, never hidden.
        if (result.policyVersion === undefined && versionAtStart !== undefined) return {...result, policyVersion: versionAtStart}
        return result
      } catch (error) {
        if (options.signal?.aborted || isAbortError(error)) throw error
        if (!isServerFailure(error)) throw error
        this.#markDown(member, (error as Error).message)
      } finally {
        member.inFlight--
      }
    }
  }

  /**
   * Makes every healthy server load the model folder `path` as `version` (in parallel). A server that cannot be
   * reached is taken out and loads the newest folder before it comes back; a server that refuses the folder
   * (HTTP 4xx: wrong architecture, unreadable files) fails the publish with its message.
   */
  async publish(path: string, version: number): Promise<void> {
    this.#latest = {path, version}
    await Promise.all(this.#members.filter((m) => m.healthy).map(async (m) => {
      try {
        await reloadWeights(m.server, {path, version, fetch: this.#fetch})
        m.version = version
      } catch (error) {
        if (isServerFailure(error)) this.#markDown(m, `weight reload failed: ${(error as Error).message}`)
        else throw error
      }
    }))
  }

  async close(): Promise<void> {
    this.#closed = true
    if (this.#timer) clearInterval(this.#timer)
    this.#wake()
    await Promise.all(this.#members.map((m) => m.model.close()))
  }

  async #pick(signal: AbortSignal | undefined): Promise<Member> {
    const deadline = Date.now() + (this.#options.unavailableMs ?? 120_000)
    for (;;) {
      if (this.#closed) throw new UsageError('the generation pool is closed')
      const healthy = this.#members.filter((m) => m.healthy)
      if (healthy.length > 0) {
        // Fewest in flight; ties go round-robin so equal servers share the load.
        const least = Math.min(...healthy.map((m) => m.inFlight))
        const candidates = healthy.filter((m) => m.inFlight === least)
        return candidates[this.#next++ % candidates.length] as Member
      }
      const left = deadline - Date.now()
      if (left <= 0) {
        throw new ModelBackendError('generation-unreachable', `no generation server has been healthy for ${Math.round((this.#options.unavailableMs ?? 120_000) / 1000)} s: ${this.#members.map((m) => m.server.url).join(', ')}`, 'Restart the servers (`ars serve model --model DIR --port N`); the run goes on as soon as one answers /health.')
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000))
        this.#waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
        signal?.addEventListener('abort', () => resolve(), {once: true})
      })
      signal?.throwIfAborted()
    }
  }

  #markDown(member: Member, reason: string): void {
    if (!member.healthy) return
    member.healthy = false
    member.version = undefined
    this.#options.onEvent?.({kind: 'down', url: member.server.url, reason})
  }

  #wake(): void {
    const waiters = this.#waiters
    this.#waiters = []
    waiters.forEach((w) => w())
  }

  #startHealthChecks(): void {
    this.#timer = setInterval(() => {
      for (const m of this.#members) if (!m.healthy && !m.recovering) void this.#recover(m)
    }, this.#options.healthIntervalMs ?? 1000)
    this.#timer.unref()
  }

  /** A server that is out comes back once /health answers and it holds the newest published weights. */
  async #recover(member: Member): Promise<void> {
    member.recovering = true
    try {
      const response = await this.#fetch(`${serverRoot(member.server.url)}/health`, {signal: AbortSignal.timeout(2000)})
      await response.arrayBuffer().catch(() => undefined)
      if (!response.ok || this.#closed) return
      const latest = this.#latest
      if (latest) {
        await reloadWeights(member.server, {path: latest.path, version: latest.version, fetch: this.#fetch})
        // A newer version published meanwhile: load that one on the next check.
        if (this.#latest !== latest) return
        member.version = latest.version
      }
      member.healthy = true
      this.#options.onEvent?.({kind: 'up', url: member.server.url, reason: latest ? `loaded version ${latest.version}` : 'health ok'})
      this.#wake()
    } catch {
      // Still out; the next check tries again.
    } finally {
      member.recovering = false
    }
  }
}

/** Failures that are the server's (gone, overloaded, broken), as opposed to the request's (too long, refused). */
function isServerFailure(error: unknown): boolean {
  if (error instanceof ContextOverflowError) return false
  if (error instanceof ArsError) return ['model-unreachable', 'model-response', 'weights-unreachable'].includes(error.code) || /HTTP 5\d\d/.test(error.message)
  return true
}

function describe(error: unknown): string {
  const cause = (error as {cause?: {code?: string; errors?: Array<{code?: string}>}}).cause
  return cause?.code ?? cause?.errors?.find((e) => e.code)?.code ?? (error as Error).message
}

export async function waitForServers(urls: readonly string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (const url of urls) {
    for (;;) {
      try {
        const r = await fetch(`${serverRoot(url)}/health`, {signal: AbortSignal.timeout(1000)})
        if (r.ok) break
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new ModelBackendError('generation-unreachable', `${url} did not answer /health within ${timeoutMs} ms`, 'Check the server log.')
      await sleep(100)
    }
  }
}
