import {Flags} from '@oclif/core'
import {ArsCommand, sharedFlags} from '../_shared/base-command.js'
import {buildWorld, parseWorldSeed, parseWorldSize} from '../../src/world/index.js'

export default class WorldBuild extends ArsCommand {
  static override summary = 'Generate the embedded world: knowledge base, encyclopedia corpus, web site and questions.'
  static override description = 'Deterministic (same seed and size, byte-identical files) and streaming (a 1M-article world is never held in memory). Writes kb.jsonl, corpus.jsonl, site/ (HTML pages + site/truth.jsonl), questions/{train,dev,test}.jsonl, seeds.jsonl and the world.json manifest with file hashes. Every file is written under a temporary directory and renamed into place; world.json comes last.'
  static override examples = [
    'ars world build --seed 1 --size small --out datasets/world-small',
    'ars world build --seed 7 --size 20000 --out /tmp/world --force',
    'ars world build --size large --out big-world && ars serve web --world big-world --port 8080',
  ]

  static override flags = {
    seed: Flags.string({description: 'Seed (a whole number): same seed and size, same world.', default: '0'}),
    size: Flags.string({description: 'small (2000 entities), medium (50000), large (1000000), or an entity count.', default: 'small'}),
    out: Flags.string({char: 'o', required: true, description: 'Output directory (created; must be empty unless --force).', helpValue: 'DIR'}),
    force: Flags.boolean({default: false, description: 'Replace the world files in a non-empty --out.'}),
    questions: Flags.integer({description: 'Total questions over train/dev/test (default scales with size, 200–20000).', min: 1}),
    quiet: sharedFlags.quiet,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(WorldBuild)
    const entities = parseWorldSize(flags.size)
    const seed = parseWorldSeed(flags.seed)
    const drawer = this.progress(flags.quiet)
    const started = Date.now()
    const manifest = await buildWorld({seed, entities, out: flags.out, force: flags.force, sizeLabel: flags.size, questions: flags.questions, onProgress: drawer.callback})
    const c = manifest.counts
    if (!flags.quiet) process.stderr.write(`world: ${c.articles} articles (${entities} entities), ${(c.questions_train ?? 0) + (c.questions_dev ?? 0) + (c.questions_test ?? 0)} questions, ${c.seeds} seeds in ${((Date.now() - started) / 1000).toFixed(1)} s → ${flags.out}\n`)
  }
}
