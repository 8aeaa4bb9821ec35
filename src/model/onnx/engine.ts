// The generation engine over onnxruntime: a KV-cached decoder stepping a batch of concurrent requests (new
// requests join the running batch: continuous batching), seeded sampling, stop strings/tokens, behaviour
// log-probs, and weight versions published while requests are in flight (interrupt-and-resume by default).
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {UsageError} from '../../core/index.js'
import {Rng} from '../../core/index.js'
import type {TextTokenizer} from '../text-tokenizer.js'
import type {ModelConfig, Weights} from '../config.js'
import {buildDecoderModel} from './graph.js'
import {weightBytes, writeDecoderModelFiles} from './model-files.js'
import {OnnxSession, type HostTensor, type SessionOptions} from './runtime.js'
import {sampleToken} from './sampling.js'

export interface GenerationRequest {
  /** The prompt as token ids (at least one). */
  tokenIds: readonly number[]
  /** Most tokens to generate (≥ 1). */
  maxTokens: number
  /** 0 = greedy. Default 1. */
  temperature?: number
  /** Default 1 (off). */
  topP?: number
  /** Default 0 (off). */
  topK?: number
  /** Seeds this request's own random stream: same seed, same tokens, whatever else is in the batch. Default 0. */
  seed?: number
  /** Stop after any of these strings appears in the generated text (kept in the output). Needs a decoder. */
  stop?: readonly string[]
  /** Stop after sampling one of these ids (kept in the output). Default: the config's eos_token_id(s). */
  stopTokenIds?: readonly number[]
  /** Also record the N most likely tokens of each step (policy log-probs, temperature 1). Default 0. */
  topLogprobs?: number
  /** Called synchronously with each sampled token (for streaming); an exception it throws is ignored. */
  onToken?: (token: {tokenId: number; logprob: number; version: number; topLogprobs?: {tokenId: number; logprob: number}[]}) => void
  signal?: AbortSignal
}

export interface GenerationResult {
  tokenIds: number[]
  /**
   * Behaviour log-prob of each generated token under the policy: log softmax(logits)[token] at temperature 1
   * over the full vocabulary — log π_θ(token | context) for the weights in `policyVersions[i]`, what
   * decoupled PPO needs. Independent of the request's temperature/top-k/top-p.
   */
  logprobs: number[]
  /** Log-prob under the distribution actually sampled (temperature, top-k, top-p applied); 0 when greedy. */
  samplingLogprobs: number[]
  /** Policy version that sampled each token (differs within one result only if it was resumed across a swap). */
  policyVersions: number[]
  /** Version of the last token's policy (the version in force when the request finished). */
  policyVersion: number
  finishReason: 'stop' | 'length' | 'abort'
  /** What stopped it, when finishReason is 'stop'. */
  stoppedBy?: {tokenId: number} | {string: string}
  /** Decoded generated text, when the engine has a decoder. */
  text?: string
  /** With `topLogprobs`: the most likely tokens of each step, most likely first (ties by id). */
  topLogprobs?: {tokenId: number; logprob: number}[][]
  promptTokens: number
}

export type SwapMode = 'interrupt' | 'drain'

export interface EngineOptions extends SessionOptions {
  config: ModelConfig
  /** The initial weights (built into a graph here), a ready ONNX model's bytes, or an .onnx path (external data). */
  model: Weights | Uint8Array | string
  /**
   * Weights of at least this many bytes are built into a temporary model.onnx + model.onnx_data (deleted once
   * the session has read it) instead of one in-memory protobuf: onnxruntime then reads the weights once from disk,
   * and neither the protobuf nor its parse copy exists (decision 0975). Default 64 MiB; 0 = always.
   */
  weightFileThreshold?: number
  /** Version number of the initial model. Default 0. */
  version?: number
  /** Most sequences decoded together. Default 16. */
  maxBatchSize?: number
  /**
   * When the engine builds the graph from weights: use the fused norms (onnxruntime's SimplifiedLayerNormalization
   * and com.microsoft SkipSimplifiedLayerNormalization). Default true: measured 4–11% faster per decode step in
   * most cases (docs/decisions/0553-fused-ops-measured.md); logits are tested equal to the standard graph's.
   */
  fused?: boolean
  /** Turns token ids into text for stop strings and `text`: a TextTokenizer or a decode function. */
  decoder?: TextTokenizer | ((ids: readonly number[]) => string)
  /**
   * What a published version does to requests in flight. 'interrupt' (default, as AReaL): at the next step
   * the batch's KV cache is dropped and every sequence is re-prefilled (prompt + tokens so far) on the new
   * weights and continues; tokens record the version that sampled them. 'drain': no new request joins until
   * the running batch finishes on the old version, then the swap happens.
   */
  swapMode?: SwapMode
  /** Called after every model run (prefill or decode step); the loop awaits it. For progress and tests. */
  onStep?: (info: StepInfo) => void | Promise<void>
}

export interface StepInfo {
  /** Model runs so far in this engine. */
  step: number
  version: number
  active: number
  pending: number
}

interface Sequence {
  request: GenerationRequest
  rng: Rng
  prompt: number[]
  generated: number[]
  logprobs: number[]
  samplingLogprobs: number[]
  versions: number[]
  topLogprobs: {tokenId: number; logprob: number}[][]
  /** Tokens already in the KV cache (prompt + generated minus the last sampled one). */
  cached: number
  stopTokens: Set<number>
  resolve: (result: GenerationResult) => void
  reject: (error: unknown) => void
  finished?: Pick<GenerationResult, 'finishReason' | 'stoppedBy'>
}

interface PendingSwap {
  version: number
  session: OnnxSession
  applied: () => void
}

/** The batch's KV cache: per layer [batch, kvHeads, length, headDim], each row right-aligned (left padding). */
interface BatchCache {
  keys: HostTensor[]
  values: HostTensor[]
  length: number
}

export class GenerationEngine {
  readonly config: ModelConfig
  /** Without `model`: the engine must not keep the initial weights alive once its session has them. */
  readonly #options: Omit<EngineOptions, 'model'>
  readonly #maxBatch: number
  readonly #decode: ((ids: readonly number[]) => string) | undefined
  #session: OnnxSession
  #version: number
  #pending: Sequence[] = []
  #active: Sequence[] = []
  #cache: BatchCache | undefined
  #swap: PendingSwap | undefined
  #loop: Promise<void> | undefined
  #closed = false
  #step = 0

  private constructor(options: Omit<EngineOptions, 'model'>, session: OnnxSession) {
    this.config = options.config
    this.#options = options
    this.#session = session
    this.#version = options.version ?? 0
    this.#maxBatch = options.maxBatchSize ?? 16
    const decoder = options.decoder
    this.#decode = decoder === undefined ? undefined : typeof decoder === 'function' ? decoder : (ids) => decoder.decode(ids)
  }

  static async create(options: EngineOptions): Promise<GenerationEngine> {
    const maxBatch = options.maxBatchSize ?? 16
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new UsageError(`Expected maxBatchSize to be a positive integer, got ${maxBatch}`)
    const {model, ...rest} = options
    const session = await openSession(rest, model)
    return new GenerationEngine(rest, session)
  }

  /** Version of the weights new tokens are sampled with. */
  get version(): number {
    return this.#version
  }

  /** A published version is loaded and waits for the next step (or, in drain mode, for the batch to finish). */
  get swapPending(): boolean {
    return this.#swap !== undefined
  }

  /** Requests queued or decoding. */
  get load(): {active: number; pending: number} {
    return {active: this.#active.length, pending: this.#pending.length}
  }

  generate(request: GenerationRequest): Promise<GenerationResult> {
    if (this.#closed) return Promise.reject(new UsageError('the generation engine is closed'))
    try {
      this.#validate(request)
    } catch (error) {
      return Promise.reject(error)
    }
    return new Promise<GenerationResult>((resolve, reject) => {
      this.#pending.push({
        request,
        rng: new Rng(request.seed ?? 0),
        prompt: [...request.tokenIds],
        generated: [],
        logprobs: [],
        samplingLogprobs: [],
        versions: [],
        topLogprobs: [],
        cached: 0,
        stopTokens: new Set(request.stopTokenIds ?? this.config.eosTokenIds),
        resolve,
        reject,
      })
      this.#kick()
    })
  }

  /**
   * Makes `version` the weights for every token sampled from now on. Resolves once it is in force: at the next
   * step ('interrupt') or when the running batch has drained ('drain'). Requests in flight are never dropped.
   */
  async publish(version: number, model: Weights | Uint8Array | string): Promise<void> {
    if (!Number.isFinite(version)) throw new UsageError(`Expected a finite policy version, got ${version}`)
    const session = await openSession(this.#options, model)
    const previous = this.#swap
    await new Promise<void>((applied) => {
      this.#swap = {version, session, applied}
      if (previous) {
        // Superseded before it took effect: its waiter resolves when this newer one does.
        void previous.session.release()
        const chain = this.#swap.applied
        this.#swap.applied = () => {
          previous.applied()
          chain()
        }
      }
      if (!this.#loop) this.#applySwap()
    })
  }

  /** Finishes nothing new: rejects queued requests, waits for the loop, frees the session. */
  async close(): Promise<void> {
    this.#closed = true
    for (const seq of this.#pending.splice(0)) seq.reject(new UsageError('the generation engine was closed'))
    for (const seq of this.#active) seq.finished ??= {finishReason: 'abort'}
    await this.#loop
    if (this.#swap) await this.#swap.session.release()
    await this.#session.release()
  }

  #validate(request: GenerationRequest): void {
    const {tokenIds, maxTokens} = request
    if (!Array.isArray(tokenIds) && !ArrayBuffer.isView(tokenIds)) throw new UsageError(`Expected tokenIds to be an array of token ids, got ${typeof tokenIds}`)
    if (tokenIds.length === 0) throw new UsageError('Expected at least one prompt token, got an empty tokenIds', {fix: 'Start the prompt with a BOS or chat-template token.'})
    const bad = tokenIds.findIndex((t) => !Number.isInteger(t) || t < 0 || t >= this.config.vocabSize)
    if (bad >= 0) throw new UsageError(`tokenIds[${bad}]: expected a token id in [0, ${this.config.vocabSize}), got ${tokenIds[bad]}`)
    if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new UsageError(`Expected maxTokens to be a positive integer, got ${maxTokens}`)
    if (tokenIds.length >= this.config.maxPositions) {
      throw new UsageError(`the prompt has ${tokenIds.length} tokens; the model's context is ${this.config.maxPositions}`, {fix: 'Shorten the prompt.'})
    }
    const t = request.temperature ?? 1
    if (!(t >= 0) || !Number.isFinite(t)) throw new UsageError(`Expected temperature ≥ 0, got ${request.temperature}`)
    const p = request.topP ?? 1
    if (!(p > 0 && p <= 1)) throw new UsageError(`Expected topP in (0, 1], got ${request.topP}`)
    const k = request.topK ?? 0
    if (!Number.isInteger(k) || k < 0) throw new UsageError(`Expected topK to be a non-negative integer, got ${request.topK}`)
    const top = request.topLogprobs ?? 0
    if (!Number.isInteger(top) || top < 0) throw new UsageError(`Expected topLogprobs to be a non-negative integer, got ${request.topLogprobs}`)
    if ((request.stop?.length ?? 0) > 0 && !this.#decode) {
      throw new UsageError('stop strings need a decoder', {fix: 'Create the engine with `decoder` (a TextTokenizer or a decode(ids) function).'})
    }
    if (request.stop?.some((s) => typeof s !== 'string' || s.length === 0)) throw new UsageError('Expected stop strings to be non-empty strings')
  }

  #kick(): void {
    if (this.#loop) return
    // Start on the next turn so requests submitted together (Promise.all over a batch) prefill together.
    this.#loop = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#run())
      .catch((error: unknown) => {
        for (const seq of [...this.#active, ...this.#pending]) seq.reject(error)
        this.#active = []
        this.#pending = []
        this.#cache = undefined
      })
      .finally(() => {
        this.#loop = undefined
        if (this.#swap) this.#applySwap()
        if (this.#pending.length > 0 && !this.#closed) this.#kick()
      })
  }

  async #run(): Promise<void> {
    while (this.#active.length > 0 || this.#pending.length > 0) {
      this.#dropAborted()
      if (this.#swap) {
        const mode = this.#options.swapMode ?? 'interrupt'
        if (mode === 'interrupt' || this.#active.length === 0) {
          // Interrupt: the cache was computed by the old weights; re-prefill everything on the new ones.
          for (const seq of this.#active) seq.cached = 0
          this.#pending.unshift(...this.#active)
          this.#active = []
          this.#cache = undefined
          this.#applySwap()
        }
      }
      const admitting = !this.#swap
      if (admitting && this.#pending.length > 0 && this.#active.length < this.#maxBatch) {
        const joining = this.#pending.splice(0, this.#maxBatch - this.#active.length)
        await this.#prefill(joining)
      } else if (this.#active.length > 0) {
        await this.#decodeStep()
      }
      this.#retireFinished()
      this.#step += 1
      await this.#options.onStep?.({step: this.#step, version: this.#version, active: this.#active.length, pending: this.#pending.length})
      // Let requests arriving meanwhile (and publish) get in between steps.
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
  }

  #applySwap(): void {
    const swap = this.#swap
    if (!swap) return
    this.#swap = undefined
    const old = this.#session
    this.#session = swap.session
    this.#version = swap.version
    void old.release()
    swap.applied()
  }

  #dropAborted(): void {
    for (const seq of [...this.#active, ...this.#pending]) if (seq.request.signal?.aborted) seq.finished ??= {finishReason: 'abort'}
    const keep = this.#pending.filter((seq) => !seq.finished)
    for (const seq of this.#pending) if (seq.finished) this.#resolve(seq)
    this.#pending = keep
  }

  /** Prefills joining sequences (left-padded together), samples their next token, merges them into the batch. */
  async #prefill(joining: Sequence[]): Promise<void> {
    const contexts = joining.map((seq) => [...seq.prompt, ...seq.generated])
    const length = Math.max(...contexts.map((c) => c.length))
    const n = joining.length
    const ids = new BigInt64Array(n * length)
    const mask = new BigInt64Array(n * length)
    const positions = new BigInt64Array(n * length)
    contexts.forEach((context, row) => {
      const pad = length - context.length
      context.forEach((token, i) => {
        ids[row * length + pad + i] = BigInt(token)
        mask[row * length + pad + i] = 1n
        positions[row * length + pad + i] = BigInt(i)
      })
    })
    const out = await this.#session.run({
      input_ids: {data: ids, dims: [n, length]},
      attention_mask: {data: mask, dims: [n, length]},
      position_ids: {data: positions, dims: [n, length]},
      ...this.#emptyPast(n),
    })
    const vocab = this.config.vocabSize
    const logits = out.logits?.data as Float32Array
    // Graphs built here return the last position's logits only; exported ones return every position.
    const positionsOut = (out.logits as HostTensor).dims[1] as number
    joining.forEach((seq, row) => {
      seq.cached = contexts[row]?.length as number
      const offset = (row * positionsOut + positionsOut - 1) * vocab
      this.#sample(seq, logits.subarray(offset, offset + vocab))
    })
    const presents = this.#presents(out)
    this.#merge(joining, {keys: presents.keys, values: presents.values, length})
  }

  /** One token for every active sequence. */
  async #decodeStep(): Promise<void> {
    const cache = this.#cache as BatchCache
    const batch = this.#active.length
    const total = cache.length + 1
    const ids = new BigInt64Array(batch)
    const mask = new BigInt64Array(batch * total)
    const positions = new BigInt64Array(batch)
    this.#active.forEach((seq, row) => {
      ids[row] = BigInt(seq.generated.at(-1) as number)
      positions[row] = BigInt(seq.cached)
      mask.fill(1n, row * total + (cache.length - seq.cached), (row + 1) * total)
    })
    const feeds: Record<string, HostTensor> = {
      input_ids: {data: ids, dims: [batch, 1]},
      attention_mask: {data: mask, dims: [batch, total]},
      position_ids: {data: positions, dims: [batch, 1]},
    }
    for (let l = 0; l < this.config.numLayers; l++) {
      feeds[`past_key_values.${l}.key`] = cache.keys[l] as HostTensor
      feeds[`past_key_values.${l}.value`] = cache.values[l] as HostTensor
    }
    const out = await this.#session.run(feeds)
    const presents = this.#presents(out)
    this.#cache = {keys: presents.keys, values: presents.values, length: total}
    const vocab = this.config.vocabSize
    const logits = out.logits?.data as Float32Array
    this.#active.forEach((seq, row) => {
      seq.cached += 1
      this.#sample(seq, logits.subarray(row * vocab, (row + 1) * vocab))
    })
  }

  #sample(seq: Sequence, row: Float32Array): void {
    if (seq.finished) return
    const {request} = seq
    const token = sampleToken(row, {temperature: request.temperature ?? 1, topP: request.topP ?? 1, topK: request.topK ?? 0}, seq.rng)
    seq.generated.push(token.tokenId)
    seq.logprobs.push(token.logprob)
    seq.samplingLogprobs.push(token.samplingLogprob)
    seq.versions.push(this.#version)
    const topN = request.topLogprobs ?? 0
    const top = topN > 0 ? topLogprobsOf(row, topN, (row[token.tokenId] as number) - token.logprob) : undefined
    if (top) seq.topLogprobs.push(top)
    if (request.onToken) {
      try {
        request.onToken({tokenId: token.tokenId, logprob: token.logprob, version: this.#version, ...(top ? {topLogprobs: top} : {})})
      } catch {
        // A listener's failure (a closed HTTP response) must not stop the batch.
      }
    }
    if (seq.stopTokens.has(token.tokenId)) seq.finished = {finishReason: 'stop', stoppedBy: {tokenId: token.tokenId}}
    else if (request.stop && request.stop.length > 0) {
      const hit = this.#stopStringHit(seq.generated, request.stop)
      if (hit !== undefined) seq.finished = {finishReason: 'stop', stoppedBy: {string: hit}}
    }
    if (!seq.finished && (seq.generated.length >= request.maxTokens || seq.prompt.length + seq.generated.length >= this.config.maxPositions)) {
      seq.finished = {finishReason: 'length'}
    }
  }

  /**
   * A stop string completed by the last token. Only a tail of the generated ids is decoded: a string of L
   * UTF-16 units spans at most 3L byte-level tokens, so 3L + 8 tokens always contain a fresh occurrence.
   */
  #stopStringHit(generated: number[], stops: readonly string[]): string | undefined {
    const window = Math.max(...stops.map((s) => 3 * s.length + 8))
    const text = (this.#decode as (ids: readonly number[]) => string)(generated.slice(-window))
    return stops.find((s) => text.includes(s))
  }

  /** Removes finished (or aborted) rows from the batch and trims cache columns that are padding in every row. */
  #retireFinished(): void {
    for (const seq of this.#active) if (seq.request.signal?.aborted) seq.finished ??= {finishReason: 'abort'}
    const finished = this.#active.filter((seq) => seq.finished)
    if (finished.length === 0) return
    const keepRows: number[] = []
    this.#active.forEach((seq, row) => {
      if (!seq.finished) keepRows.push(row)
    })
    for (const seq of finished) this.#resolve(seq)
    const cache = this.#cache as BatchCache
    const kept = keepRows.map((row) => this.#active[row] as Sequence)
    this.#active = kept
    if (kept.length === 0) {
      this.#cache = undefined
      return
    }
    const length = Math.max(...kept.map((seq) => seq.cached))
    const drop = cache.length - length
    this.#cache = {
      keys: cache.keys.map((t) => this.#selectRows(t, cache.length, keepRows, drop)),
      values: cache.values.map((t) => this.#selectRows(t, cache.length, keepRows, drop)),
      length,
    }
  }

  /** Copies `rows` of a [batch, kvH, length, D] tensor, dropping the first `drop` (padding) slots. */
  #selectRows(t: HostTensor, length: number, rows: number[], drop: number): HostTensor {
    const {numKvHeads: kvh, headDim: d} = this.config
    const newLength = length - drop
    const src = t.data as Float32Array
    const out = new Float32Array(rows.length * kvh * newLength * d)
    rows.forEach((row, r) => {
      for (let head = 0; head < kvh; head++) {
        const from = ((row * kvh + head) * length + drop) * d
        out.set(src.subarray(from, from + newLength * d), (r * kvh + head) * newLength * d)
      }
    })
    return {data: out, dims: [rows.length, kvh, newLength, d]}
  }

  /** Appends prefilled rows to the batch cache, right-aligning every row to the longer length. */
  #merge(joining: Sequence[], incoming: BatchCache): void {
    const current = this.#cache
    const sequences = [...this.#active, ...joining]
    if (!current) {
      this.#active = sequences
      this.#cache = incoming
      return
    }
    const {numKvHeads: kvh, headDim: d} = this.config
    const length = Math.max(current.length, incoming.length)
    const batch = this.#active.length + joining.length
    const combine = (a: HostTensor, b: HostTensor): HostTensor => {
      const out = new Float32Array(batch * kvh * length * d)
      const place = (src: Float32Array, rows: number, srcLength: number, firstRow: number): void => {
        const shift = length - srcLength
        for (let row = 0; row < rows; row++) {
          for (let head = 0; head < kvh; head++) {
            const from = (row * kvh + head) * srcLength * d
            out.set(src.subarray(from, from + srcLength * d), (((firstRow + row) * kvh + head) * length + shift) * d)
          }
        }
      }
      place(a.data as Float32Array, this.#active.length, current.length, 0)
      place(b.data as Float32Array, joining.length, incoming.length, this.#active.length)
      return {data: out, dims: [batch, kvh, length, d]}
    }
    this.#cache = {
      keys: current.keys.map((k, l) => combine(k, incoming.keys[l] as HostTensor)),
      values: current.values.map((v, l) => combine(v, incoming.values[l] as HostTensor)),
      length,
    }
    this.#active = sequences
  }

  #presents(out: Record<string, HostTensor>): {keys: HostTensor[]; values: HostTensor[]} {
    const keys: HostTensor[] = []
    const values: HostTensor[] = []
    for (let l = 0; l < this.config.numLayers; l++) {
      keys.push(out[`present.${l}.key`] as HostTensor)
      values.push(out[`present.${l}.value`] as HostTensor)
    }
    return {keys, values}
  }

  #emptyPast(batch: number): Record<string, HostTensor> {
    const feeds: Record<string, HostTensor> = {}
    for (let l = 0; l < this.config.numLayers; l++) {
      for (const kind of ['key', 'value']) feeds[`past_key_values.${l}.${kind}`] = {data: new Float32Array(0), dims: [batch, this.config.numKvHeads, 0, this.config.headDim]}
    }
    return feeds
  }

  #resolve(seq: Sequence): void {
    const finished = seq.finished ?? {finishReason: 'abort' as const}
    seq.resolve({
      tokenIds: seq.generated,
      logprobs: seq.logprobs,
      samplingLogprobs: seq.samplingLogprobs,
      policyVersions: seq.versions,
      policyVersion: seq.versions.at(-1) ?? this.#version,
      finishReason: finished.finishReason,
      ...(finished.stoppedBy ? {stoppedBy: finished.stoppedBy} : {}),
      ...(this.#decode ? {text: this.#decode(seq.generated)} : {}),
      ...((seq.request.topLogprobs ?? 0) > 0 ? {topLogprobs: seq.topLogprobs} : {}),
      promptTokens: seq.prompt.length,
    })
  }
}

/** The n largest entries of a logits row as policy log-probs (logit − log Σ exp), largest first, ties by id. */
function topLogprobsOf(row: Float32Array, n: number, logNormaliser: number): {tokenId: number; logprob: number}[] {
  const k = Math.min(n, row.length)
  // A small sorted list beats sorting the vocabulary: k is ≤ 20 in practice.
  const ids: number[] = []
  for (let i = 0; i < row.length; i++) {
    const v = row[i] as number
    if (ids.length === k && v <= (row[ids[k - 1] as number] as number)) continue
    let at = ids.length
    while (at > 0 && (row[ids[at - 1] as number] as number) < v) at--
    ids.splice(at, 0, i)
    if (ids.length > k) ids.pop()
  }
  return ids.map((tokenId) => ({tokenId, logprob: (row[tokenId] as number) - logNormaliser}))
}

const DEFAULT_WEIGHT_FILE_THRESHOLD = 64 * 2 ** 20

/** A session over model bytes, an .onnx path, or weights (built here: inline when small, else through a temp file). */
async function openSession(options: Omit<EngineOptions, 'model'>, model: Weights | Uint8Array | string): Promise<OnnxSession> {
  if (model instanceof Uint8Array || typeof model === 'string') return OnnxSession.create(model, options)
  const graph = {fused: options.fused ?? true, lastTokenLogits: true}
  const threshold = options.weightFileThreshold ?? DEFAULT_WEIGHT_FILE_THRESHOLD
  if (!(threshold >= 0)) throw new UsageError(`Expected weightFileThreshold to be a non-negative number of bytes, got ${threshold}`)
  if (weightBytes(options.config) < threshold) return OnnxSession.create(buildDecoderModel(options.config, model, graph).bytes, options)
  // An in-memory protobuf would hold every weight again, and onnxruntime parses it into a third copy before its
  // own: from a file, onnxruntime reads the weights itself. The file is gone once the session has loaded it.
  const dir = await mkdtemp(join(tmpdir(), 'ars-engine-'))
  try {
    return await OnnxSession.create(writeDecoderModelFiles(dir, options.config, model, graph), options)
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}
