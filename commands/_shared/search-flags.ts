// Flag parsing shared by the search commands (index, search, serve retrieval).
import {UsageError} from '../../src/core/index.js'

/** A decimal flag value, or undefined when the flag was not given. */
export function parseBm25Flag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value)
  if (value.trim() === '' || !Number.isFinite(number)) throw new UsageError(`${name}: expected a number, got ${JSON.stringify(value)}`, {fix: 'Pass a decimal number, e.g. --k1 1.2 --b 0.75.'})
  return number
}
