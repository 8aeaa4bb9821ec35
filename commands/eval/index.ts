import {Flags} from '@oclif/core'
import {agentFormatFlag, allowPrivateFlag, maxTurnsFlag, requiredSearchFlag} from '../_shared/agent-flags.js'
import {numberFlag} from '../_shared/number-flags.js'
import {baseUrlFlag} from '../_shared/base-url-flag.js'
import {existsSync} from 'node:fs'
import {createWriteStream} from 'node:fs'
import {join} from 'node:path'
import {ArsCommand, sharedFlags} from '../_shared/base-command.js'
import {UsageError} from '../../src/core/index.js'
import {readJsonl, writeJsonl} from '../../src/core/index.js'
import {EvalResultType, type EvalResult} from '../../src/core/index.js'
import {validateRecords} from '../../src/core/index.js'
import {loadBenchmark, DEFAULT_WORLD_DIR} from '../../src/eval/index.js'
import {resultKey, runEval} from '../../src/eval/index.js'
import {formatSummaryTable, summarize} from '../../src/eval/index.js'
import {writeReport} from '../../src/eval/index.js'
import {makeAnswerer} from '../../src/eval/index.js'
import {judgeFromFlags, judgeFlags, metricsFromFlag, printJudgeUsage, printLoadNotes} from './_eval-flags.js'
import {toolChoice, toolsFlags} from '../_shared/tools-flags.js'
import {TOOL_NAMES} from '../../src/agent/index.js'
import {isWorldDir} from '../../src/core/index.js'

export default class Eval extends ArsCommand {
  static override summary = 'Run a model (with its search agent) on a benchmark and score it: EvalResult lines on stdout, a table on stderr.'
  static override description = `--bench is a registry name (ars eval list) or a question file in any known format. Each question is
answered -k times (sample i seeded --seed + i); Avg@k and Pass@k are in the summary. Results come out in
question order. --out FILE writes there instead of stdout; with --resume, rows already in FILE are kept
and skipped. --search none answers closed-book (no tools). The world's splits read DIR/questions/*.jsonl
from --world (default ${DEFAULT_WORLD_DIR}). --tools picks the agent's tools; GAIA with --attachments DIR also
runs the questions with an attached file the file tool reads, and then defaults to every tool (${TOOL_NAMES.join(',')}).`
  static override examples = [
    'ars eval --bench world-test --model datasets/policy-tiny --search datasets/world-small --report out/ > results.jsonl',
    'ars eval --bench hotpotqa --data data/hotpotqa --model openai:qwen2.5-7b --search retrieval:http://127.0.0.1:8000 -k 4 --concurrency 16 > r.jsonl',
    'ars eval --bench gaia --data data/gaia --model openai:gpt-4o --search serper: --judge openai:gpt-4o-mini --out gaia.jsonl --resume',
    'ars eval --bench gaia --data data/gaia/2023/validation --attachments data/gaia/2023/validation --model openai:gpt-4o --search serper: > gaia.jsonl',
  ]

  static override flags = {
    bench: Flags.string({required: true, description: 'Benchmark name or question file.', helpValue: 'NAME|FILE'}),
    data: Flags.string({description: 'The benchmark\'s file or download directory (world-*: the world directory).', helpValue: 'PATH'}),
    world: Flags.string({description: `World directory for world-* benchmarks (default ${DEFAULT_WORLD_DIR}).`, helpValue: 'DIR'}),
    format: Flags.string({description: 'Force the benchmark file format (ars eval list --formats).'}),
    split: Flags.string({description: 'Split (default: the benchmark\'s).'}),
    'base-url': baseUrlFlag,
    model: Flags.string({required: true, description: 'Model: provider:id (openai:, onnx:, scripted:) or a model folder.', helpValue: 'MODEL'}),
    search: requiredSearchFlag({closedBook: true}),
    k: Flags.integer({char: 'k', default: 1, min: 1, description: 'Samples per question (Avg@k, Pass@k).'}),
    temperature: numberFlag({min: 0, description: 'Sampling temperature (default 0 for -k 1, else 1).'}),
    concurrency: Flags.integer({default: 1, min: 1, description: 'Episodes in flight.'}),
    'max-turns': maxTurnsFlag({defaultText: "the agent's"}),
    'agent-format': agentFormatFlag({defaultText: "the agent's"}),
    'allow-private': allowPrivateFlag(),
    ...toolsFlags,
    limit: Flags.integer({min: 1, description: 'Only the first N questions.'}),
    metrics: Flags.string({description: 'Comma-separated rule metrics (default: the benchmark\'s).'}),
    out: Flags.string({char: 'o', description: 'Write results to FILE instead of stdout (needed for --resume).', helpValue: 'FILE'}),
    resume: Flags.boolean({default: false, description: 'Keep the rows already in --out and run only the missing (id, sample) pairs.'}),
    report: Flags.string({description: 'Write report.md and report.html into DIR.', helpValue: 'DIR'}),
    ...judgeFlags,
    seed: sharedFlags.seed,
    quiet: sharedFlags.quiet,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Eval)
    if (flags.resume && !flags.out) throw new UsageError('--resume needs --out FILE (the results file to continue)', {fix: 'Run with --out results.jsonl --resume.'})
    const temperature = flags.temperature ?? (flags.k > 1 ? 1 : 0)
    // A world folder given as --search is the world of world-* benchmarks unless --world says otherwise.
    const world = flags.world ?? (isWorldDir(flags.search) ? flags.search : undefined)
    const formatName = flags['agent-format'] ?? 'asearcher'
    const gaiaWithFiles = flags.attachments !== undefined && /^gaia$/i.test(flags.bench)
    const choice = toolChoice(flags, formatName, gaiaWithFiles ? TOOL_NAMES : undefined)
    const loaded = await loadBenchmark(flags.bench, {...(flags.data ? {data: flags.data} : {}), ...(world ? {worldDir: world} : {}), ...(flags.format ? {format: flags.format} : {}), ...(flags.split ? {split: flags.split} : {}), ...(flags.attachments ? {attachments: flags.attachments} : {})})
    printLoadNotes(loaded)
    const questions = flags.limit ? loaded.questions.slice(0, flags.limit) : loaded.questions
    const metrics = metricsFromFlag(flags.metrics, loaded.entry, loaded.entries)
    const judge = await judgeFromFlags(flags)

    const previous: EvalResult[] = []
    if (flags.resume && flags.out && existsSync(flags.out)) {
      const policy = this.invalidPolicy('warn')
      for await (const r of validateRecords<EvalResult>(readJsonl(flags.out, {policy}), EvalResultType, policy)) previous.push(r)
      process.stderr.write(`resume: ${previous.length} rows already in ${flags.out}\n`)
    }
    const done = new Set(previous.map((r) => resultKey(r.benchmark, r.id, r.sample_index)))

    const controller = new AbortController()
    const onSigint = (): void => controller.abort(new Error('interrupted (SIGINT)'))
    process.once('SIGINT', onSigint)
    const answerer = await makeAnswerer({model: flags.model, ...(flags['base-url'] ? {baseUrl: flags['base-url']} : {}), search: flags.search, temperature, readAllowPrivate: flags['allow-private'], ...(flags['agent-format'] ? {format: flags['agent-format']} : {}), ...(flags['max-turns'] ? {maxTurns: flags['max-turns']} : {}), tools: choice.tools, ...(choice.toolOptions.attachmentsDir ? {attachmentsDir: choice.toolOptions.attachmentsDir} : {}), worldDir: world ?? (loaded.entry?.kind === 'world' ? flags.data : undefined)})
    const drawer = this.progress(flags.quiet)
    const results: EvalResult[] = []
    try {
      const stream = runEval(questions, {
        answerer: answerer.answer,
        score: {benchmark: loaded.benchmark, mixed: loaded.mixed, split: loaded.split, model: flags.model, search: flags.search, seed: flags.seed, metrics, ...(judge ? {judge} : {})},
        k: flags.k,
        concurrency: flags.concurrency,
        done,
        onProgress: drawer.callback,
        signal: controller.signal,
      })
      async function* collect(): AsyncGenerator<EvalResult> {
        for await (const r of stream) {
          results.push(r)
          yield r
        }
      }
      const out = flags.out ? createWriteStream(flags.out, {flags: flags.resume ? 'a' : 'w'}) : process.stdout
      await writeJsonl(collect(), out)
      if (flags.out) await new Promise<void>((resolve, reject) => (out as ReturnType<typeof createWriteStream>).end((error?: Error | null) => (error ? reject(error) : resolve())))
    } finally {
      process.off('SIGINT', onSigint)
      drawer.stop()
      await answerer.close()
    }
    const all = [...previous.filter((r) => loaded.benchmarks.includes(r.benchmark)), ...results]
    process.stderr.write(formatSummaryTable(summarize(all)) + '\n')
    if (judge) printJudgeUsage(judge)
    if (flags.report) {
      const paths = writeReport(all, flags.report, `ars eval: ${loaded.benchmark} — ${flags.model}`)
      process.stderr.write(`report: ${paths.markdown}, ${paths.html}\n`)
    }
  }
}
