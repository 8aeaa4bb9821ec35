import {Args} from '@oclif/core'
import {ArsCommand} from '../_shared/base-command.js'
import {cliName, RECORD_TYPES, recordType} from '../../src/core/index.js'
import {recordJsonSchema} from '../../src/core/index.js'

export default class RecordsSchema extends ArsCommand {
  static override summary = 'Print the JSON Schema of a record type (or list the types).'
  static override examples = ['ars records schema question > question.schema.json', 'ars records schema']

  static override args = {
    type: Args.string({description: `Record type: ${RECORD_TYPES.map(cliName).join(', ')}. Omit to list them.`, required: false, ignoreStdin: true}),
  }

  async run(): Promise<void> {
    const {args} = await this.parse(RecordsSchema)
    if (!args.type) {
      for (const t of RECORD_TYPES) process.stdout.write(`${cliName(t).padEnd(14)} v${t.version}  ${t.description}\n`)
      return
    }
    process.stdout.write(`${JSON.stringify(recordJsonSchema(recordType(args.type)), null, 2)}\n`)
  }
}
