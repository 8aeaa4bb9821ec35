// The one place `--model` specs become LanguageModels: `openai:ID`, `onnx:DIR`, a model folder path, or
// `scripted:FILE`. The local engine is imported lazily so `ars --help` and text-only runs never load onnxruntime.
import {existsSync, statSync} from 'node:fs'
import {UsageError} from '../core/index.js'
import {ByteTokenizer} from './byte-tokenizer.js'
import {OpenAIModel} from './openai.js'
import {ScriptedModel} from './scripted.js'
import type {LanguageModel, TextTokenizer} from './language-model.js'

export const MODEL_SPEC_FORMATS = [
  'openai:MODEL_ID        an OpenAI-compatible server (vLLM, SGLang, llama.cpp, Ollama, `ars serve model`); --base-url or OPENAI_BASE_URL',
  'onnx:DIR or DIR        a model folder (config.json, tokenizer.json, model.onnx) run in process',
  'scripted:FILE.jsonl    replays scripted turns (tests, benchmarks)',
] as const

export interface ResolveModelOptions {
  /**
   * openai: server root ending in /v1. Several (or `KIND=URL`): a GenerationPool over them (load-balanced,
   * health-checked, a failed request sent again to another server).
   */
  baseUrl?: string | readonly string[]
  /**
   * Token-level work for openai:/scripted: — a TextTokenizer, `byte` (the byte-level test tokenizer), or a
   * folder/tokenizer.json path. onnx: models always use their own.
   */
  tokenizer?: TextTokenizer | string
  /** openai: requests in flight (default 64). */
  concurrency?: number
  /** openai: per-attempt timeout in ms. */
  timeoutMs?: number
  retries?: number
  stream?: boolean
  contextLength?: number
  /** onnx: sequences decoded together (default 16). */
  maxBatchSize?: number
  /** onnx: onnxruntime intra-op threads. */
  threads?: number
  /** onnx: what a published version does to requests in flight (`ars serve model`: drain). */
  swapMode?: 'interrupt' | 'drain'
}

export async function resolveModel(spec: string, options: ResolveModelOptions = {}): Promise<LanguageModel> {
  const s = spec.trim()
  const colon = s.indexOf(':')
  const provider = colon > 0 && !/^[a-zA-Z]:[\\/]/.test(s) ? s.slice(0, colon) : ''
  const rest = provider ? s.slice(colon + 1) : s
  switch (provider) {
    case 'openai': {
      const urls = (typeof options.baseUrl === 'string' ? [options.baseUrl] : options.baseUrl)?.flatMap((u) => u.split(',')).map((u) => u.trim()).filter(Boolean)
      if (urls && (urls.length > 1 || urls.some((u) => /^[a-z]+=/.test(u)))) {
        const {GenerationPool, parseGenerationServers} = await import('./generation-pool.js')
        return GenerationPool.open({servers: parseGenerationServers(urls, '--base-url'), model: rest, tokenizer: await resolveTokenizer(options.tokenizer), concurrency: options.concurrency, timeoutMs: options.timeoutMs, stream: options.stream, contextLength: options.contextLength,
          onEvent: (e) => void process.stderr.write(`warning: model server ${e.url} ${e.kind === 'down' ? `is out: ${e.reason}` : `is back (${e.reason})`}\n`)})
      }
      const model = new OpenAIModel(rest, {baseUrl: urls?.[0], tokenizer: await resolveTokenizer(options.tokenizer), concurrency: options.concurrency, timeoutMs: options.timeoutMs, retries: options.retries, stream: options.stream, contextLength: options.contextLength})
      // Before any episode starts, so the agent loop fits prompts and max_tokens to the server's real context.
      await model.discoverContext()
      return model
    }
    case 'scripted':
      if (!rest) throw formatError(spec, 'scripted: needs a file')
      return ScriptedModel.fromFile(rest, {tokenizer: await resolveTokenizer(options.tokenizer), contextLength: options.contextLength})
    case 'onnx':
      return loadOnnx(rest, spec, options)
    case '':
      if (s && existsSync(s) && statSync(s).isDirectory()) return loadOnnx(s, spec, options)
      if (s && existsSync(s)) throw formatError(spec, `${s} is a file, not a model folder`)
      throw formatError(spec, s ? `no provider prefix and no folder ${s}` : 'empty model spec')
    default:
      throw formatError(spec, `unknown provider ${JSON.stringify(provider)}`)
  }
}

function formatError(spec: string, why: string): UsageError {
  return new UsageError(`--model ${JSON.stringify(spec)}: ${why}`, {code: 'model-spec', fix: `Expected one of:\n    ${MODEL_SPEC_FORMATS.join('\n    ')}`})
}

export async function resolveTokenizer(tokenizer: TextTokenizer | string | undefined): Promise<TextTokenizer | undefined> {
  if (tokenizer === undefined || typeof tokenizer === 'object') return tokenizer
  if (tokenizer === 'byte') return new ByteTokenizer()
  return loadTokenizerFolder(tokenizer)
}

/** Loads tokenizer.json from a folder (or the file itself) through the model package's tokenizer. */
async function loadTokenizerFolder(path: string): Promise<TextTokenizer> {
  if (!existsSync(path)) throw new UsageError(`--tokenizer ${path}: no such file or folder`, {code: 'tokenizer-missing', fix: 'Pass a model folder with tokenizer.json, a tokenizer.json file, or "byte".'})
  const {loadTokenizer} = await import('./local-tokenizer.js')
  return loadTokenizer(path)
}

async function loadOnnx(dir: string, spec: string, options: ResolveModelOptions): Promise<LanguageModel> {
  if (!dir) throw formatError(spec, 'onnx: needs a model folder')
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--model ${JSON.stringify(spec)}: ${dir} is not a folder`, {code: 'model-missing', fix: 'Pass a model folder with config.json, tokenizer.json and weights: model.safetensors (a Hugging Face folder, e.g. datasets/policy-search-sft or runs/r1/latest) or onnx/model.onnx (`ars export --format onnx`).'})
  const {loadOnnxModel} = await import('./onnx-model.js')
  return loadOnnxModel(dir, {maxBatchSize: options.maxBatchSize, threads: options.threads, contextLength: options.contextLength, ...(options.swapMode ? {swapMode: options.swapMode} : {})})
}
