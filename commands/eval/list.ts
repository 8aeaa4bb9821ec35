import {Flags} from '@oclif/core'
import {ArsCommand} from '../_shared/base-command.js'
import {BENCHMARKS} from '../../src/eval/index.js'
import {BENCH_FORMATS} from '../../src/eval/index.js'
import {METRICS} from '../../src/answer/index.js'
import {JUDGE_PROMPT_VERSION} from '../../src/eval/index.js'

export default class EvalList extends ArsCommand {
  static override summary = 'List the benchmark registry: formats each benchmark loads, its default metric and download URLs.'
  static override examples = ['ars eval list', 'ars eval list --json | jq -r .name', 'ars eval list --formats']

  static override flags = {
    json: Flags.boolean({default: false, description: 'One JSON object per benchmark on stdout.'}),
    formats: Flags.boolean({default: false, description: 'List the file formats and metrics instead of the benchmarks.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(EvalList)
    if (flags.formats) {
      const out = [
        'formats:',
        ...BENCH_FORMATS.map((f) => `  ${f.name.padEnd(10)} ${f.containers.join('/').padEnd(13)} ${f.description}`),
        'metrics:',
        ...Object.values(METRICS).map((m) => `  ${m.name.padEnd(10)} ${m.version.padEnd(20)} ${m.description}`),
        `  ${'judge'.padEnd(10)} ${`${JUDGE_PROMPT_VERSION}/<model>`.padEnd(20)} LLM-as-judge (--judge MODEL): 1 correct, 0 incorrect, null unjudged.`,
      ]
      process.stdout.write(out.join('\n') + '\n')
      return
    }
    if (flags.json) {
      for (const b of BENCHMARKS) process.stdout.write(JSON.stringify(b) + '\n')
      return
    }
    const rows = [['name', 'kind', 'metric', 'split', 'formats (original first)', 'title'], ...BENCHMARKS.map((b) => [b.name, b.kind, b.defaultMetric, b.defaultSplit, b.formats.join(','), b.title])]
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
    process.stdout.write(rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n')
  }
}
