// `openai:MODEL`: any OpenAI-compatible server (vLLM, SGLang, llama.cpp, Ollama, hosted APIs, `ars serve
// model`). Chat and completions (token-id prompts where the server takes them), SSE streaming, per-token
// log-probs, retries with backoff that honour retry-after, per-attempt timeouts, and a p-queue concurrency cap.
import PQueue from 'p-queue'
import {ArsError, UsageError} from '../core/index.js'
import {ContextOverflowError, ModelBackendError, isAbortError} from './errors.js'
import {readSseData} from './sse.js'
import type {GenerateInput, GenerateResult, LanguageModel, SamplingOptions, TextTokenizer} from './language-model.js'
import {checkRetryOptions, isRetryableStatus, withRetries, type AttemptOutcome, type RetryOptions} from '../core/index.js'
import {retryAfterFromHeaders} from '../core/index.js'

/** Retries (network errors, timeouts, 408/409/425/429/5xx) go through src/core/http-retry.ts with its defaults. */
export interface OpenAIModelOptions extends Pick<RetryOptions, 'retries' | 'backoffMs' | 'maxBackoffMs' | 'maxRetryAfterMs'> {
  /** Server root ending in /v1. Default: OPENAI_BASE_URL, else http://127.0.0.1:8000/v1 (vLLM's default). */
  baseUrl?: string
  /** Default: OPENAI_API_KEY, read at the first request (so offline commands never need it). */
  apiKey?: string
  /** Enables token-id prompts and exact token ids in results (server must accept `prompt: number[]`). */
  tokenizer?: TextTokenizer
  /** Use SSE streaming for every request (default false; results are identical). */
  stream?: boolean
  /** Per-attempt timeout (default 600 000 ms: long generations on big models are slow). */
  timeoutMs?: number
  /** Requests in flight at once (default 64). */
  concurrency?: number
  contextLength?: number
  /**
   * Send the vLLM/SGLang request extensions (`include_stop_str_in_output`, `top_k`, `return_token_ids`,
   * `return_tokens_as_token_ids`). Default: true unless the base URL is api.openai.com, which rejects them.
   */
  serverExtensions?: boolean
  fetch?: typeof fetch
}

interface Choice {
  text?: string
  message?: {content?: string | null}
  delta?: {content?: string | null}
  finish_reason?: string | null
  stop_reason?: string | number | null
  token_ids?: number[] | null
  logprobs?: {
    tokens?: string[]
    token_logprobs?: (number | null)[]
    content?: Array<{token: string; logprob: number}> | null
  } | null
}

interface Completion {
  choices?: Choice[]
  usage?: {prompt_tokens?: number; completion_tokens?: number}
  system_fingerprint?: string
  ars_policy_version?: number
}


export class OpenAIModel implements LanguageModel {
  readonly specificationVersion = 'ars-lm-v1' as const
  readonly id: string
  readonly capabilities: {tokens: boolean; logprobs: boolean; chat: boolean}
  readonly tokenizer?: TextTokenizer
  readonly baseUrl: string
  /** Given, else the server's /models `max_model_len`, else learned from its first context-length error. */
  #context: number | undefined
  #discovery: Promise<number | undefined> | undefined
  readonly #model: string
  readonly #apiKey: string | undefined
  readonly #stream: boolean
  readonly #retry: RetryOptions
  readonly #timeoutMs: number
  readonly #extensions: boolean
  readonly #fetch: typeof fetch
  readonly #queue: PQueue

  constructor(model: string, options: OpenAIModelOptions = {}) {
    if (!model) throw new UsageError('openai model: empty model id', {code: 'model-spec', fix: 'Write --model openai:MODEL_ID, e.g. openai:Qwen/Qwen2.5-7B-Instruct.'})
    const base = (options.baseUrl ?? process.env.OPENAI_BASE_URL ?? 'http://127.0.0.1:8000/v1').replace(/\/+$/, '')
    try {
      const u = new URL(base)
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol')
    } catch {
      throw new UsageError(`--base-url: expected an http(s) URL ending in /v1, got ${JSON.stringify(base)}`, {code: 'base-url', fix: 'e.g. --base-url http://127.0.0.1:8000/v1'})
    }
    checkRetryOptions(options, 'openai model')
    for (const [name, value] of [['timeoutMs', options.timeoutMs], ['concurrency', options.concurrency]] as const) {
      if (value !== undefined && !(Number.isFinite(value) && value >= (name === 'concurrency' || name === 'timeoutMs' ? 1 : 0))) throw new UsageError(`openai model: expected ${name} to be a non-negative number, got ${value}`, {code: 'model-options'})
    }
    this.baseUrl = base
    this.#model = model
    this.id = `openai:${model}`
    this.#apiKey = options.apiKey
    this.tokenizer = options.tokenizer
    this.#context = options.contextLength
    this.capabilities = {tokens: Boolean(options.tokenizer), logprobs: true, chat: true}
    this.#stream = options.stream ?? false
    this.#retry = {retries: options.retries, backoffMs: options.backoffMs, maxBackoffMs: options.maxBackoffMs, maxRetryAfterMs: options.maxRetryAfterMs}
    this.#timeoutMs = options.timeoutMs ?? 600_000
    this.#extensions = options.serverExtensions ?? !/api\.openai\.com/.test(base)
    this.#fetch = options.fetch ?? fetch
    this.#queue = new PQueue({concurrency: options.concurrency ?? 64})
  }

  /** The model's context in tokens: the `contextLength` option, else what the server said when a request overflowed. */
  get contextLength(): number | undefined {
    return this.#context
  }

  /**
   * Asks the server for the model's context once (`GET /models`: vLLM, SGLang and ars serve model report
   * `max_model_len`), so max_tokens can be fitted before asking and the agent trims history to the true context.
   * Never fails: an unknown context just means the server's own error tells it later.
   */
  discoverContext(): Promise<number | undefined> {
    if (this.#context !== undefined || !this.#extensions) return Promise.resolve(this.#context)
    this.#discovery ??= (async () => {
      try {
        const apiKey = this.#apiKey ?? process.env.OPENAI_API_KEY
        const response = await this.#fetch(`${this.baseUrl}/models`, {headers: apiKey ? {authorization: `Bearer ${apiKey}`} : {}, signal: AbortSignal.timeout(3000)})
        if (!response.ok) return undefined
        const list = ((await response.json()) as {data?: Array<{id?: string; max_model_len?: unknown}>}).data ?? []
        const entry = list.find((m) => m.id === this.#model) ?? (list.length === 1 ? list[0] : undefined)
        const n = entry?.max_model_len
        if (typeof n === 'number' && Number.isInteger(n) && n > 0) this.#context ??= n
      } catch {
        // Unreachable or not OpenAI-shaped: the request itself will say so.
      }
      return this.#context
    })()
    return this.#discovery
  }

  async generate(input: GenerateInput, options: SamplingOptions): Promise<GenerateResult> {
    options.signal?.throwIfAborted()
    await this.discoverContext()
    if (input.kind === 'tokens' && this.#context !== undefined) {
      // Ask only for what the context has left (vLLM and ars serve refuse prompt + max_tokens > context).
      const left = this.#context - input.tokenIds.length
      if (left < 1) throw new ContextOverflowError(`${this.id}: ${input.tokenIds.length} prompt tokens leave no room in the context of ${this.#context}`, {promptTokens: input.tokenIds.length, contextLength: this.#context})
      if (options.maxTokens > left) options = {...options, maxTokens: left}
    }
    const {path, body} = this.#request(input, options)
    return this.#queue.add(() => this.#send(path, body, input, options), {signal: options.signal}) as Promise<GenerateResult>
  }

  async close(): Promise<void> {
    this.#queue.clear()
    await this.#queue.onIdle()
  }

  #request(input: GenerateInput, o: SamplingOptions): {path: string; body: Record<string, unknown>} {
    const body: Record<string, unknown> = {model: this.#model, max_tokens: o.maxTokens}
    if (o.temperature !== undefined) body.temperature = o.temperature
    if (o.topP !== undefined) body.top_p = o.topP
    if (o.seed !== undefined) body.seed = o.seed
    if (o.stop?.length) body.stop = o.stop
    if (this.#stream) {
      body.stream = true
      body.stream_options = {include_usage: true}
    }
    if (this.#extensions) {
      if (o.topK !== undefined) body.top_k = o.topK
      if (o.stop?.length) body.include_stop_str_in_output = true
    }
    if (input.kind === 'chat') {
      body.messages = input.messages
      if (o.logprobs) body.logprobs = true
      return {path: '/chat/completions', body}
    }
    body.prompt = input.kind === 'text' ? input.prompt : input.tokenIds
    if (input.kind === 'tokens' && !this.#extensions) throw new UsageError(`${this.id}: token-id prompts need a server that accepts them (vLLM, SGLang, ars serve model)`, {code: 'model-tokens', fix: 'Point --base-url at such a server, or run without a tokenizer (text trajectories).'})
    if (o.logprobs || input.kind === 'tokens') body.logprobs = 1
    if (input.kind === 'tokens') {
      body.return_tokens_as_token_ids = true
      body.return_token_ids = true
    }
    return {path: '/completions', body}
  }

  async #send(path: string, body: Record<string, unknown>, input: GenerateInput, o: SamplingOptions): Promise<GenerateResult> {
    const url = this.baseUrl + path
    const apiKey = this.#apiKey ?? process.env.OPENAI_API_KEY
    const headers: Record<string, string> = {'content-type': 'application/json', accept: body.stream ? 'text/event-stream' : 'application/json'}
    if (apiKey) headers.authorization = `Bearer ${apiKey}`
    let payload = JSON.stringify(body)
    let shrunk = false
    const attempt = async (): Promise<AttemptOutcome<GenerateResult, string>> => {
      const timeout = AbortSignal.timeout(this.#timeoutMs)
      const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout
      try {
        const response = await this.#fetch(url, {method: 'POST', headers, body: payload, signal})
        if (response.ok) {
          const completion = body.stream ? await readStream(response) : ((await response.json()) as Completion)
          return {ok: true, value: this.#result(completion, input, o, url)}
        }
        const text = await response.text().catch(() => '')
        const message = errorMessage(text) || response.statusText
        if (response.status === 400 && /context|maximum.*length|too long|too many tokens/i.test(message)) {
          const limits = contextLimits(message)
          if (limits.context !== undefined) this.#context = limits.context
          const left = limits.context !== undefined && limits.prompt !== undefined ? limits.context - limits.prompt : undefined
          // The prompt fits but prompt + max_tokens does not: ask again for what is left, once, right away.
          if (!shrunk && left !== undefined && left >= 1 && left < (body.max_tokens as number)) {
            shrunk = true
            body.max_tokens = left
            payload = JSON.stringify(body)
            return attempt()
          }
          throw new ContextOverflowError(`${this.id}: the prompt does not fit the model's context (${message})`, {promptTokens: limits.prompt, contextLength: limits.context})
        }
        if (response.status === 401 || response.status === 403) throw new ModelBackendError('model-auth', `${url}: HTTP ${response.status} ${message}`, 'Set OPENAI_API_KEY to a key this server accepts.')
        if (response.status === 404) throw new ModelBackendError('model-not-found', `${url}: HTTP 404 ${message}`, `Check --base-url (it should end in /v1) and the model id (GET ${this.baseUrl}/models lists them).`)
        if (!isRetryableStatus(response.status)) throw new ModelBackendError('model-request', `${url}: HTTP ${response.status} ${message}`, 'Check the sampling options this server accepts.')
        const waitMs = retryAfterFromHeaders(response.headers)
        return {ok: false, retry: true, problem: `HTTP ${response.status} ${message}`, ...(waitMs !== undefined ? {retryAfterMs: waitMs} : {})}
      } catch (error) {
        if (error instanceof ArsError) throw error
        if (o.signal?.aborted) throw o.signal.reason ?? error
        if (timeout.aborted || (error as Error).name === 'TimeoutError') return {ok: false, retry: true, problem: `no answer within ${this.#timeoutMs} ms`}
        if (isAbortError(error)) throw error
        return {ok: false, retry: true, problem: networkProblem(error)}
      }
    }
    return withRetries(attempt, {
      ...this.#retry,
      ...(o.signal ? {signal: o.signal} : {}),
      waitTooLong: (ms, max, problem) => new ModelBackendError('model-unreachable', `${url}: ${problem}, and the server asks to wait ${Math.ceil(ms / 1000)} s (more than the ${Math.ceil(max / 1000)} s allowed)`, 'Try again later, or lower --concurrency.'),
      giveUp: (problem, attempts) => new ModelBackendError('model-unreachable', `cannot get a completion from ${url} after ${attempts} attempt${attempts > 1 ? 's' : ''}: ${problem}`, 'Start the model server (e.g. `ars serve model --model DIR --port 8000`, vLLM or SGLang) or pass --base-url / OPENAI_BASE_URL.'),
    })
  }

  #result(c: Completion, input: GenerateInput, o: SamplingOptions, url: string): GenerateResult {
    const choice = c.choices?.[0]
    if (!choice) throw new ModelBackendError('model-response', `${url}: the response has no choices`, 'Check that the server is OpenAI-compatible.')
    let text = choice.text ?? choice.message?.content ?? ''
    const finish = choice.finish_reason
    // Servers that drop the matched stop string: put it back so tag parsing sees the closing tag.
    if (finish === 'stop' && typeof choice.stop_reason === 'string' && o.stop?.includes(choice.stop_reason) && !text.endsWith(choice.stop_reason)) text += choice.stop_reason
    let tokenIds: number[] | undefined
    let logprobs: number[] | undefined
    const lp = choice.logprobs
    if (lp?.content) {
      logprobs = lp.content.map((t) => t.logprob)
      const ids = lp.content.map((t) => tokenIdOf(t.token))
      if (ids.every((id) => id !== undefined)) tokenIds = ids as number[]
    } else if (lp?.token_logprobs) {
      logprobs = lp.token_logprobs.map((v) => v ?? 0)
      const ids = (lp.tokens ?? []).map(tokenIdOf)
      if (ids.length === logprobs.length && ids.every((id) => id !== undefined)) tokenIds = ids as number[]
    }
    if (choice.token_ids && (!logprobs || choice.token_ids.length === logprobs.length)) tokenIds = choice.token_ids
    const wantLogprobs = o.logprobs === true
    if (wantLogprobs && !logprobs) {
      throw new ModelBackendError('model-no-logprobs', `${url} returned no per-token logprobs, which training trajectories need`, 'Use a server that returns logprobs (vLLM, SGLang, `ars serve model`), or roll out without a tokenizer / --logprobs for text-only trajectories.')
    }
    if (input.kind === 'tokens' && !tokenIds) {
      if (!this.tokenizer) throw new ModelBackendError('model-no-token-ids', `${url} returned no token ids for a token-id prompt`, 'Give the provider a tokenizer.')
      // Re-tokenising the text is exact for byte tokenizers and almost always for BPE; servers that return ids avoid it.
      tokenIds = this.tokenizer.encode(text)
      if (logprobs && logprobs.length !== tokenIds.length) throw new ModelBackendError('model-no-token-ids', `${url} returned ${logprobs.length} logprobs but the text re-tokenises to ${tokenIds.length} tokens`, 'Use a server that returns token ids (vLLM: return_tokens_as_token_ids; ars serve model).')
    }
    if (tokenIds && this.tokenizer && input.kind === 'tokens') text = this.tokenizer.decode(tokenIds)
    const policyVersion = typeof c.ars_policy_version === 'number' ? c.ars_policy_version : policyFromFingerprint(c.system_fingerprint)
    return {
      text,
      tokenIds,
      logprobs,
      finishReason: finish === 'length' ? 'length' : finish === 'abort' ? 'abort' : 'stop',
      policyVersion,
      usage: {promptTokens: c.usage?.prompt_tokens ?? (input.kind === 'tokens' ? input.tokenIds.length : 0), completionTokens: c.usage?.completion_tokens ?? tokenIds?.length ?? 0},
    }
  }
}

/** Folds an SSE stream of chunks into one completion. */
async function readStream(response: Response): Promise<Completion> {
  if (!response.body) return {choices: []}
  const out: Required<Pick<Choice, 'text'>> & Choice = {text: '', finish_reason: null}
  const tokens: string[] = []
  const tokenLogprobs: (number | null)[] = []
  const content: Array<{token: string; logprob: number}> = []
  const tokenIds: number[] = []
  let completion: Completion = {}
  for await (const data of readSseData(response.body)) {
    const chunk = JSON.parse(data) as Completion & {error?: {message?: string}}
    if (chunk.error) throw new ModelBackendError('model-request', `stream error: ${chunk.error.message ?? data}`, 'Check the server log.')
    completion = {...completion, ...chunk, choices: undefined}
    const choice = chunk.choices?.[0]
    if (!choice) continue
    out.text += choice.text ?? choice.delta?.content ?? ''
    if (choice.finish_reason) out.finish_reason = choice.finish_reason
    if (choice.stop_reason !== undefined) out.stop_reason = choice.stop_reason
    if (choice.token_ids) tokenIds.push(...choice.token_ids)
    if (choice.logprobs?.content) content.push(...choice.logprobs.content)
    if (choice.logprobs?.token_logprobs) {
      tokenLogprobs.push(...choice.logprobs.token_logprobs)
      tokens.push(...(choice.logprobs.tokens ?? []))
    }
  }
  if (content.length) out.logprobs = {content}
  else if (tokenLogprobs.length) out.logprobs = {tokens, token_logprobs: tokenLogprobs}
  if (tokenIds.length) out.token_ids = tokenIds
  return {...completion, choices: [out]}
}

/**
 * The context length and prompt size a server's context error states, in the wordings of vLLM (old and new),
 * SGLang and `ars serve model`: "maximum context length is 2048 tokens. However, you requested 2100 tokens (1100 in
 * the messages, 1000 in the completion)", "… is 2048 tokens and your request has 1100 input tokens", "maximum
 * context length of 2048 tokens … 1100 tokens from the input messages".
 */
export function contextLimits(message: string): {context?: number; prompt?: number} {
  const context = /maximum context length (?:is|of) (\d+)/i.exec(message)?.[1]
  const prompt = /(\d+) (?:tokens )?(?:in|from) the (?:input )?(?:prompt|messages)|has (\d+) input tokens/i.exec(message)
  const p = prompt?.[1] ?? prompt?.[2]
  return {...(context ? {context: Number(context)} : {}), ...(p ? {prompt: Number(p)} : {})}
}

function tokenIdOf(token: string): number | undefined {
  const m = /^token_id:(\d+)$/.exec(token)
  return m ? Number(m[1]) : undefined
}

function policyFromFingerprint(fp: string | undefined): number | undefined {
  const m = fp ? /policy-v(\d+)/.exec(fp) : null
  return m ? Number(m[1]) : undefined
}

function errorMessage(text: string): string {
  try {
    const j = JSON.parse(text) as {error?: {message?: string} | string; message?: string; detail?: string}
    if (typeof j.error === 'string') return j.error
    return j.error?.message ?? j.message ?? j.detail ?? text.slice(0, 300)
  } catch {
    return text.slice(0, 300)
  }
}

function networkProblem(error: unknown): string {
  const cause = (error as {cause?: {code?: string; message?: string; errors?: Array<{code?: string}>}}).cause
  const code = cause?.code ?? cause?.errors?.find((e) => e.code)?.code
  if (code) return `${code}${cause?.message ? ` (${cause.message})` : ''}`
  return cause?.message ? `${(error as Error).message} (${cause.message})` : (error as Error).message
}

/** `retry-after-ms`, `retry-after` in seconds, or an HTTP date; capped at 60 s. */
