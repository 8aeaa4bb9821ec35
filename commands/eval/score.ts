import {Flags} from '@oclif/core'
import {ArsCommand, sharedFlags} from '../_shared/base-command.js'
import {DataError} from '../../src/core/index.js'
import {readJsonl, writeJsonl} from '../../src/core/index.js'
import type {EvalResult, Question} from '../../src/core/index.js'
import {benchmarkName, loadBenchmark} from '../../src/eval/index.js'
import {ON_DUPLICATE_MODES, readPredictions, uniquePredictions, type OnDuplicate} from '../../src/eval/index.js'
import {scorePrediction, type ScoreContext} from '../../src/eval/index.js'
import {formatSummaryTable, summarize} from '../../src/eval/index.js'
import {writeReport} from '../../src/eval/index.js'
import {judgeFromFlags, judgeFlags, metricsFromFlag, printJudgeUsage, printLoadNotes} from './_eval-flags.js'

export default class EvalScore extends ArsCommand {
  static override summary = 'Score predictions from any system against a benchmark\'s gold answers with the same metrics as `ars eval`.'
  static override description = `Predictions are {id, prediction} lines (prediction null = no answer; optional sample_index for -k runs),
or ars Trajectory records. Writes one EvalResult per prediction on stdout, in input order, and a summary
table on stderr. Gold questions without a prediction are counted; predictions for unknown ids are errors, and so
are two predictions for the same (id, sample_index) unless --on-duplicate first|last says which to keep
(--on-duplicate last reads all predictions before scoring).`
  static override examples = [
    'ars eval score --data data/hotpotqa/hotpot_dev_distractor_v1.json < preds.jsonl > results.jsonl',
    'ars eval score --bench gaia --data data/gaia/metadata.jsonl --judge openai:gpt-4o-mini < preds.jsonl > results.jsonl',
    'ars rollout --model M --search S < q.jsonl | ars eval score --data q.jsonl --report out/',
  ]

  static override flags = {
    data: Flags.string({required: true, description: 'Gold file (any known format), or a download directory with --bench.', helpValue: 'GOLD'}),
    bench: Flags.string({description: 'Benchmark name: picks its metrics and formats; default: detected from the file.'}),
    format: Flags.string({description: 'Force the gold file format (ars eval list --formats).'}),
    split: Flags.string({description: 'Split label written into results (default: the benchmark\'s).'}),
    metrics: Flags.string({description: 'Comma-separated rule metrics (default: the benchmark\'s): em,f1,cover_em,gaia.'}),
    model: Flags.string({default: '', description: 'Label written into each result line: the system that made the predictions.'}),
    search: Flags.string({default: '', description: 'Label written into each result line: its search provider.'}),
    report: Flags.string({description: 'Also write report.md and report.html into this directory.', helpValue: 'DIR'}),
    'on-duplicate': Flags.option({options: ON_DUPLICATE_MODES, default: 'error' as OnDuplicate, description: 'Two predictions for one (id, sample_index): error (handled by --on-invalid), or keep the first or the last.'})(),
    'pass-k': Flags.integer({min: 1, description: 'k for Pass@k in the summary (default: samples per question).'}),
    ...judgeFlags,
    input: sharedFlags.input,
    'on-invalid': sharedFlags.onInvalid,
    'allow-empty': sharedFlags.allowEmpty,
    seed: sharedFlags.seed,
    quiet: sharedFlags.quiet,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(EvalScore)
    const loaded = await loadBenchmark(flags.bench ?? flags.data, {...(flags.bench ? {data: flags.data} : {}), ...(flags.format ? {format: flags.format} : {}), ...(flags.split ? {split: flags.split} : {})})
    printLoadNotes(loaded)
    const metrics = metricsFromFlag(flags.metrics, loaded.entry, loaded.entries)
    const judge = await judgeFromFlags(flags)
    const ctx: ScoreContext = {benchmark: loaded.benchmark, mixed: loaded.mixed, split: loaded.split, model: flags.model, search: flags.search, seed: flags.seed, metrics, ...(judge ? {judge} : {})}
    // A file mixing benchmarks repeats ids across them: a prediction then names its benchmark (or data_source).
    const byKey = new Map(loaded.questions.map((q) => [`${q.source}\u0000${q.id}`, q]))
    const byId = new Map<string, Question[]>()
    for (const q of loaded.questions) byId.set(q.id, [...(byId.get(q.id) ?? []), q])
    const seen = new Set<string>()
    const policy = this.invalidPolicy(flags['on-invalid'])
    const results: EvalResult[] = []
    const task = this.progress(flags.quiet)
    const progress = task.callback
    progress({kind: 'start', label: 'score', unit: 'predictions'})
    async function* scored(): AsyncGenerator<EvalResult> {
      for await (const p of uniquePredictions(readPredictions(readJsonl(flags.input ?? [], {policy}), policy), flags['on-duplicate'], policy)) {
        const candidates = byId.get(p.id) ?? []
        const q = loaded.mixed && p.benchmark !== undefined ? byKey.get(`${benchmarkName(p.benchmark)}\u0000${p.id}`) : candidates.length === 1 ? candidates[0] : undefined
        if (!q && candidates.length > 1 && p.benchmark === undefined) {
          policy.handle(new DataError(`prediction id ${JSON.stringify(p.id)} is in ${candidates.length} benchmarks of ${loaded.path} (${candidates.map((c) => c.source).join(', ')})`, {where: p.where, code: 'ambiguous-id', fix: 'Add "benchmark" (or "data_source") to each prediction line, or pass --bench NAME to score one benchmark.'}))
          continue
        }
        if (!q) {
          policy.handle(new DataError(`prediction for unknown id ${JSON.stringify(p.id)} (not in ${loaded.path})`, {where: p.where, code: 'unknown-id', fix: 'Check the predictions were made for this gold file (ids must match; --on-invalid skip drops them).'}))
          continue
        }
        seen.add(`${q.source}\u0000${q.id}`)
        const r = await scorePrediction(q, {prediction: p.prediction, sampleIndex: p.sampleIndex, ...(p.seed !== undefined ? {seed: p.seed} : {}), stats: p.stats}, ctx)
        results.push(r)
        progress({kind: 'advance', label: 'score'})
        yield r
      }
    }
    await writeJsonl(scored())
    progress({kind: 'done', label: 'score'})
    task.stop()
    if (results.length === 0 && !flags['allow-empty']) throw new DataError('empty input: no predictions', {where: 'stdin', code: 'empty', fix: 'Pipe {id, prediction} lines in, or pass --input FILE.'})
    const missing = loaded.questions.length - seen.size
    if (missing > 0) process.stderr.write(`note: ${missing} of ${loaded.questions.length} gold questions have no prediction (not scored)\n`)
    process.stderr.write(formatSummaryTable(summarize(results, flags['pass-k'] ? {passK: flags['pass-k']} : {})) + '\n')
    if (judge) printJudgeUsage(judge)
    if (flags.report) {
      const paths = writeReport(results, flags.report, `ars eval score: ${loaded.benchmark}`)
      process.stderr.write(`report: ${paths.markdown}, ${paths.html}\n`)
    }
  }
}
