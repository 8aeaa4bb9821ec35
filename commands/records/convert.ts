import {Flags} from '@oclif/core'
import {ArsCommand, sharedFlags} from '../_shared/base-command.js'
import {writeJsonl} from '../../src/core/index.js'
import {readJsonlOrParquet} from '../../src/core/index.js'
import {QUESTION_FORMATS, type QuestionFormat} from '../../src/core/index.js'
import {convertQuestions, counted, requireNonEmpty} from '../../src/core/index.js'

export default class RecordsConvert extends ArsCommand {
  static override summary = 'Convert questions from FlashRAG/Search-R1, verl, GAIA or plain QA rows to ars Question records.'
  static override description = `Formats:
  flashrag  {id, question, golden_answers: [...]}            (FlashRAG, Search-R1 JSONL)
  verl      {prompt: [...], reward_model: {ground_truth}, extra_info}   (verl/Search-R1 rows: .parquet or JSONL)
  gaia      {task_id, Question, "Final answer", Level}       (GAIA metadata.jsonl)
  qa        {id?, question, answer | answers}
  ars       Question records (validated, passed through)
  auto      pick per line from the fields present (default)
Rows without an id get "<format>-<line>". Input: JSONL, a JSON array of rows, or a .parquet file (-i).
Aliases packed as "a<|answer_split|>b" (DeepResearcher) become separate answers.`
  static override examples = [
    'ars records convert --from flashrag < nq/test.jsonl > nq.questions.jsonl',
    'ars records convert --from gaia -i 2023/validation/metadata.jsonl | ars records validate --type question',
    'ars records convert -i data/nq_hotpotqa_train/test.parquet > questions.jsonl',
  ]

  static override flags = {
    from: Flags.option({options: QUESTION_FORMATS, default: 'auto' as QuestionFormat, description: 'Input format.'})(),
    input: Flags.string({char: 'i', multiple: true, helpValue: 'FILE', description: 'Input file(s): JSONL (or a JSON array of rows), .gz, or .parquet; "-" or none reads stdin.'}),
    'on-invalid': sharedFlags.onInvalid,
    'allow-empty': sharedFlags.allowEmpty,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(RecordsConvert)
    const policy = this.invalidPolicy(flags['on-invalid'])
    const lines = readJsonlOrParquet(flags.input ?? [], {policy})
    const out = counted(convertQuestions(lines, flags.from, policy), (n) => {
      if (!flags['allow-empty']) requireNonEmpty(flags.input, policy.invalid)(n)
    })
    await writeJsonl(out)
  }
}
