import {Args, Flags} from '@oclif/core'
import {probabilityFlag} from '../_shared/number-flags.js'
import {ArsCommand} from '../_shared/base-command.js'
import {readJsonl} from '../../src/core/index.js'
import {EvalResultType, type EvalResult} from '../../src/core/index.js'
import {validateRecords} from '../../src/core/index.js'
import {compareResults, formatCompareTable} from '../../src/eval/index.js'

async function load(path: string, policy: ReturnType<ArsCommand['invalidPolicy']>): Promise<EvalResult[]> {
  const out: EvalResult[] = []
  for await (const r of validateRecords<EvalResult>(readJsonl(path, {policy}), EvalResultType, policy)) out.push(r)
  return out
}

export default class EvalCompare extends ArsCommand {
  static override summary = 'Compare two result files: per-benchmark, per-metric deltas (B − A) with paired bootstrap confidence intervals.'
  static override description = `Rows are matched by (benchmark, id, sample_index); rows in only one file, or scored null in either,
are counted as unmatched and left out. The interval resamples matched rows (seeded). A "*" marks
intervals that exclude 0. B>A and A>B count the matched rows that moved each way (for EM: questions
gained and lost). Reads both files whole. The table goes to stdout (--json: one JSON line per row).`
  static override examples = ['ars eval compare base.jsonl tuned.jsonl', 'ars eval compare a.jsonl b.jsonl --json --resamples 5000 --seed 7']

  static override args = {
    a: Args.string({required: true, description: 'Baseline results (EvalResult JSONL).', ignoreStdin: true}),
    b: Args.string({required: true, description: 'Results to compare against the baseline.', ignoreStdin: true}),
  }

  static override flags = {
    resamples: Flags.integer({default: 1000, min: 10, description: 'Bootstrap resamples.'}),
    level: probabilityFlag({minExclusive: true, maxExclusive: true, default: 0.95, description: 'Interval level in (0, 1).'}),
    seed: Flags.integer({default: 0, description: 'Bootstrap seed.'}),
    json: Flags.boolean({default: false, description: 'JSON lines instead of a table.'}),
    'on-invalid': Flags.option({options: ['fail', 'skip', 'warn'] as const, default: 'fail' as const, description: 'What to do with a bad line.'})(),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(EvalCompare)
    const level = flags.level
    const policy = this.invalidPolicy(flags['on-invalid'])
    const [a, b] = [await load(args.a, policy), await load(args.b, policy)]
    const rows = compareResults(a, b, {resamples: flags.resamples, seed: flags.seed, level})
    if (flags.json) for (const r of rows) process.stdout.write(JSON.stringify({type: 'eval_compare', ...r}) + '\n')
    else process.stdout.write(formatCompareTable(rows, level) + '\n')
    if (rows.some((r) => r.versionMismatch)) process.stderr.write('warning: some metrics have different versions in A and B; their deltas compare different scoring rules\n')
  }
}
