// Typed number flags, checked at parse time with one wording for every command:
//   error: --NAME: expected a number in [0, 1], got "1.5"   (exit 2, UsageError code "flag")
// numberFlag takes any range (min/max, either end exclusive), integerFlag adds "whole number", probabilityFlag
// defaults the range to [0, 1]. The value arrives as a number (or undefined without a default).
import {Flags} from '@oclif/core'
import {UsageError} from '../../src/core/index.js'

export type NumberRange = {
  min?: number
  max?: number
  /** The value must be > min (not ≥). */
  minExclusive?: boolean
  /** The value must be < max (not ≤). */
  maxExclusive?: boolean
  integer?: boolean
}

/** "a number in [0, 1]", "an integer ≥ 1", "a number > 0", "a number in (0, 1)". */
export function rangeText(range: NumberRange): string {
  const kind = range.integer ? 'an integer' : 'a number'
  const {min, max} = range
  if (min !== undefined && max !== undefined) return `${kind} in ${range.minExclusive ? '(' : '['}${min}, ${max}${range.maxExclusive ? ')' : ']'}`
  if (min !== undefined) return `${kind} ${range.minExclusive ? '>' : '≥'} ${min}`
  if (max !== undefined) return `${kind} ${range.maxExclusive ? '<' : '≤'} ${max}`
  return kind
}

/** Parses `raw` as the value of `--flag`, or throws the one UsageError naming the flag, the range and the value. */
export function parseNumberValue(flag: string, raw: string, range: NumberRange, example?: number): number {
  const value = Number(raw)
  const {min, max} = range
  const ok = raw.trim() !== '' && Number.isFinite(value) &&
    (!range.integer || Number.isInteger(value)) &&
    (min === undefined || (range.minExclusive ? value > min : value >= min)) &&
    (max === undefined || (range.maxExclusive ? value < max : value <= max))
  if (!ok) {
    const expected = rangeText(range)
    throw new UsageError(`--${flag}: expected ${expected}, got ${JSON.stringify(raw)}`, {code: 'flag', fix: example === undefined ? `Pass ${expected}.` : `Pass ${expected}, e.g. --${flag} ${example}.`})
  }
  return value
}

const rangeOf = (options: NumberRange): NumberRange => ({min: options.min, max: options.max, minExclusive: options.minExclusive, maxExclusive: options.maxExclusive, integer: options.integer})
const exampleOf = (options: {default?: unknown}): number | undefined => (typeof options.default === 'number' ? options.default : undefined)

/** A decimal flag within an optional range: `numberFlag({min: 0, default: 1, description})`. */
export const numberFlag = Flags.custom<number, NumberRange>({
  parse: async (input, _context, options) => parseNumberValue(options.name, input, rangeOf(options), exampleOf(options)),
})

/** A whole-number flag within an optional range. */
export const integerFlag = Flags.custom<number, NumberRange>({
  parse: async (input, _context, options) => parseNumberValue(options.name, input, {...rangeOf(options), integer: true}, exampleOf(options)),
})

/** A probability (or fraction): a number in [0, 1] unless the options narrow it (e.g. maxExclusive). */
export const probabilityFlag = Flags.custom<number, NumberRange>({
  parse: async (input, _context, options) => parseNumberValue(options.name, input, {...rangeOf(options), min: options.min ?? 0, max: options.max ?? 1}, exampleOf(options)),
})

/**
 * oclif prefixes an error thrown while parsing a flag with "Parsing --NAME" and suffixes "See more help with
 * --help"; our UsageError already names the flag, so the base command strips that wrapping before printing.
 */
export function unwrapFlagParseMessage(message: string): string {
  return message.replace(/^Parsing --\S+ \s*\n\t/, '').replace(/\nSee more help with --help$/, '')
}
