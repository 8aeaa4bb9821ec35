import {Flags} from '@oclif/core'
import {ArsCommand, sharedFlags} from '../_shared/base-command.js'
import {readJsonl, writeJsonl} from '../../src/core/index.js'
import {cliName, RECORD_TYPES, recordType} from '../../src/core/index.js'
import {counted, requireNonEmpty, validateRecords} from '../../src/core/index.js'

export default class RecordsValidate extends ArsCommand {
  static override summary = 'Validate a stream of records and pass the valid ones through.'
  static override description = 'Reads JSONL, checks every line against the record schema, and writes each valid record (with defaults filled in) to stdout. A bad line is reported as path:line: field: problem.'
  static override examples = [
    'ars records validate --type question < questions.jsonl > checked.jsonl',
    'ars records convert --from flashrag -i nq.jsonl | ars records validate --type question',
    'ars records validate --type trajectory -i traj.jsonl --on-invalid warn > /dev/null',
  ]

  static override flags = {
    type: Flags.string({char: 't', required: true, description: `Record type: ${RECORD_TYPES.map(cliName).join(', ')}.`}),
    input: sharedFlags.input,
    'on-invalid': sharedFlags.onInvalid,
    'allow-empty': sharedFlags.allowEmpty,
    quiet: sharedFlags.quiet,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(RecordsValidate)
    const type = recordType(flags.type)
    const policy = this.invalidPolicy(flags['on-invalid'])
    const lines = readJsonl(flags.input ?? [], {policy})
    const records = counted(validateRecords(lines, type, policy), (n) => {
      if (!flags['allow-empty']) requireNonEmpty(flags.input, policy.invalid)(n)
      if (policy.invalid > 0 && !flags.quiet) process.stderr.write(`${n} valid, ${policy.invalid} invalid ${type.title} records (${policy.mode === 'skip' ? 'skipped' : 'reported above'})\n`)
    })
    await writeJsonl(records)
  }
}
