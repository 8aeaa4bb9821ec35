// An OpenAI-compatible HTTP server over any LanguageModel (node:http): /v1/models, /v1/completions (text or
// token-id prompts), /v1/chat/completions, SSE streaming, per-token logprobs, and the vLLM extensions the
// `openai:` provider uses for exact token ids. `ars serve model` runs it over the onnx engine.
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {isArsError} from '../core/index.js'
import {ContextOverflowError, isAbortError} from './errors.js'
import {sseEvent} from './sse.js'
import type {ChatMessage, GeneratedToken, GenerateInput, GenerateResult, LanguageModel, SamplingOptions, TextTokenizer, TopLogprob} from './language-model.js'

export interface ModelServerOptions {
  /** Name reported by /v1/models and accepted in requests (default: the model's id). */
  modelName?: string
  /** Answer logprob requests (default true; false imitates servers that cannot, for tests). */
  logprobs?: boolean
  /** Request bodies above this are refused (default 32 MiB). */
  maxBodyBytes?: number
  /** max_tokens when a request omits it (default 256; OpenAI's legacy default of 16 is too short for agents). */
  defaultMaxTokens?: number
  /**
   * `POST /v1/ars/weights {path, version}` loads a model folder the trainer wrote (and `GET` reports the served
   * version); absent: those routes answer 404. See weight-loader.ts.
   */
  weights?: WeightSwapper
  /** Called once per request with its outcome, for logs. */
  onRequest?: (info: {path: string; status: number; ms: number; promptTokens?: number; completionTokens?: number}) => void
}

/** What the weight route needs from the served model. */
export interface WeightSwapper {
  /** Version new requests are served with, and the folder it came from (undefined: the one the server started with). */
  current(): {version: number; path?: string}
  /** Loads the folder and makes it the weights of every request that starts from now on. */
  load(path: string, version: number): Promise<void>
}

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly code: string, readonly type = 'invalid_request_error') {
    super(message)
  }
}

export class ModelServer {
  readonly model: LanguageModel
  readonly server: Server
  readonly #name: string
  readonly #logprobs: boolean
  readonly #maxBody: number
  readonly #defaultMaxTokens: number
  readonly #onRequest: ModelServerOptions['onRequest']
  readonly #weights: WeightSwapper | undefined
  #loading: Promise<unknown> = Promise.resolve()
  readonly #created = Math.floor(Date.now() / 1000)
  #counter = 0

  constructor(model: LanguageModel, options: ModelServerOptions = {}) {
    this.model = model
    this.#name = options.modelName ?? model.id
    this.#logprobs = options.logprobs ?? true
    this.#maxBody = options.maxBodyBytes ?? 32 << 20
    this.#defaultMaxTokens = options.defaultMaxTokens ?? 256
    this.#onRequest = options.onRequest
    this.#weights = options.weights
    this.server = createServer((req, res) => void this.#handle(req, res))
  }

  /** Listen (port 0 = ephemeral); resolves with the base URL ending in /v1. */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, host, () => {
        this.server.off('error', reject)
        resolve()
      })
    })
    const address = this.server.address() as AddressInfo
    return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/v1`
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now()
    const path = (req.url ?? '/').split('?')[0] as string
    const abort = new AbortController()
    res.on('close', () => {
      if (!res.writableFinished) abort.abort(new DOMException('client went away', 'AbortError'))
    })
    let usage: GenerateResult['usage'] | undefined
    try {
      if (path === '/v1/models' || path === '/models') {
        if (req.method !== 'GET') throw new HttpError(405, `${req.method} ${path}: use GET`, 'method_not_allowed')
        return sendJson(res, 200, {object: 'list', data: [{id: this.#name, object: 'model', created: this.#created, owned_by: 'ars', max_model_len: this.model.contextLength ?? null}]})
      }
      if (path === '/health' || path === '/v1/health') return sendJson(res, 200, {status: 'ok', ...(this.#weights ? {policy_version: this.#weights.current().version} : {})})
      if (path === '/v1/ars/weights') return await this.#weightRoute(req, res)
      const chat = path === '/v1/chat/completions' || path === '/chat/completions'
      if (!chat && path !== '/v1/completions' && path !== '/completions') throw new HttpError(404, `no route ${path}: this server has /v1/models, /v1/completions, /v1/chat/completions`, 'not_found')
      if (req.method !== 'POST') throw new HttpError(405, `${req.method} ${path}: use POST`, 'method_not_allowed')
      const body = await readBody(req, this.#maxBody)
      usage = await (chat ? this.#chat(body, res, abort.signal) : this.#completion(body, res, abort.signal))
    } catch (error) {
      const e = toHttpError(error)
      if (!res.headersSent) sendJson(res, e.status, {error: {message: e.message, type: e.type, code: e.code}})
      else if (!res.writableEnded) {
        res.write(sseEvent({error: {message: e.message, type: e.type, code: e.code}}))
        res.end()
      }
    } finally {
      this.#onRequest?.({path, status: res.statusCode, ms: Date.now() - started, promptTokens: usage?.promptTokens, completionTokens: usage?.completionTokens})
    }
  }

  /**
   * GET: the served version. POST {path, version}: load that folder (one load at a time, in arrival order); the
   * answer comes once new requests use it. Requests in flight finish on the version they started with.
   */
  async #weightRoute(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const weights = this.#weights
    if (!weights) throw new HttpError(404, '/v1/ars/weights: this server\'s model cannot load weights (serve a model folder: ars serve model --model DIR)', 'not_found')
    if (req.method === 'GET') return sendJson(res, 200, weights.current())
    if (req.method !== 'POST') throw new HttpError(405, `${req.method} /v1/ars/weights: use GET or POST`, 'method_not_allowed')
    const body = await readBody(req, this.#maxBody)
    if (typeof body.path !== 'string' || body.path === '') throw new HttpError(400, 'path: expected the model folder to load, as a string', 'invalid_path')
    if (!Number.isInteger(body.version) || (body.version as number) < 0) throw new HttpError(400, `version: expected an integer ≥ 0, got ${JSON.stringify(body.version)}`, 'invalid_version')
    const started = Date.now()
    const load = this.#loading.then(() => weights.load(body.path as string, body.version as number))
    this.#loading = load.catch(() => undefined)
    await load
    sendJson(res, 200, {...weights.current(), load_ms: Date.now() - started})
  }

  #sampling(body: Record<string, unknown>, signal: AbortSignal, chat: boolean): Options {
    if (body.model !== undefined && typeof body.model !== 'string') throw new HttpError(400, 'model: expected a string', 'invalid_model')
    if (body.n !== undefined && body.n !== 1) throw new HttpError(400, `n: this server returns one choice per request, got ${JSON.stringify(body.n)}`, 'unsupported_n')
    if (body.echo) throw new HttpError(400, 'echo: not supported', 'unsupported_echo')
    const maxTokens = body.max_tokens ?? body.max_completion_tokens ?? this.#defaultMaxTokens
    if (!Number.isInteger(maxTokens) || (maxTokens as number) < 1) throw new HttpError(400, `max_tokens: expected a positive integer, got ${JSON.stringify(maxTokens)}`, 'invalid_max_tokens')
    const num = (name: string): number | undefined => {
      const v = body[name]
      if (v === undefined || v === null) return undefined
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new HttpError(400, `${name}: expected a number, got ${JSON.stringify(v)}`, `invalid_${name}`)
      return v
    }
    const stop = body.stop === undefined || body.stop === null ? undefined : typeof body.stop === 'string' ? [body.stop] : body.stop
    if (stop !== undefined && (!Array.isArray(stop) || !stop.every((s) => typeof s === 'string'))) throw new HttpError(400, 'stop: expected a string or an array of strings', 'invalid_stop')
    // OpenAI's two shapes: chat `logprobs: true` + `top_logprobs: N`; completions `logprobs: N` (N alternatives).
    let logprobs: boolean
    let top = 0
    const topField = chat ? 'top_logprobs' : 'logprobs'
    if (chat) {
      logprobs = body.logprobs === true
      if (body.logprobs !== undefined && body.logprobs !== null && typeof body.logprobs !== 'boolean') throw new HttpError(400, `logprobs: expected a boolean, got ${JSON.stringify(body.logprobs)}`, 'invalid_logprobs')
      if (body.top_logprobs !== undefined && body.top_logprobs !== null) {
        top = body.top_logprobs as number
        if (!logprobs && top > 0) throw new HttpError(400, 'top_logprobs: needs "logprobs": true', 'invalid_top_logprobs')
      }
    } else {
      logprobs = body.logprobs !== undefined && body.logprobs !== null && body.logprobs !== false
      if (typeof body.logprobs === 'number') top = body.logprobs
      else if (logprobs && body.logprobs !== true) throw new HttpError(400, `logprobs: expected an integer, got ${JSON.stringify(body.logprobs)}`, 'invalid_logprobs')
    }
    if (!Number.isInteger(top) || top < 0 || top > MAX_TOP_LOGPROBS) throw new HttpError(400, `${topField}: expected an integer in [0, ${MAX_TOP_LOGPROBS}], got ${JSON.stringify(top)}`, `invalid_${topField}`)
    logprobs &&= this.#logprobs
    if (top > 0 && (!logprobs || !this.model.capabilities.tokens || !this.model.tokenizer)) top = 0
    const streamOptions = body.stream_options as {include_usage?: boolean} | undefined
    return {
      maxTokens: maxTokens as number,
      temperature: num('temperature'),
      topP: num('top_p'),
      topK: num('top_k'),
      seed: num('seed'),
      stop: stop as string[] | undefined,
      logprobs,
      ...(top > 0 ? {topLogprobs: top} : {}),
      ...(body.ignore_eos === true ? {ignoreEos: true} : {}),
      signal,
      includeStop: body.include_stop_str_in_output === true,
      stream: body.stream === true,
      asTokenIds: body.return_tokens_as_token_ids === true,
      returnIds: body.return_token_ids === true,
      includeUsage: streamOptions?.include_usage === true,
    }
  }

  /** Turns text or chat into token ids when the model works on tokens, so the engine sees exact ids. */
  #input(input: GenerateInput): GenerateInput {
    const tok = this.model.tokenizer
    if (!this.model.capabilities.tokens || !tok) {
      if (input.kind === 'tokens') {
        if (!tok) throw new HttpError(400, 'prompt: this model does not accept token-id prompts', 'unsupported_token_prompt')
        return {kind: 'text', prompt: tok.decode(input.tokenIds)}
      }
      return input
    }
    if (input.kind === 'text') return {kind: 'tokens', tokenIds: tok.encode(input.prompt)}
    if (input.kind === 'chat' && tok.applyChatTemplate) return {kind: 'tokens', tokenIds: tok.encode(tok.applyChatTemplate(input.messages, {addGenerationPrompt: true}))}
    return input
  }

  #checkContext(input: GenerateInput, maxTokens: number): void {
    const ctx = this.model.contextLength
    if (!ctx || input.kind !== 'tokens') return
    const n = input.tokenIds.length
    if (n + maxTokens > ctx) {
      throw new HttpError(400, `This model's maximum context length is ${ctx} tokens. However, you requested ${n + maxTokens} tokens (${n} in the prompt, ${maxTokens} in the completion). Please reduce the length of the prompt or the completion.`, 'context_length_exceeded')
    }
  }

  async #completion(body: Record<string, unknown>, res: ServerResponse, signal: AbortSignal): Promise<GenerateResult['usage']> {
    const o = this.#sampling(body, signal, false)
    let prompt = body.prompt
    if (Array.isArray(prompt) && prompt.length === 1 && (typeof prompt[0] === 'string' || Array.isArray(prompt[0]))) prompt = prompt[0]
    let input: GenerateInput
    if (typeof prompt === 'string') input = {kind: 'text', prompt}
    else if (Array.isArray(prompt) && prompt.length > 0 && prompt.every((t) => Number.isInteger(t) && t >= 0)) input = {kind: 'tokens', tokenIds: prompt as number[]}
    else throw new HttpError(400, 'prompt: expected a string, an array of token ids, or a one-element array of either', 'invalid_prompt')
    input = this.#input(input)
    this.#checkContext(input, o.maxTokens)
    return this.#respond('text_completion', input, o, res)
  }

  async #chat(body: Record<string, unknown>, res: ServerResponse, signal: AbortSignal): Promise<GenerateResult['usage']> {
    const o = this.#sampling(body, signal, true)
    const messages = body.messages
    if (!Array.isArray(messages) || messages.length === 0) throw new HttpError(400, 'messages: expected a non-empty array', 'invalid_messages')
    const parsed: ChatMessage[] = messages.map((m, i) => {
      const role = (m as {role?: unknown})?.role
      let content = (m as {content?: unknown})?.content
      if (Array.isArray(content)) content = content.map((p: {text?: string}) => p?.text ?? '').join('')
      if (typeof content !== 'string' || !['system', 'user', 'assistant', 'tool'].includes(role as string)) throw new HttpError(400, `messages[${i}]: expected {role: system|user|assistant|tool, content: string}`, 'invalid_messages')
      return {role: role as ChatMessage['role'], content}
    })
    const input = this.#input({kind: 'chat', messages: parsed})
    this.#checkContext(input, o.maxTokens)
    return this.#respond('chat.completion', input, o, res)
  }

  /**
   * Generates and answers in OpenAI's shape. Streaming writes a chunk per token as the model samples it (models
   * that report tokens through `onToken`; others in one chunk at the end). Text a client sees never contains a
   * stop token's text (`<|im_end|>`), nor — unless include_stop_str_in_output — a matched stop string; token ids
   * and log-probs keep every sampled token, the stop token included, as vLLM returns them.
   */
  async #respond(object: 'chat.completion' | 'text_completion', input: GenerateInput, o: Options, res: ServerResponse): Promise<GenerateResult['usage']> {
    const chat = object === 'chat.completion'
    const id = `${chat ? 'chatcmpl' : 'cmpl'}-${++this.#counter}`
    const created = now()
    const view = new TokenView(this.model, o)
    if (!o.stream) {
      const result = await this.model.generate(input, o)
      const meta = this.#meta(result)
      const text = view.visibleText(result)
      const ids = result.tokenIds ?? []
      const logprobs = !o.logprobs || !result.logprobs ? null : ids.length > 0 ? view.logprobs(chat, 0, ids, result.logprobs, result.topLogprobs) : chat ? {content: result.logprobs.map((lp, i) => entry(i === 0 ? text : '', lp))} : {tokens: [text], token_logprobs: result.logprobs, top_logprobs: null, text_offset: [0]}
      const choice = {index: 0, ...(chat ? {message: {role: 'assistant', content: text}} : {text}), logprobs, finish_reason: finish(result), stop_reason: stopReason(result, o), ...(o.returnIds && result.tokenIds ? {token_ids: result.tokenIds} : {})}
      sendJson(res, 200, {id, object, created, model: this.#name, ...meta, choices: [choice], usage: usageOf(result)})
      return result.usage
    }
    startSse(res)
    const chunkObject = chat ? 'chat.completion.chunk' : 'text_completion'
    const send = (choice: Record<string, unknown>, meta: Record<string, unknown>) => {
      if (!res.writableEnded) res.write(sseEvent({id, object: chunkObject, created, model: this.#name, ...meta, choices: [{index: 0, ...choice}]}))
    }
    const delta = (text: string) => (chat ? {delta: {content: text}} : {text})
    if (chat) send({delta: {role: 'assistant', content: ''}, logprobs: null, finish_reason: null}, {system_fingerprint: 'ars'})
    const streamed: {ids: number[]; logprobs: number[]; top: TopLogprob[][]} = {ids: [], logprobs: [], top: []}
    const onToken = (t: GeneratedToken) => {
      const offset = streamed.ids.length
      streamed.ids.push(t.tokenId)
      streamed.logprobs.push(t.logprob)
      if (t.topLogprobs) streamed.top.push(t.topLogprobs)
      const text = view.pushToken(t.tokenId)
      const meta = t.version === undefined ? {system_fingerprint: 'ars'} : {system_fingerprint: `ars-policy-v${t.version}`, ars_policy_version: t.version}
      send({...delta(text), logprobs: o.logprobs ? view.logprobs(chat, offset, [t.tokenId], [t.logprob], t.topLogprobs ? [t.topLogprobs] : undefined) : null, finish_reason: null, ...(o.returnIds ? {token_ids: [t.tokenId]} : {})}, meta)
    }
    const result = await this.model.generate(input, {...o, onToken})
    const meta = this.#meta(result)
    // What onToken did not report (a model that does not stream, or tokens after the last report) goes now.
    const ids = result.tokenIds ?? []
    const from = Math.min(streamed.ids.length, ids.length)
    const rest = ids.slice(from)
    const text = view.finish(result)
    const restLogprobs = (result.logprobs ?? []).slice(ids.length > 0 ? from : 0)
    const logprobs = !o.logprobs || !result.logprobs || (ids.length > 0 && rest.length === 0)
      ? null
      : ids.length > 0 ? view.logprobs(chat, from, rest, restLogprobs, result.topLogprobs?.slice(from)) : chat ? {content: restLogprobs.map((lp, i) => entry(i === 0 ? text : '', lp))} : {tokens: [text], token_logprobs: restLogprobs, top_logprobs: null, text_offset: [0]}
    send({...delta(text), logprobs, finish_reason: finish(result), stop_reason: stopReason(result, o), ...(o.returnIds && result.tokenIds ? {token_ids: rest} : {})}, meta)
    if (o.includeUsage) send({}, {usage: usageOf(result)})
    if (!res.writableEnded) res.end(sseEvent('[DONE]'))
    return result.usage
  }

  #meta(result: GenerateResult): Record<string, unknown> {
    return result.policyVersion === undefined ? {system_fingerprint: 'ars'} : {system_fingerprint: `ars-policy-v${result.policyVersion}`, ars_policy_version: result.policyVersion}
  }
}

type Options = SamplingOptions & {includeStop: boolean; stream: boolean; asTokenIds: boolean; returnIds: boolean; includeUsage: boolean}

/** The most alternatives a request may ask for (vLLM's default max_logprobs). */
const MAX_TOP_LOGPROBS = 20

function entry(token: string, logprob: number, top?: Array<{token: string; logprob: number}>) {
  return {token, logprob, bytes: [...Buffer.from(token)], top_logprobs: (top ?? []).map((t) => ({token: t.token, logprob: t.logprob, bytes: [...Buffer.from(t.token)]}))}
}

/**
 * What clients see of generated tokens: per-token strings (`token_id:N` when asked, as vLLM), log-prob objects in
 * the chat or completions shape, and the visible text, released a token at a time while streaming. A streamed
 * delta never ends inside a UTF-8 character (a trailing U+FFFD is held back) nor with the start of a stop string
 * that will be cut (held back until it is known not to be one), so the deltas concatenate to the final text.
 */
class TokenView {
  readonly #tok: TextTokenizer | undefined
  readonly #stopIds: Set<number>
  readonly #o: Options
  readonly #ids: number[] = []
  #emitted = 0
  #offset = 0
  #stoppedByToken = false

  constructor(model: LanguageModel, o: Options) {
    this.#tok = model.tokenizer
    this.#stopIds = new Set(model.stopTokenIds ?? [])
    this.#o = o
  }

  token(id: number): string {
    return this.#o.asTokenIds ? `token_id:${id}` : this.#tok ? this.#tok.decode([id]) : ''
  }

  /** Log-probs of tokens starting at index `from`, in the chat (`content`) or completions shape. */
  logprobs(chat: boolean, _from: number, ids: number[], lps: number[], top?: TopLogprob[][]) {
    const named = (alts: TopLogprob[] | undefined) => alts?.map((a) => ({token: this.token(a.tokenId), logprob: a.logprob}))
    if (chat) return {content: ids.map((id, i) => entry(this.token(id), lps[i] ?? 0, named(top?.[i])))}
    const offsets: number[] = []
    for (const id of ids) {
      offsets.push(this.#offset)
      if (this.#tok) this.#offset += this.#stopIds.has(id) ? 0 : this.#tok.decode([id]).length
    }
    return {
      tokens: ids.map((id) => this.token(id)),
      token_logprobs: ids.map((_, i) => lps[i] ?? 0),
      top_logprobs: top ? ids.map((_, i) => Object.fromEntries((named(top[i]) ?? []).map((a) => [a.token, a.logprob]))) : null,
      text_offset: offsets,
    }
  }

  /** Adds a sampled token; returns the text that can be shown now. */
  pushToken(id: number): string {
    if (this.#stoppedByToken) return ''
    if (this.#stopIds.has(id)) {
      this.#stoppedByToken = true
      return ''
    }
    this.#ids.push(id)
    if (!this.#tok) return ''
    const full = this.#tok.decode(this.#ids)
    let end = full.length
    while (end > this.#emitted && full[end - 1] === '\uFFFD') end--
    if (!this.#o.includeStop && this.#o.stop) end -= heldForStop(full.slice(0, end), this.#o.stop)
    if (end <= this.#emitted) return ''
    const text = full.slice(this.#emitted, end)
    this.#emitted = end
    return text
  }

  /** The rest of the visible text once generation is over. */
  finish(result: GenerateResult): string {
    const text = this.visibleText(result)
    return text.slice(Math.min(this.#emitted, text.length))
  }

  /** The reply text: without a stop token's text, and without the matched stop string unless asked. */
  visibleText(result: GenerateResult): string {
    const ids = result.tokenIds
    const last = ids?.at(-1)
    if (result.finishReason === 'stop' && ids && last !== undefined && this.#stopIds.has(last) && this.#tok) return this.#tok.decode(ids.slice(0, -1))
    const o = this.#o
    if (o.includeStop || result.finishReason !== 'stop' || !o.stop) return result.text
    const s = o.stop.find((x) => x && result.text.endsWith(x))
    return s ? result.text.slice(0, -s.length) : result.text
  }
}

/** Length of the longest suffix of `text` that is a (possibly whole) prefix of a stop string. */
function heldForStop(text: string, stops: string[]): number {
  let held = 0
  for (const s of stops) {
    for (let k = Math.min(s.length, text.length); k > held; k--) {
      if (text.endsWith(s.slice(0, k))) {
        held = k
        break
      }
    }
  }
  return held
}

function stopReason(result: GenerateResult, o: {stop?: string[]}): string | null {
  if (result.finishReason !== 'stop' || !o.stop) return null
  return o.stop.find((x) => x && result.text.endsWith(x)) ?? null
}

function finish(result: GenerateResult): string {
  return result.finishReason === 'length' ? 'length' : result.finishReason === 'abort' ? 'abort' : 'stop'
}

function usageOf(result: GenerateResult) {
  return {prompt_tokens: result.usage.promptTokens, completion_tokens: result.usage.completionTokens, total_tokens: result.usage.promptTokens + result.usage.completionTokens}
}

function now(): number {
  return Math.floor(Date.now() / 1000)
}

function startSse(res: ServerResponse): void {
  res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive'})
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value)
  res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)})
  res.end(text)
}

async function readBody(req: IncomingMessage, max: number): Promise<Record<string, unknown>> {
  const parts: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > max) throw new HttpError(413, `request body larger than ${max} bytes`, 'body_too_large')
    parts.push(chunk as Buffer)
  }
  let value: unknown
  try {
    value = JSON.parse(Buffer.concat(parts).toString('utf8'))
  } catch (error) {
    throw new HttpError(400, `body: malformed JSON (${(error as Error).message})`, 'invalid_json')
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new HttpError(400, 'body: expected a JSON object', 'invalid_json')
  return value as Record<string, unknown>
}

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error
  if (error instanceof ContextOverflowError) return new HttpError(400, error.message, 'context_length_exceeded')
  if (isAbortError(error)) return new HttpError(499, 'request aborted', 'aborted', 'aborted')
  if (isArsError(error)) return new HttpError(error.exit === 2 ? 400 : 500, error.message, error.code, error.exit === 2 ? 'invalid_request_error' : 'server_error')
  return new HttpError(500, (error as Error)?.message ?? String(error), 'internal_error', 'server_error')
}
