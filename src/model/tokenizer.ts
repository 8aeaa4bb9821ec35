// Tokenizers from Hugging Face `tokenizer.json` (via @huggingface/tokenizers, the code transformers.js uses) and
// chat templates from `tokenizer_config.json` (via @huggingface/jinja), behind the TextTokenizer interface.
import {readFile} from 'node:fs/promises'
import {existsSync, readFileSync, statSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Tokenizer} from '@huggingface/tokenizers'
import {Template} from '@huggingface/jinja'
import {DataError, UsageError} from '../core/index.js'
import type {ChatMessage, TextTokenizer} from './text-tokenizer.js'
import type {ModelConfig} from './config.js'
import {CHATML_TEMPLATE, createBpeTrainer} from './bpe-trainer.js'

export const TOKENIZER_FILE = 'tokenizer.json'
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json'
/** Where transformers ≥ 4.50 (and 5 always) saves the chat template, beside tokenizer_config.json. */
export const CHAT_TEMPLATE_FILE = 'chat_template.jinja'

/** The two JSON files that define a tokenizer, as objects. */
export interface TokenizerFiles {
  tokenizer: Record<string, unknown>
  tokenizerConfig: Record<string, unknown>
  /** The folder had its chat template in chat_template.jinja (copied into tokenizerConfig.chat_template too). */
  chatTemplateFile?: boolean
}

/**
 * Built-in tokenizers usable without a folder: `byte` is byte-level BPE with no merges plus the agent tokens;
 * `world` is the 2048-id vocabulary trained on the embedded world (datasets/tokenizer-world-2k).
 */
export const TOKENIZER_PRESETS = ['byte', 'world'] as const
export type TokenizerPreset = (typeof TOKENIZER_PRESETS)[number]

/** The folder of the `world` preset (shipped in the package's datasets/). */
export const WORLD_TOKENIZER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'datasets', 'tokenizer-world-2k')

export function tokenizerPreset(name: TokenizerPreset): TokenizerFiles {
  if (name === 'byte') {
    const {tokenizer, tokenizerConfig} = createBpeTrainer({vocabSize: 256 + 13}).finish()
    return {tokenizer, tokenizerConfig}
  }
  if (name === 'world') {
    const read = (file: string) => JSON.parse(readFileSync(join(WORLD_TOKENIZER_DIR, file), 'utf8')) as Record<string, unknown>
    return {tokenizer: read(TOKENIZER_FILE), tokenizerConfig: read(TOKENIZER_CONFIG_FILE)}
  }
  throw new UsageError(`Unknown tokenizer preset ${JSON.stringify(name)}`, {fix: `Use one of ${TOKENIZER_PRESETS.join(', ')} or a folder with tokenizer.json.`})
}

async function readJsonFile(path: string): Promise<Record<string, unknown>> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new UsageError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {code: 'tokenizer', fix: 'Pass a model folder with tokenizer.json.'})
  }
  try {
    const value = JSON.parse(text) as unknown
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('expected a JSON object')
    return value as Record<string, unknown>
  } catch (error) {
    throw new DataError(`not a valid JSON object (${(error as Error).message})`, {code: 'tokenizer', where: path, fix: 'Regenerate the file (ars model tokenizer train, or save_pretrained).'})
  }
}

/**
 * Read tokenizer.json (required), tokenizer_config.json (optional) and chat_template.jinja (optional) from a folder.
 * As in transformers, chat_template.jinja wins over a `chat_template` inside tokenizer_config.json.
 */
export async function readTokenizerFiles(dir: string): Promise<TokenizerFiles> {
  const path = join(dir, TOKENIZER_FILE)
  if (!existsSync(path)) throw new UsageError(`${dir}: no ${TOKENIZER_FILE}`, {code: 'tokenizer', fix: 'Pass a Hugging Face model folder, or a tokenizer preset (byte, world).'})
  const configPath = join(dir, TOKENIZER_CONFIG_FILE)
  const files: TokenizerFiles = {tokenizer: await readJsonFile(path), tokenizerConfig: existsSync(configPath) ? await readJsonFile(configPath) : {}}
  const templatePath = join(dir, CHAT_TEMPLATE_FILE)
  if (existsSync(templatePath)) {
    let template: string
    try {
      template = await readFile(templatePath, 'utf8')
    } catch (error) {
      throw new UsageError(`${templatePath}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {code: 'tokenizer', fix: 'Make the file readable, or delete it to use tokenizer_config.json\'s chat_template.'})
    }
    files.tokenizerConfig = {...files.tokenizerConfig, chat_template: template}
    files.chatTemplateFile = true
  }
  return files
}

/** `--tokenizer DIR|preset`: a folder holding tokenizer.json, or a preset name. */
export async function resolveTokenizerFiles(spec: string): Promise<TokenizerFiles> {
  if ((TOKENIZER_PRESETS as readonly string[]).includes(spec) && !existsSync(spec)) return tokenizerPreset(spec as TokenizerPreset)
  if (existsSync(spec) && statSync(spec).isDirectory()) return readTokenizerFiles(spec)
  throw new UsageError(`--tokenizer ${JSON.stringify(spec)}: not a folder with tokenizer.json nor a preset`, {code: 'tokenizer', fix: `Use a folder with tokenizer.json or one of: ${TOKENIZER_PRESETS.join(', ')}.`})
}

function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (value && typeof value === 'object' && typeof (value as {content?: unknown}).content === 'string') return (value as {content: string}).content
  return undefined
}

/** A Hugging Face tokenizer with its chat template. */
export class HfTokenizer implements TextTokenizer {
  readonly #tokenizer: Tokenizer
  readonly #template: Template | undefined
  readonly #files: TokenizerFiles
  readonly #where: string
  /** One past the largest token id (base vocabulary and added tokens). */
  readonly vocabSize: number
  readonly eosToken: string | undefined
  readonly bosToken: string | undefined

  constructor(files: TokenizerFiles, where = TOKENIZER_FILE) {
    this.#files = files
    this.#where = where
    const model = files.tokenizer.model as {type?: string; vocab?: unknown} | undefined
    if (!model || typeof model !== 'object') throw new DataError('missing "model"', {code: 'tokenizer', where, fix: 'Pass a Hugging Face tokenizer.json.'})
    if (model.type === 'WordLevel') {
      // @huggingface/tokenizers maps unknown words to null with WordLevel; refuse instead of producing bad ids.
      throw new DataError('WordLevel tokenizers are not supported (unknown words would be lost)', {code: 'tokenizer', where, fix: 'Train a byte-level BPE tokenizer with `ars model tokenizer train`.'})
    }
    try {
      this.#tokenizer = new Tokenizer(files.tokenizer, files.tokenizerConfig)
    } catch (error) {
      throw new DataError(`cannot load tokenizer (${(error as Error).message})`, {code: 'tokenizer', where, fix: 'Pass a Hugging Face tokenizer.json (BPE, Unigram or WordPiece).'})
    }
    let maxId = -1
    for (const id of this.#tokenizer.get_vocab(true).values()) if (id > maxId) maxId = id
    this.vocabSize = maxId + 1
    const template = files.tokenizerConfig.chat_template
    const templateText = typeof template === 'string' ? template : Array.isArray(template) ? (template as {name?: string; template?: string}[]).find((t) => t.name === 'default')?.template : undefined
    try {
      this.#template = templateText ? new Template(templateText) : undefined
    } catch (error) {
      throw new DataError(`chat template does not parse (${(error as Error).message})`, {code: 'tokenizer', where: join(dirname(where), files.chatTemplateFile ? CHAT_TEMPLATE_FILE : TOKENIZER_CONFIG_FILE), fix: 'Fix the Jinja template, or delete it to use ChatML.'})
    }
    this.eosToken = tokenContent(files.tokenizerConfig.eos_token)
    this.bosToken = tokenContent(files.tokenizerConfig.bos_token)
  }

  static async load(dir: string): Promise<HfTokenizer> {
    return new HfTokenizer(await readTokenizerFiles(dir), join(dir, TOKENIZER_FILE))
  }

  get files(): TokenizerFiles {
    return this.#files
  }

  get hasChatTemplate(): boolean {
    return this.#template !== undefined
  }

  encode(text: string): number[] {
    return this.#tokenizer.encode(text, {add_special_tokens: false}).ids
  }

  decode(ids: readonly number[]): string {
    if (ids.length === 0) return '' // the library rejects empty arrays
    return this.#tokenizer.decode([...ids], {skip_special_tokens: false, clean_up_tokenization_spaces: false})
  }

  tokenToId(token: string): number | undefined {
    return this.#tokenizer.token_to_id(token)
  }

  idToToken(id: number): string | undefined {
    return this.#tokenizer.id_to_token(id)
  }

  /** Ids of the end-of-sequence tokens generation should stop at: eos_token plus `<|endoftext|>` when present. */
  stopTokenIds(): number[] {
    const ids = new Set<number>()
    for (const token of [this.eosToken, '<|im_end|>', '<|endoftext|>']) {
      const id = token === undefined ? undefined : this.tokenToId(token)
      if (id !== undefined) ids.add(id)
    }
    return [...ids]
  }

  applyChatTemplate(messages: ChatMessage[], options: {addGenerationPrompt?: boolean} = {}): string {
    const template = this.#template ?? new Template(CHATML_TEMPLATE)
    return template.render({
      messages,
      add_generation_prompt: options.addGenerationPrompt ?? true,
      bos_token: this.bosToken ?? '',
      eos_token: this.eosToken ?? '',
    })
  }

  /** Throw when the tokenizer can produce ids the model has no embedding for. */
  checkMatches(config: ModelConfig, configWhere = 'config.json'): void {
    if (this.vocabSize > config.vocabSize) {
      throw new DataError(`tokenizer has ${this.vocabSize} token ids but ${configWhere} has vocab_size ${config.vocabSize}`, {
        code: 'tokenizer-vocab',
        where: this.#where,
        fix: 'Use the tokenizer the model was made with (or re-initialise the model with `ars model init --tokenizer`).',
      })
    }
  }
}
