import {Flags} from '@oclif/core'
import {agentFormatFlag, maxTurnsFlag, searchFlag} from './_shared/agent-flags.js'
import {probabilityFlag} from './_shared/number-flags.js'
import {baseUrlFlag} from './_shared/base-url-flag.js'
import {ArsCommand, sharedFlags} from './_shared/base-command.js'
import {readJsonl, writeJsonl} from '../src/core/index.js'
import {counted, requireNonEmpty} from '../src/core/index.js'
import {UsageError} from '../src/core/index.js'
import {NearDuplicateIndex} from '../src/filter/index.js'
import {loadEvalSets} from '../src/filter/index.js'
import {filterRecords, parseFilterInput} from '../src/filter/index.js'
import {parsePredicate} from '../src/filter/index.js'
import {parsePassRange} from '../src/filter/index.js'
import {JsonlAppender} from '../src/filter/index.js'
import {FilterStats} from '../src/filter/index.js'
import {createDifficulty} from '../src/filter/index.js'
import {parseToolList, type ToolName} from '../src/agent/index.js'

export default class Filter extends ArsCommand {
  static override summary = 'Keep the questions worth training on: difficulty, near-duplicates, eval contamination, hops and field predicates.'
  static override description = `Reads Question or SynthItem records (each keeps its type) and writes the kept ones unchanged, in input order.
With no options every record passes through. Each rejected record goes to --rejects as {record, reasons: [{code, detail}]};
a summary (kept, rejected by reason) is printed on stderr at the end.

Order of checks: --where, --min/max-hops and --decontaminate (all reasons collected), then --dedupe (only records that
passed are indexed, so a rejected record never hides a later one), then --difficulty / --no-tool-fail.

Memory: every mode streams. --dedupe holds the kept questions' shingle hashes, LSH bucket links and ids (under
1 KB per kept question: 812 MB peak RSS for 1M questions), never the records; --decontaminate holds the eval sets'
n-gram hashes; --difficulty keeps at most 4×--concurrency records in flight.`
  static override examples = [
    'ars filter --dedupe < synth.jsonl > unique.jsonl',
    'ars filter --decontaminate eval/nq.jsonl eval/hotpot.jsonl --rejects contaminated.jsonl < train.jsonl > clean.jsonl',
    "ars filter --where 'source=world' --where 'hops>=2' --max-hops 4 < questions.jsonl",
    "ars filter --difficulty --model onnx:datasets/policy-tiny --search world/ --samples 8 --pass-range '0<p<1' < synth.jsonl",
    'ars filter --no-tool-fail --model openai:qwen2.5-7b --samples 4 < synth.jsonl > hard.jsonl',
  ]

  static override flags = {
    input: sharedFlags.input,
    'on-invalid': sharedFlags.onInvalid,
    'allow-empty': sharedFlags.allowEmpty,
    seed: sharedFlags.seed,
    quiet: sharedFlags.quiet,
    rejects: Flags.string({description: 'Write each rejected record as {record, reasons} to this JSONL file.', helpValue: 'FILE'}),
    where: Flags.string({multiple: true, description: "Keep records satisfying FIELD OP VALUE (all must hold). OP: = != > >= < <= ~ (contains) !~; FIELD alone = present; !FIELD = absent; len(FIELD) for lengths. E.g. 'source=world', 'hops>=2', 'meta.level!=3'.", helpValue: 'EXPR'}),
    'min-hops': Flags.integer({min: 0, description: 'Reject records with fewer hops (records without hops are rejected as hops-unknown).'}),
    'max-hops': Flags.integer({min: 0, description: 'Reject records with more hops.'}),
    dedupe: Flags.boolean({default: false, description: 'Drop near-duplicate questions (MinHash + LSH over word shingles of the normalised text); the first of each cluster is kept.'}),
    'dedupe-threshold': probabilityFlag({minExclusive: true, description: 'Jaccard similarity of the word-shingle sets at or above which a question is a duplicate (LSH finds candidates, each verified exactly). Default 0.7.', helpValue: 'J'}),
    'dedupe-shingle': Flags.integer({min: 1, max: 16, default: 2, description: 'Words per shingle for --dedupe.'}),
    'dedupe-perms': Flags.integer({min: 8, max: 1024, default: 128, description: 'MinHash signature length for --dedupe.'}),
    decontaminate: Flags.string({multiple: true, description: 'Eval set(s) to decontaminate against (Question, SynthItem, FlashRAG, verl, GAIA or {question, answer} JSONL).', helpValue: 'EVAL.jsonl'}),
    ngram: Flags.integer({min: 1, max: 64, default: 13, description: 'Words per n-gram for --decontaminate (13 as in GPT-3); texts shorter than N are one n-gram.'}),
    'overlap-threshold': probabilityFlag({max: 0.999999, description: 'Reject when the fraction of a question\'s n-grams found in the eval sets exceeds this; 0 = any shared n-gram. Default 0.', helpValue: 'R'}),
    difficulty: Flags.boolean({default: false, description: 'Roll out the agent --samples times per question with --model and --search; keep questions whose pass rate lies in --pass-range.'}),
    'no-tool-fail': Flags.boolean({default: false, description: 'Drop questions --model answers correctly without tools in any of --samples tries.'}),
    model: Flags.string({description: 'Model for --difficulty / --no-tool-fail (provider:id, or a model folder).', helpValue: 'M'}),
    search: searchFlag({use: '--difficulty'}),
    samples: Flags.integer({min: 1, max: 256, default: 4, description: 'Rollouts (or closed-book answers) per question.'}),
    'pass-range': Flags.string({default: '0<p<1', description: "Keep questions whose --difficulty pass rate p is in this range, e.g. '0<p<1', '0<=p<=0.5', 'p<1'."}),
    'base-url': baseUrlFlag,
    'read-allow-private': Flags.boolean({default: false, description: '--difficulty: let the agent open loopback/private addresses (a local `ars serve web`).'}),
    tools: Flags.string({description: '--difficulty: tools the agent may call, from search, access, calculator, code (default search,access; file needs attachments, which filter does not carry).', helpValue: 'LIST'}),
    'max-turns': maxTurnsFlag({default: 32, use: '--difficulty rollouts'}),
    'agent-format': agentFormatFlag({use: '--difficulty rollouts', defaultText: 'asearcher'}),
    concurrency: Flags.integer({min: 1, max: 256, default: 4, description: 'Questions checked for difficulty at once.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Filter)
    const progress = this.progress(flags.quiet)
    const where = (flags.where ?? []).map(parsePredicate)
    if (flags['min-hops'] !== undefined && flags['max-hops'] !== undefined && flags['min-hops'] > flags['max-hops']) {
      throw new UsageError(`--min-hops ${flags['min-hops']} is greater than --max-hops ${flags['max-hops']}`, {code: 'flag', fix: 'Swap them, or drop one.'})
    }
    const threshold = flags['dedupe-threshold'] ?? 0.7
    const overlapThreshold = flags['overlap-threshold'] ?? 0
    if (!flags.dedupe && flags['dedupe-threshold'] !== undefined) throw new UsageError('--dedupe-threshold needs --dedupe', {code: 'flag', fix: 'Add --dedupe.'})
    const range = parsePassRange(flags['pass-range'])
    const difficulty = await createDifficulty({
      difficulty: flags.difficulty,
      noToolFail: flags['no-tool-fail'],
      model: flags.model,
      search: flags.search,
      samples: flags.samples,
      range,
      maxTurns: flags['max-turns'],
      agentFormat: flags['agent-format'],
      seed: flags.seed,
      baseUrl: flags['base-url'],
      readAllowPrivate: flags['read-allow-private'],
      ...(flags.tools !== undefined ? {tools: difficultyTools(flags.tools)} : {}),
    })
    const decontaminate = flags.decontaminate && flags.decontaminate.length > 0 ? await loadEvalSets(flags.decontaminate, {n: flags.ngram, overlapThreshold}) : undefined
    if (decontaminate) progress.callback({kind: 'log', level: 'info', message: `decontaminate: ${decontaminate.evalTexts} eval questions, ${decontaminate.size} distinct ${flags.ngram}-grams`})
    const dedupe = flags.dedupe ? new NearDuplicateIndex({threshold, shingle: flags['dedupe-shingle'], numPerm: flags['dedupe-perms'], seed: flags.seed + 1}) : undefined
    const rejects = flags.rejects ? await new JsonlAppender(flags.rejects).ready() : undefined
    const stats = new FilterStats()
    const policy = this.invalidPolicy(flags['on-invalid'])
    try {
      const records = parseFilterInput(readJsonl(flags.input ?? [], {policy}), policy)
      const kept = filterRecords(
        counted(records, (n) => {
          if (!flags['allow-empty']) requireNonEmpty(flags.input, policy.invalid)(n)
        }),
        {where, minHops: flags['min-hops'], maxHops: flags['max-hops'], decontaminate, dedupe, difficulty: difficulty?.options, concurrency: flags.concurrency, stats, progress: progress.callback, onReject: rejects ? (r) => rejects.write(r) : undefined},
      )
      await writeJsonl(kept)
    } finally {
      await rejects?.close()
      await difficulty?.close()
      progress.stop()
    }
    if (!flags.quiet) process.stderr.write(`${stats.summary()}${rejects ? `; rejects in ${rejects.path}` : ''}\n`)
  }
}

/** `--tools` for the --difficulty agent: the rollout list without file (filter input carries no attachments). */
function difficultyTools(flag: string): ToolName[] {
  const tools = parseToolList(flag)
  if (tools.includes('file')) throw new UsageError('--tools: filter --difficulty cannot offer file (filter input carries no attachments)', {code: 'flag', fix: 'Drop file from --tools; use ars rollout --attachments DIR and filter the trajectories instead.'})
  return tools
}
