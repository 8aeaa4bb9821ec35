import {Flags} from '@oclif/core'
import {mkdir, rename, rm, writeFile} from 'node:fs/promises'
import {existsSync} from 'node:fs'
import {basename, dirname, join, resolve} from 'node:path'
import {ArsCommand, sharedFlags} from '../../_shared/base-command.js'
import {DataError, UsageError} from '../../../src/core/index.js'
import {readJsonl} from '../../../src/core/index.js'
import {createBpeTrainer} from '../../../src/model/index.js'
import {TOKENIZER_CONFIG_FILE, TOKENIZER_FILE} from '../../../src/model/index.js'

export default class TokenizerTrain extends ArsCommand {
  static override summary = 'Train a byte-level BPE tokenizer (Qwen2 style) on the `text` fields of a JSONL corpus.'
  static override description = 'Buffers word counts of the whole input, learns merges by pair frequency and writes tokenizer.json + tokenizer_config.json (ChatML template, agent tags as single tokens) to --out.'
  static override examples = [
    'ars model tokenizer train --vocab-size 4096 --out models/tok < world/corpus.jsonl',
    'ars model tokenizer train --vocab-size 2048 -i a.jsonl -i b.jsonl --out tok --force',
  ]

  static override flags = {
    'vocab-size': Flags.integer({required: true, description: 'Total vocabulary size (256 bytes + merges + 13 agent tokens).'}),
    'min-frequency': Flags.integer({default: 2, description: 'Never merge pairs seen fewer times.'}),
    out: Flags.string({char: 'o', required: true, description: 'Output folder for tokenizer.json and tokenizer_config.json.'}),
    force: Flags.boolean({default: false, description: 'Replace the tokenizer files in an existing --out folder.'}),
    input: sharedFlags.input,
    'allow-empty': sharedFlags.allowEmpty,
    quiet: sharedFlags.quiet,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(TokenizerTrain)
    const out = resolve(flags.out)
    if (existsSync(join(out, TOKENIZER_FILE)) && !flags.force) throw new UsageError(`${flags.out}: already has ${TOKENIZER_FILE}`, {fix: 'Pass --force to replace it, or choose another --out.'})
    let trainer
    try {
      trainer = createBpeTrainer({vocabSize: flags['vocab-size'], minFrequency: flags['min-frequency']})
    } catch (error) {
      throw new UsageError(`--vocab-size: ${(error as Error).message}`, {fix: 'Use at least 269.'})
    }
    let texts = 0
    for await (const line of readJsonl(flags.input ?? [])) {
      const text = (line.value as {text?: unknown} | null)?.text
      if (typeof text !== 'string') throw new DataError(`expected a "text" string field, got ${text === undefined ? 'none' : typeof text}`, {where: `${line.source}:${line.line}`, fix: 'Feed records with a text field (e.g. world/corpus.jsonl).'})
      trainer.add(text)
      texts++
    }
    if (texts === 0 && !flags['allow-empty']) throw new DataError('no records in the input', {where: flags.input?.join(', ') ?? 'stdin', fix: 'Pipe a JSONL corpus with text fields (or pass --allow-empty for a byte-only tokenizer).'})
    const {tokenizer, tokenizerConfig, merges, vocabSize: size} = trainer.finish()
    await mkdir(out, {recursive: true})
    // Atomic: write temp files in the folder, then rename over the final names.
    for (const [name, value] of [[TOKENIZER_FILE, tokenizer], [TOKENIZER_CONFIG_FILE, tokenizerConfig]] as const) {
      const temp = join(dirname(join(out, name)), `.${basename(name)}.tmp-${process.pid}`)
      try {
        await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`)
        await rename(temp, join(out, name))
      } catch (error) {
        await rm(temp, {force: true})
        throw error
      }
    }
    if (!flags.quiet) process.stderr.write(`wrote ${flags.out}/${TOKENIZER_FILE}: ${size} tokens (${merges} merges from ${texts} texts)${size < flags['vocab-size'] ? `; stopped early: no pair seen ≥ ${flags['min-frequency']} times` : ''}\n`)
  }
}
