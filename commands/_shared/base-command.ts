// The base of every ars command: maps ArsError to `error: <place>: <message>` + `fix:` on stderr with exit
// 2 (usage) or 1 (data), makes a closed stdout pipe a clean exit, and offers the shared flag factories.
import {Command, Flags} from '@oclif/core'
import {isArsError} from '../../src/core/index.js'
import {exitCleanlyOnEpipe} from '../../src/core/index.js'
import {InvalidPolicy, ON_INVALID_MODES, type OnInvalid} from '../../src/core/index.js'
import {ProgressDrawer} from '../../src/cli/index.js'
import {unwrapFlagParseMessage} from './number-flags.js'

export const sharedFlags = {
  input: Flags.string({
    char: 'i',
    multiple: true,
    description: 'Input JSONL file(s); "-" or none reads stdin. Files ending in .gz are decompressed.',
    helpValue: 'FILE',
  }),
  onInvalid: Flags.option({
    options: ON_INVALID_MODES,
    default: 'fail' as OnInvalid,
    description: 'What to do with a bad input line: fail (stop, exit 1; records before it are kept), skip, or warn (skip and print it).',
  })(),
  allowEmpty: Flags.boolean({
    default: false,
    description: 'Accept an input with no records (otherwise an empty input is an error, since it is usually a mistake upstream).',
  }),
  seed: Flags.integer({description: 'Seed for every random choice (same seed, same output).', default: 0}),
  quiet: Flags.boolean({char: 'q', default: false, description: 'No progress output on stderr (warnings still shown).'}),
}

export abstract class ArsCommand extends Command {
  protected override async init(): Promise<void> {
    exitCleanlyOnEpipe()
    await super.init()
  }

  protected invalidPolicy(mode: OnInvalid): InvalidPolicy {
    return new InvalidPolicy(mode, (message) => process.stderr.write(`warning: ${message}\n`))
  }

  /**
   * Two-stage Ctrl-C for long work: the first SIGINT prints `first.message` and runs `first.action` (stop intake,
   * finish what is in flight); a second prints `second.message` and runs `second.action` (abandon; default: exit
   * 130). Returns the function that removes the handler — call it in a `finally`.
   */
  protected onInterrupt(first: {message: string; action: () => void}, second: {message: string; action?: () => void}): () => void {
    let interrupts = 0
    const handler = (): void => {
      interrupts++
      if (interrupts === 1) {
        process.stderr.write(`\ninterrupted: ${first.message}\n`)
        first.action()
      } else {
        process.stderr.write(`\ninterrupted again: ${second.message}\n`)
        if (second.action) second.action()
        else process.exit(130)
      }
    }
    process.on('SIGINT', handler)
    return () => void process.off('SIGINT', handler)
  }

  protected progress(quiet: boolean): ProgressDrawer {
    return new ProgressDrawer({quiet})
  }

  protected override async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    if (isArsError(error)) {
      process.stderr.write(`error: ${unwrapFlagParseMessage(error.message)}\n`)
      if (error.fix) process.stderr.write(`  fix: ${error.fix}\n`)
      if (process.env.ARS_DEBUG && error.stack) process.stderr.write(`${error.stack}\n`)
      return this.exit(error.exit)
    }
    return super.catch(error)
  }
}
