import {Flags} from '@oclif/core'
import {searchFlag} from './_shared/agent-flags.js'
import {baseUrlFlag} from './_shared/base-url-flag.js'
import {ArsCommand, sharedFlags} from './_shared/base-command.js'
import {readJsonl, writeJsonl} from '../src/core/index.js'
import {convertQuestions, counted, requireNonEmpty} from '../src/core/index.js'
import {UsageError} from '../src/core/index.js'
import type {Question} from '../src/core/index.js'
import {JsonlAppender} from '../src/filter/index.js'
import {runSynthesis} from '../src/synth/index.js'
import {SynthStats} from '../src/synth/index.js'
import {finishedSeedIds} from '../src/synth/index.js'
import {createEngine, SYNTH_ENGINES, type SynthEngineName} from '../src/synth/index.js'
import {allowPrivateFlag} from './_shared/search-flags.js'

export default class Synthesize extends ArsCommand {
  static override summary = 'Grow seed QA pairs into hard, verified, unique-answer questions by injecting facts and fuzzing details.'
  static override description = `Each seed goes through up to --max-edits rounds. A round either injects a fact (one more hop: an entity
in the question is replaced by a description that needs the fact) or fuzzes a detail (a year becomes a decade, a
name a category). After every edit: validity (one well-formed question that does not state its answer),
answerable-from-facts, uniqueness (no other answer fits) and difficulty (--model answers --difficulty-samples times
without tools; editing stops once it fails them all). Items are SynthItem records with the injected facts (with
source url/doc id and quoted span), the edit history and every check's verdict. Rejected seeds go to --rejects.

Engines:
  kb   the embedded world (--world DIR): edits come from the knowledge base; uniqueness and answerability are
       verified exactly against it. Without --model the difficulty check is "skipped" and editing stops at
       --target-hops.
  llm  any corpus (--model M --search S): the model proposes edits from search results and judges the checks.

Streams: seeds are read as they come; at most 4×--concurrency are in flight. Output order follows input order.`
  static override examples = [
    'ars synthesize --engine kb --world datasets/world-small < datasets/world-small/seeds.jsonl > synth.jsonl',
    'ars synthesize --engine kb --world world/ --model onnx:datasets/policy-tiny --difficulty-samples 8 -i world/seeds.jsonl --rejects rejects.jsonl -o synth.jsonl --resume',
    'ars synthesize --engine llm --model openai:qwen2.5-72b --base-url http://127.0.0.1:8000/v1 --search world/index < seeds.jsonl > synth.jsonl',
  ]

  static override flags = {
    input: sharedFlags.input,
    'on-invalid': sharedFlags.onInvalid,
    'allow-empty': sharedFlags.allowEmpty,
    seed: sharedFlags.seed,
    quiet: sharedFlags.quiet,
    engine: Flags.option({options: SYNTH_ENGINES, description: 'kb (embedded world, exact checks) or llm (any corpus). Default: kb with --world, else llm.'})(),
    world: Flags.string({description: 'World directory for --engine kb (from `ars world build`).', helpValue: 'DIR'}),
    model: Flags.string({description: 'Model: proposes and judges edits (llm engine) and answers the difficulty check (both engines).', helpValue: 'M'}),
    search: searchFlag({use: '--engine llm'}),
    'base-url': baseUrlFlag,
    'allow-private': allowPrivateFlag('--engine llm: let the page reader open loopback/private addresses (a local `ars serve web`).'),
    'max-edits': Flags.integer({min: 1, max: 64, default: 16, description: 'Edit rounds per seed at most.'}),
    'difficulty-samples': Flags.integer({min: 1, max: 64, default: 8, description: 'Closed-book answers per difficulty check.'}),
    'target-hops': Flags.integer({min: 2, max: 16, default: 3, description: 'Without a difficulty model: stop editing once the question needs this many hops (and has been fuzzed).'}),
    'judge-retries': Flags.integer({min: 0, max: 10, default: 2, description: 'llm engine: re-ask the judge this many times when its reply cannot be parsed, then reject.'}),
    concurrency: Flags.integer({min: 1, max: 256, default: 2, description: 'Seeds processed at once.'}),
    'max-tries': Flags.integer({min: 1, max: 100, default: 4, description: 'Tries per seed while a tool (search, model server) is down, with doubling delays.'}),
    'retry-delay': Flags.integer({min: 0, default: 1000, description: 'First retry delay in ms.'}),
    out: Flags.string({char: 'o', aliases: ['output'], description: 'Write items to this file (appended with --resume) instead of stdout (--output is an old name).', helpValue: 'FILE'}),
    rejects: Flags.string({description: 'Write each rejected seed as {record, reasons, partial} to this JSONL file.', helpValue: 'FILE'}),
    resume: Flags.boolean({default: false, description: 'Skip seeds already in --out or --rejects and append to both.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Synthesize)
    const engineName: SynthEngineName = flags.engine ?? (flags.world ? 'kb' : 'llm')
    if (flags.resume && !flags.out) throw new UsageError('--resume needs --out FILE (stdout cannot be reopened)', {code: 'flag', fix: 'Add -o synth.jsonl.'})
    const progress = this.progress(flags.quiet)
    const engine = await createEngine({
      engine: engineName,
      world: flags.world,
      model: flags.model,
      search: flags.search,
      maxEdits: flags['max-edits'],
      difficultySamples: flags['difficulty-samples'],
      targetHops: flags['target-hops'],
      judgeRetries: flags['judge-retries'],
      seed: flags.seed,
      baseUrl: flags['base-url'],
      readAllowPrivate: flags['allow-private'],
      progress: progress.callback,
    })
    const done = flags.resume ? finishedSeedIds([flags.out, flags.rejects]) : undefined
    const rejects = flags.rejects ? await new JsonlAppender(flags.rejects, {append: flags.resume}).ready() : undefined
    const output = flags.out ? await new JsonlAppender(flags.out, {append: flags.resume}).ready() : undefined
    const stats = new SynthStats()
    const policy = this.invalidPolicy(flags['on-invalid'])
    const abort = new AbortController()
    const onSigint = (): void => abort.abort(new Error('interrupted'))
    process.once('SIGINT', onSigint)
    try {
      const seeds = counted(convertQuestions(readJsonl(flags.input ?? [], {policy}), 'auto', policy) as AsyncIterable<Question>, (n) => {
        if (!flags['allow-empty']) requireNonEmpty(flags.input, policy.invalid)(n)
      })
      const items = runSynthesis(seeds, {
        engine,
        seed: flags.seed,
        concurrency: flags.concurrency,
        maxTries: flags['max-tries'],
        retryDelayMs: flags['retry-delay'],
        done,
        stats,
        progress: progress.callback,
        signal: abort.signal,
        onReject: rejects ? (r) => rejects.write(r) : undefined,
      })
      if (output) for await (const item of items) await output.write(item)
      else await writeJsonl(items)
    } finally {
      process.off('SIGINT', onSigint)
      await output?.close()
      await rejects?.close()
      await engine.close?.()
      progress.stop()
    }
    if (!flags.quiet) process.stderr.write(`${stats.summary()}${rejects ? `; rejects in ${rejects.path}` : ''}\n`)
  }
}
