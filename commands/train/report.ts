import {Args, Flags} from '@oclif/core'
import {ArsCommand} from '../_shared/base-command.js'
import {writeTrainReport} from '../../src/train/index.js'

export default class TrainReport extends ArsCommand {
  static override summary = 'Write (or rewrite) a training run\'s report.html and report.md from its metrics.jsonl.'
  static override description = [
    'The report `ars train` and `ars train sft` write into their run folder at each checkpoint and at the end: a',
    'self-contained HTML page (inline SVG plots, no scripts, no external assets) and a Markdown page with the same',
    'tables. RL runs: reward mean ± std, held-out EM/F1 (--eval-every), tool calls and turns per episode, zero-variance',
    'groups, staleness histogram, generation and training tokens/s, loss. SFT runs: loss, held-out EM/F1, tokens/s, lr.',
    'Works on a run that is still going or was killed (a cut-off last line is left out). Paths go to stderr.',
  ].join(' ')

  static override examples = ['ars train report runs/r1 && xdg-open runs/r1/report.html', 'ars train report runs/sft1 --title "SFT on 2k demos"']

  static override args = {
    run: Args.string({required: true, description: 'Run folder (the --out of ars train / ars train sft).', ignoreStdin: true}),
  }

  static override flags = {
    title: Flags.string({description: 'Report title (default: "ars <command> report: <run folder name>").'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(TrainReport)
    const {html, markdown, data} = writeTrainReport(args.run, flags.title)
    const last = data.evals.at(-1)
    process.stderr.write(`report: ${html} and ${markdown} (${data.steps.length} steps, ${data.evals.length} held-out evaluations${last ? `, last EM ${(100 * last.em).toFixed(1)} % at step ${last.step}` : ''})\n`)
  }
}
