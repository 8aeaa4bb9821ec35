import {Flags} from '@oclif/core'
import {numberFlag} from '../_shared/number-flags.js'
import {existsSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {ArsCommand, sharedFlags} from '../_shared/base-command.js'
import {UsageError, DataError} from '../../src/core/index.js'
import {parseModelConfig, PRESETS, presetConfig, type ModelConfig, type ModelType, type PresetName} from '../../src/model/index.js'
import {initWeights} from '../../src/model/index.js'
import {saveCheckpoint} from '../../src/model/index.js'
import {HfTokenizer, resolveTokenizerFiles} from '../../src/model/index.js'

export default class ModelInit extends ArsCommand {
  static override summary = 'Create a randomly initialised Qwen2 or Qwen3 model folder (Hugging Face layout).'
  static override description = 'Writes config.json, generation_config.json, tokenizer.json, tokenizer_config.json and model.safetensors (fp32). With a preset, vocab_size is the tokenizer\'s size and eos is <|im_end|>.'
  static override examples = [
    'ars model init --preset tiny --tokenizer world --out models/tiny',
    'ars model tokenizer train --vocab-size 4096 --out tok < world/corpus.jsonl && ars model init --preset small --tokenizer tok --out models/small --seed 1',
    'ars model init --preset my-config.json --tokenizer tok --out models/custom',
    'ars model init --preset tiny --arch qwen3 --tokenizer world --out models/tiny-qwen3',
  ]

  static override flags = {
    arch: Flags.string({default: 'qwen2', options: ['qwen2', 'qwen3'], description: 'With a size preset: Qwen2 (q/k/v biases) or Qwen3 (per-head q/k RMSNorm, no biases). A config.json preset states its own.'}),
    preset: Flags.string({default: 'tiny', description: `Size preset (${Object.keys(PRESETS).join(', ')}) or a config.json path.`}),
    tokenizer: Flags.string({default: 'byte', description: 'Folder with tokenizer.json, or a tokenizer preset: byte (269 ids) or world (2048 ids trained on the embedded world).'}),
    out: Flags.string({char: 'o', required: true, description: 'Output folder (must not exist unless --force).'}),
    force: Flags.boolean({default: false, description: 'Replace an existing --out folder.'}),
    std: numberFlag({min: 0, minExclusive: true, default: 0.02, description: 'Standard deviation of the normal initialisation.'}),
    seed: sharedFlags.seed,
    quiet: sharedFlags.quiet,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(ModelInit)
    const files = await resolveTokenizerFiles(flags.tokenizer)
    const tokenizer = new HfTokenizer(files, `${flags.tokenizer}/tokenizer.json`)
    const std = flags.std
    let config: ModelConfig
    if (flags.preset in PRESETS) {
      const eos = tokenizer.tokenToId('<|im_end|>') ?? tokenizer.tokenToId('<|endoftext|>')
      if (eos === undefined) throw new UsageError(`--tokenizer ${flags.tokenizer}: has neither <|im_end|> nor <|endoftext|>`, {fix: 'Train one with `ars model tokenizer train` (it adds the agent tokens).'})
      config = presetConfig(flags.preset as PresetName, tokenizer.vocabSize, eos, tokenizer.tokenToId('<|endoftext|>') ?? null, flags.arch as ModelType)
    } else if (existsSync(flags.preset)) {
      let json: unknown
      try {
        json = JSON.parse(await readFile(flags.preset, 'utf8'))
      } catch (error) {
        throw new DataError(`not valid JSON (${(error as Error).message})`, {where: flags.preset, fix: 'Pass a Hugging Face config.json.'})
      }
      config = parseModelConfig(json, flags.preset)
      tokenizer.checkMatches(config, flags.preset)
    } else {
      throw new UsageError(`--preset ${JSON.stringify(flags.preset)}: not a preset nor a file`, {fix: `Use one of ${Object.keys(PRESETS).join(', ')} or a config.json path.`})
    }
    const weights = initWeights(config, flags.seed, std)
    let params = 0
    for (const t of weights.values()) params += t.data.length
    await saveCheckpoint(flags.out, {config, weights, tokenizer: files}, {overwrite: flags.force})
    if (!flags.quiet) process.stderr.write(`wrote ${flags.out}: ${params} parameters, vocab ${config.vocabSize}, seed ${flags.seed}\n`)
  }
}
