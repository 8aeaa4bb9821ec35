// A model as a Hugging Face folder (config.json, generation_config.json, tokenizer files, model.safetensors):
// load it with validation, and save it atomically (a temp folder renamed into place) so a crash never leaves half.
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {existsSync, statSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {DataError, UsageError} from '../core/index.js'
import {stageDir} from '../core/index.js'
import {parseModelConfig, toHfConfig, type ModelConfig, type Weights} from './config.js'
import {loadWeights, saveWeights, type SaveWeightsOptions} from './safetensors.js'
import {CHAT_TEMPLATE_FILE, HfTokenizer, readTokenizerFiles, TOKENIZER_CONFIG_FILE, TOKENIZER_FILE, type TokenizerFiles} from './tokenizer.js'

export const CONFIG_FILE = 'config.json'
export const GENERATION_CONFIG_FILE = 'generation_config.json'

export interface Checkpoint {
  config: ModelConfig
  weights: Weights
  tokenizer?: TokenizerFiles
  generationConfig?: Record<string, unknown>
  /** Stored dtype per tensor when loaded from disk. */
  dtypes?: Map<string, string>
}

/** Read and validate `config.json` of a model folder. */
export async function loadModelConfig(dir: string): Promise<ModelConfig> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`${dir}: not a model folder`, {code: 'model-folder', fix: 'Pass a Hugging Face model folder (create one with `ars model init`).'})
  }
  const path = join(dir, CONFIG_FILE)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new UsageError(`${dir}: no ${CONFIG_FILE}`, {code: 'model-folder', fix: 'Pass a Hugging Face model folder (create one with `ars model init`).'})
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new DataError(`not valid JSON (${(error as Error).message})`, {code: 'model-config', where: path, fix: 'Fix or regenerate config.json.'})
  }
  return parseModelConfig(json, path)
}

export interface LoadCheckpointOptions {
  /** Also read tokenizer.json/tokenizer_config.json (default true; absent files are an error only when true). */
  tokenizer?: boolean
}

/** Load config, weights (fp32), tokenizer files and generation config from a Hugging Face folder. */
export async function loadCheckpoint(dir: string, options: LoadCheckpointOptions = {}): Promise<Checkpoint> {
  const config = await loadModelConfig(dir)
  const {weights, dtypes} = await loadWeights(dir, config)
  const checkpoint: Checkpoint = {config, weights, dtypes}
  if (options.tokenizer ?? true) {
    checkpoint.tokenizer = await readTokenizerFiles(dir)
    // A tokenizer that can emit ids past vocab_size would index outside the embedding: refuse it up front.
    new HfTokenizer(checkpoint.tokenizer, join(dir, TOKENIZER_FILE)).checkMatches(config, join(dir, CONFIG_FILE))
  }
  const generationPath = join(dir, GENERATION_CONFIG_FILE)
  if (existsSync(generationPath)) {
    try {
      checkpoint.generationConfig = JSON.parse(await readFile(generationPath, 'utf8')) as Record<string, unknown>
    } catch (error) {
      throw new DataError(`not valid JSON (${(error as Error).message})`, {code: 'model-config', where: generationPath, fix: 'Fix or delete generation_config.json.'})
    }
  }
  return checkpoint
}

export interface SaveCheckpointOptions extends SaveWeightsOptions {
  /** Replace an existing folder (default false: an existing folder is an error). */
  overwrite?: boolean
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}

/** The generation_config.json transformers writes for a config. */
export function defaultGenerationConfig(config: ModelConfig): Record<string, unknown> {
  return {
    bos_token_id: config.bosTokenId,
    eos_token_id: config.eosTokenIds.length === 1 ? config.eosTokenIds[0] : config.eosTokenIds,
    do_sample: false,
    transformers_version: '4.44.0',
  }
}

/**
 * Write a checkpoint as a Hugging Face folder. Everything goes to a sibling temp folder first, which is then
 * renamed over `dir` (an existing `dir` is moved aside and removed only after the rename succeeded).
 */
export async function saveCheckpoint(dir: string, checkpoint: Checkpoint, options: SaveCheckpointOptions = {}): Promise<string[]> {
  const target = resolve(dir)
  const exists = existsSync(target)
  if (exists && !options.overwrite) throw new UsageError(`${dir}: already exists`, {code: 'model-folder', fix: 'Choose a new --out folder, or pass --force to replace it.'})
  if (exists && !statSync(target).isDirectory()) throw new UsageError(`${dir}: exists and is not a folder`, {code: 'model-folder', fix: 'Choose another --out.'})
  await mkdir(dirname(target), {recursive: true})
  const staged = stageDir(target)
  const temp = staged.temp
  await mkdir(temp)
  try {
    const files = await writeModelFiles(temp, checkpoint)
    files.push(...(await saveWeights(temp, checkpoint.weights, options)))
    await staged.commit()
    return files
  } catch (error) {
    await staged.discard()
    throw error
  }
}

/** config.json, generation_config.json and the tokenizer files of a checkpoint (everything but weights). */
export async function writeModelFiles(dir: string, checkpoint: Checkpoint): Promise<string[]> {
  const files = [CONFIG_FILE, GENERATION_CONFIG_FILE]
  await writeFile(join(dir, CONFIG_FILE), json(toHfConfig(checkpoint.config)))
  await writeFile(join(dir, GENERATION_CONFIG_FILE), json(checkpoint.generationConfig ?? defaultGenerationConfig(checkpoint.config)))
  if (checkpoint.tokenizer) {
    await writeFile(join(dir, TOKENIZER_FILE), json(checkpoint.tokenizer.tokenizer))
    await writeFile(join(dir, TOKENIZER_CONFIG_FILE), json(checkpoint.tokenizer.tokenizerConfig))
    files.push(TOKENIZER_FILE, TOKENIZER_CONFIG_FILE)
    // A chat_template.jinja comes back out as one too (tokenizer_config.json also carries it, for older readers).
    const template = checkpoint.tokenizer.tokenizerConfig.chat_template
    if (checkpoint.tokenizer.chatTemplateFile && typeof template === 'string') {
      await writeFile(join(dir, CHAT_TEMPLATE_FILE), template)
      files.push(CHAT_TEMPLATE_FILE)
    }
  }
  return files
}
