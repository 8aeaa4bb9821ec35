import {Args, Flags} from '@oclif/core'
import {numberFlag} from './_shared/number-flags.js'
import {createWriteStream} from 'node:fs'
import {writeFile} from 'node:fs/promises'
import {ArsCommand, sharedFlags} from './_shared/base-command.js'
import {UsageError} from '../src/core/index.js'
import {readJsonl, writeJsonl} from '../src/core/index.js'
import {closeOutput} from '../src/core/index.js'
import {counted, questionRecords, requireNonEmpty, validateRecords} from '../src/core/index.js'
import {TrajectoryType, type Trajectory} from '../src/core/index.js'
import {agentFormat, FORMAT_NAMES} from '../src/agent/index.js'

const MODEL_FORMATS = ['onnx', 'hf'] as const
const DATA_FORMATS = ['sft-jsonl', 'verl', 'areal'] as const
const FORMATS = [...MODEL_FORMATS, ...DATA_FORMATS] as const

export default class Export extends ArsCommand {
  static override summary = 'Export a model folder (ONNX, Hugging Face) or training data for other tools (SFT chat JSONL, verl parquet, AReaL JSONL).'
  static override description = `Models (give the model folder):
--format onnx writes the layout transformers.js and onnx-community repos use: config.json,
generation_config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx (a standard-ops, opset-17 Qwen2 decoder
with a KV cache: inputs input_ids, attention_mask, position_ids, past_key_values.N.key/value; outputs logits,
present.N.key/value). Weights past 1.5 GiB go to onnx/model.onnx_data.
--format hf writes config.json, generation_config.json, tokenizer files and model.safetensors (fp32).
The output folder is written beside its target and renamed into place, so it is complete or absent.

Data (records from --input or stdin; --out FILE or stdout):
--format sft-jsonl reads Trajectory records and writes SftExample records: each episode re-rendered as the conversation
the agent loop shows a model in --agent-format (its prompt template, action syntax and observation wrapper; observations
as role "tool", never trained on), so oracle trajectories become demonstrations for the real loop. --min-reward keeps
good episodes; --max-observation-chars shortens observations for small contexts.
--format verl reads Question/SynthItem records and writes the parquet verl's Search-R1 recipe trains on (needs --out).
--format areal reads Question/SynthItem records and writes the JSONL ASearcher's AReaL training reads.`

  static override examples = [
    'ars export runs/r1/latest --format onnx --out out/policy-onnx',
    'ars export runs/r1/latest --format hf --out out/policy-hf',
    'ars rollout --model oracle --search datasets/world-small < train.jsonl | ars export --format sft-jsonl --min-reward 1 --max-observation-chars 600 > sft.jsonl',
    'ars export --format verl -i synth.jsonl --out train.parquet',
    'ars export --format areal < synth.jsonl > asearcher-train.jsonl',
  ]

  static override args = {
    model: Args.string({required: false, description: 'Model folder (Hugging Face layout: config.json, model.safetensors, tokenizer.json); for --format onnx|hf only.', ignoreStdin: true}),
  }

  static override flags = {
    format: Flags.option({options: FORMATS, required: true, description: 'Output format.'})(),
    out: Flags.string({char: 'o', description: 'onnx|hf: output folder (required). Data formats: output file (default stdout; verl needs a file).', helpValue: 'PATH'}),
    force: Flags.boolean({default: false, description: 'Replace an existing output folder.'}),
    'external-data': Flags.boolean({allowNo: true, description: 'onnx: put weights in onnx/model.onnx_data (default: only past 1.5 GiB).'}),
    'agent-format': Flags.option({options: FORMAT_NAMES, description: 'sft-jsonl: agent format to render in (default: each trajectory\'s own).'})(),
    'min-reward': numberFlag({description: 'sft-jsonl: keep episodes with reward ≥ this (drops unscored ones).'}),
    'max-observation-chars': Flags.integer({min: 16, description: 'sft-jsonl: shorten each observation to about this many characters (every hit keeps its title and URL).'}),
    input: sharedFlags.input,
    'on-invalid': sharedFlags.onInvalid,
    'allow-empty': sharedFlags.allowEmpty,
    quiet: sharedFlags.quiet,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Export)
    const data = (DATA_FORMATS as readonly string[]).includes(flags.format)
    const sftOnly = ['agent-format', 'min-reward', 'max-observation-chars'] as const
    for (const name of sftOnly) if (flags[name] !== undefined && flags.format !== 'sft-jsonl') throw new UsageError(`--${name} applies to --format sft-jsonl only`, {code: 'flag', fix: `Drop --${name}.`})
    if (!data) {
      if (!args.model) throw new UsageError(`--format ${flags.format} needs the model folder as its argument`, {code: 'flag', fix: `ars export MODEL_DIR --format ${flags.format} --out DIR`})
      if (!flags.out) throw new UsageError(`--format ${flags.format} needs --out DIR`, {code: 'flag', fix: `ars export ${args.model} --format ${flags.format} --out DIR`})
      if (flags.input) throw new UsageError(`--input applies to the data formats (${DATA_FORMATS.join(', ')})`, {code: 'flag', fix: 'Name the model folder as the argument instead.'})
      if (flags['external-data'] !== undefined && flags.format !== 'onnx') throw new UsageError('--external-data applies to --format onnx only', {fix: 'Drop --external-data.'})
      const {exportModel} = await import('../src/model/onnx/export.js')
      const files = await exportModel(args.model, flags.out, flags.format as (typeof MODEL_FORMATS)[number], {
        overwrite: flags.force,
        externalData: flags['external-data'],
        onProgress: this.progress(flags.quiet).callback,
      })
      if (!flags.quiet) process.stderr.write(`wrote ${files.join(', ')} to ${flags.out}\n`)
      return
    }
    if (args.model) throw new UsageError(`--format ${flags.format} reads records from --input or stdin, not a model folder (got ${JSON.stringify(args.model)})`, {code: 'flag', fix: `Pass the file with --input ${args.model}, or pipe it in.`})
    if (flags['external-data'] !== undefined) throw new UsageError('--external-data applies to --format onnx only', {code: 'flag', fix: 'Drop --external-data.'})
    const minReward = flags['min-reward']
    if (flags.format === 'verl' && (!flags.out || flags.out === '-')) throw new UsageError('--format verl writes parquet and needs --out FILE', {code: 'flag', fix: 'Add --out train.parquet.'})

    const policy = this.invalidPolicy(flags['on-invalid'])
    const lines = readJsonl(flags.input ?? [], {policy})
    const nonEmpty = <T>(items: AsyncIterable<T>): AsyncIterable<T> => counted(items, (n) => {
      if (!flags['allow-empty']) requireNonEmpty(flags.input, policy.invalid)(n)
    })

    if (flags.format === 'verl') {
      const {collectVerlRows, verlParquet} = await import('../src/export/index.js')
      const rows = await collectVerlRows(nonEmpty(questionRecords(lines, policy)))
      await writeFile(flags.out as string, await verlParquet(rows))
      if (!flags.quiet) process.stderr.write(`export verl: ${rows.length} rows → ${flags.out}\n`)
      return
    }

    const out = flags.out && flags.out !== '-' ? createWriteStream(flags.out) : process.stdout
    try {
      if (flags.format === 'areal') {
        const {arealRows} = await import('../src/export/index.js')
        const n = await writeJsonl(arealRows(nonEmpty(questionRecords(lines, policy))), out)
        await closeOutput(out)
        if (!flags.quiet) process.stderr.write(`export areal: ${n} rows\n`)
      } else {
        const {sftExamples} = await import('../src/export/index.js')
        const stats = {read: 0, written: 0, skipped: {}}
        const trajectories = nonEmpty(validateRecords<Trajectory>(lines, TrajectoryType, policy))
        const format = flags['agent-format'] ? agentFormat(flags['agent-format']) : undefined
        await writeJsonl(sftExamples(trajectories, {format, minReward, maxObservationChars: flags['max-observation-chars']}, stats), out)
        await closeOutput(out)
        const skipped = Object.entries(stats.skipped).map(([k, v]) => `${k} ${v}`).join(', ')
        if (!flags.quiet) process.stderr.write(`export sft-jsonl: ${stats.read} trajectories → ${stats.written} examples${skipped ? `; skipped: ${skipped}` : ''}\n`)
      }
    } finally {
      await closeOutput(out).catch(() => {}) // after an error: keep what was written, report the first error
    }
  }
}
