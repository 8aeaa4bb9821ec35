// Flag parsing shared by the search commands (index, search, serve retrieval), and the page-reader flag of the
// agent commands.
import {Flags} from '@oclif/core'
import {UsageError} from '../../src/core/index.js'

/** A decimal flag value, or undefined when the flag was not given. */
export function parseBm25Flag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value)
  if (value.trim() === '' || !Number.isFinite(number)) throw new UsageError(`${name}: expected a number, got ${JSON.stringify(value)}`, {fix: 'Pass a decimal number, e.g. --k1 1.2 --b 0.75.'})
  return number
}

/**
 * `--allow-private`: one name for one idea in every command that reads pages (`ars read` too). The agent commands
 * called it `--read-allow-private`, which stays as an alias so existing scripts run.
 */
export function allowPrivateFlag(description = 'Let the agent\'s page reader open loopback and private addresses (a local `ars serve web`); the SSRF guard stays on for everything else.') {
  return Flags.boolean({default: false, aliases: ['read-allow-private'], description})
}
