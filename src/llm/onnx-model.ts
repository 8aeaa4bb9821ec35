// `onnx:DIR` (or a model folder path): the in-process generation engine (continuous batching over a KV cache)
// as a LanguageModel, with the folder's tokenizer and chat template. Generated tokens carry the behaviour
// log-prob (temperature-1 policy log-prob, what decoupled PPO needs) and the policy version that sampled them.
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {UsageError} from '../core/index.js'
import {ContextOverflowError} from './errors.js'
import type {GenerateInput, GenerateResult, LanguageModel, SamplingOptions, TextTokenizer} from './language-model.js'
import type {GenerationEngine} from '../model/onnx/engine.js'
import type {HfTokenizer} from '../model/index.js'
import type {ModelConfig} from '../model/index.js'

export interface OnnxModelOptions {
  /** Most sequences decoded together (default 16). */
  maxBatchSize?: number
  /** onnxruntime intra-op threads (default: onnxruntime's choice). */
  threads?: number
  /** Refuse prompt + max_tokens beyond this (default and upper bound: the config's max_position_embeddings). */
  contextLength?: number
  /** What a published version does to requests in flight (default interrupt; `ars serve model` uses drain). */
  swapMode?: 'interrupt' | 'drain'
}

export class OnnxModel implements LanguageModel {
  readonly specificationVersion = 'ars-lm-v1' as const
  readonly id: string
  readonly capabilities = {tokens: true, logprobs: true, chat: true}
  readonly tokenizer: TextTokenizer
  readonly contextLength: number
  readonly engine: GenerationEngine
  readonly config: ModelConfig
  readonly #stopIds: number[]

  get stopTokenIds(): readonly number[] {
    return this.#stopIds
  }

  constructor(id: string, engine: GenerationEngine, tokenizer: HfTokenizer, config: ModelConfig, contextLength?: number) {
    this.id = id
    this.engine = engine
    this.tokenizer = tokenizer
    this.config = config
    this.contextLength = Math.min(config.maxPositions, contextLength ?? Infinity)
    this.#stopIds = [...new Set([...tokenizer.stopTokenIds(), ...config.eosTokenIds])]
  }

  async generate(input: GenerateInput, o: SamplingOptions): Promise<GenerateResult> {
    const tok = this.tokenizer
    const tokenIds = input.kind === 'tokens' ? input.tokenIds : tok.encode(input.kind === 'text' ? input.prompt : tok.applyChatTemplate!(input.messages, {addGenerationPrompt: true}))
    if (tokenIds.length === 0) throw new UsageError('onnx model: empty prompt', {code: 'model-prompt', fix: 'Give at least one prompt token.'})
    if (tokenIds.length + o.maxTokens > this.contextLength) {
      throw new ContextOverflowError(`${this.id}: ${tokenIds.length} prompt tokens + ${o.maxTokens} to generate exceed the context of ${this.contextLength}`, {promptTokens: tokenIds.length, contextLength: this.contextLength})
    }
    const r = await this.engine.generate({tokenIds, maxTokens: o.maxTokens, temperature: o.temperature ?? 1, topP: o.topP, topK: o.topK, seed: o.seed, stop: o.stop, stopTokenIds: o.ignoreEos ? [] : this.#stopIds, signal: o.signal,
      ...(o.topLogprobs ? {topLogprobs: o.topLogprobs} : {}),
      ...(o.onToken ? {onToken: o.onToken} : {})})
    if (r.finishReason === 'abort' && o.signal?.aborted) throw o.signal.reason ?? new DOMException('aborted', 'AbortError')
    return {
      text: r.text ?? tok.decode(r.tokenIds),
      tokenIds: r.tokenIds,
      logprobs: r.logprobs,
      finishReason: r.finishReason,
      policyVersion: r.policyVersions[0] ?? r.policyVersion,
      policyVersions: r.policyVersions,
      ...(r.topLogprobs ? {topLogprobs: r.topLogprobs} : {}),
      usage: {promptTokens: r.promptTokens, completionTokens: r.tokenIds.length},
    }
  }

  async close(): Promise<void> {
    await this.engine.close()
  }
}

/** Loads config.json, tokenizer files and weights (model.onnx when present, else safetensors) from a folder. */
export async function loadOnnxModel(dir: string, options: OnnxModelOptions = {}): Promise<OnnxModel> {
  const [{loadModelConfig, loadWeights, HfTokenizer, readTokenizerFiles}, {GenerationEngine}] = await Promise.all([
    import('../model/index.js'),
    import('../model/onnx/engine.js'),
  ])
  // `ars export --format onnx` writes onnx/model.onnx (the transformers.js layout); loading by path lets
  // onnxruntime find onnx/model.onnx_data for models with external weights.
  const onnxPath = [join(dir, 'onnx', 'model.onnx'), join(dir, 'model.onnx')].find((p) => existsSync(p))
  let config: ModelConfig
  let model: string | Awaited<ReturnType<typeof loadWeights>>['weights']
  config = await loadModelConfig(dir)
  if (onnxPath) {
    model = onnxPath
  } else {
    // Lazily: the engine converts tensor by tensor into its model file, so the whole model is never in JS memory.
    model = (await loadWeights(dir, config, {lazy: true})).weights
  }
  const tokenizer = new HfTokenizer(await readTokenizerFiles(dir), join(dir, 'tokenizer.json'))
  tokenizer.checkMatches(config, join(dir, 'config.json'))
  const engine = await GenerationEngine.create({config, model, decoder: tokenizer, maxBatchSize: options.maxBatchSize, ...(options.swapMode ? {swapMode: options.swapMode} : {}), ...(options.threads ? {intraOpNumThreads: options.threads} : {})})
  return new OnnxModel(`onnx:${dir}`, engine, tokenizer, config, options.contextLength)
}
