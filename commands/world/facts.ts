import {Flags} from '@oclif/core'
import {createWriteStream} from 'node:fs'
import {ArsCommand, sharedFlags} from '../_shared/base-command.js'
import {DataError, UsageError} from '../../src/core/index.js'
import {readJsonl, writeJsonl} from '../../src/core/index.js'
import {closeOutput} from '../../src/core/index.js'
import {factExamples} from '../../src/world/index.js'
import {loadWorld, readQuestions, type WorldSplit} from '../../src/world/index.js'

const SPLITS: readonly WorldSplit[] = ['train', 'dev', 'test']

export default class WorldFacts extends ArsCommand {
  static override summary = 'Write closed-book QA for every fact of a world: the tiny model\'s "pretraining knowledge" (SftExample records).'
  static override description = `One SftExample per fact and wording: system = the closed-book solver's instruction, user = a one-hop question in
the world's own question wordings (plus wordings for facts the question generator never asks about), assistant =
<answer>X</answer>. It is what an LLM knows from pretraining about the entities of simple seed questions; synthesis
(ars synthesize) must then make questions the model cannot answer from it. The supporting facts of the --holdout
question splits (default dev,test) are left out, so evaluation measures search, not memory.`

  static override examples = [
    'ars world facts --world datasets/world-small > facts.jsonl',
    'ars world facts --world datasets/world-small --holdout none --out facts-all.jsonl',
    'ars world facts --world datasets/world-small --about datasets/world-small/seeds.jsonl > seed-knowledge.jsonl',
  ]

  static override flags = {
    world: Flags.string({char: 'w', required: true, description: 'World directory (ars world build).', helpValue: 'DIR'}),
    holdout: Flags.string({default: 'dev,test', description: 'Question splits whose supporting facts are left out: a comma list of train, dev, test, or none.'}),
    about: Flags.string({description: 'Only facts about the entities these questions walk through (their meta.path), e.g. the seeds: what an LLM would know about the entities of simple questions.', helpValue: 'FILE'}),
    out: Flags.string({char: 'o', description: 'Write here instead of stdout.', helpValue: 'FILE'}),
    quiet: sharedFlags.quiet,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(WorldFacts)
    const holdout = flags.holdout.trim() === 'none' ? [] : flags.holdout.split(',').map((s) => s.trim())
    for (const s of holdout) if (!SPLITS.includes(s as WorldSplit)) throw new UsageError(`--holdout: expected a comma list of ${SPLITS.join(', ')} (or none), got ${JSON.stringify(s)}`, {code: 'flag', fix: 'Pass e.g. --holdout dev,test or --holdout none.'})
    const {world} = await loadWorld(flags.world)
    const exclude = new Set<string>()
    for (const split of holdout) for await (const q of readQuestions(flags.world, split as WorldSplit)) for (const f of q.supporting_facts ?? []) exclude.add(f)
    let entities: Set<number> | undefined
    if (flags.about) {
      entities = new Set()
      for await (const line of readJsonl(flags.about, {policy: this.invalidPolicy('fail')})) {
        const path = ((line.value as {meta?: {path?: unknown}}).meta?.path)
        if (!Array.isArray(path)) throw new DataError('meta.path: expected the list of entity ids the question walks through (a world question)', {code: 'world-path', where: `${line.source}:${line.line}`, fix: 'Pass questions from a world built by `ars world build` (seeds.jsonl, questions/*.jsonl).'})
        for (const id of path) entities.add(Number(String(id).slice(1)))
      }
    }
    let excluded = 0
    let written = 0
    const examples = (function* () {
      for (const e of factExamples(world, {exclude, entities, onExcluded: () => excluded++})) {
        written++
        yield e
      }
    })()
    const out = flags.out ? createWriteStream(flags.out) : process.stdout
    await writeJsonl(examples, out)
    await closeOutput(out)
    if (!flags.quiet) process.stderr.write(`world facts: ${written} examples; ${excluded} facts held out (supporting ${holdout.join(', ') || 'no'} questions)\n`)
  }
}
