// Numeric flag values given as text (oclif has no float flag): parsed eagerly with "Expected X, got Y".
import {UsageError} from '../core/index.js'

export function numberFlag(flag: string, raw: string | undefined, fallback: number, min: number, max: number, options: {integer?: boolean; minExclusive?: boolean} = {}): number {
  if (raw === undefined) return fallback
  const value = Number(raw)
  const kind = options.integer ? 'an integer' : 'a number'
  const ok = raw.trim() !== '' && Number.isFinite(value) && (!options.integer || Number.isInteger(value)) && (options.minExclusive ? value > min : value >= min) && value <= max
  if (!ok) throw new UsageError(`--${flag}: expected ${kind} in ${options.minExclusive ? '(' : '['}${min}, ${max}], got ${JSON.stringify(raw)}`, {code: 'flag', fix: `Pass e.g. --${flag} ${fallback}.`})
  return value
}
