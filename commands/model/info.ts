import {Args, Flags} from '@oclif/core'
import {ArsCommand} from '../_shared/base-command.js'
import {formatModelInfo, modelInfo} from '../../src/model/index.js'

export default class ModelInfo extends ArsCommand {
  static override summary = 'Describe a model folder: architecture, parameters, vocabulary, dtypes, tensors.'
  static override description = 'Reads config.json, the safetensors headers (single file or shards) and tokenizer.json; reports missing or mis-shaped tensors. Nothing is loaded into memory.'
  static override examples = ['ars model info models/tiny', 'ars model info models/tiny --json | jq .parameters']

  static override args = {
    dir: Args.string({description: 'Model folder (Hugging Face layout).', required: true, ignoreStdin: true}),
  }

  static override flags = {
    json: Flags.boolean({default: false, description: 'Print one JSON object instead of text.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(ModelInfo)
    const info = await modelInfo(args.dir)
    process.stdout.write(flags.json ? `${JSON.stringify(info)}\n` : formatModelInfo(info))
  }
}
