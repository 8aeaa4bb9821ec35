// `--pass-range` bounds on a pass rate p, written the way papers write them: `0<p<1`, `0<=p<=0.5`, `p<1`, `0.25<p`.
import {UsageError} from '../core/index.js'

export interface PassRange {
  text: string
  contains(p: number): boolean
}

const NUM = '(\\d+(?:\\.\\d+)?|\\.\\d+)'
const RANGE = new RegExp(`^(?:${NUM}\\s*(<=|<)\\s*)?p(?:\\s*(<=|<)\\s*${NUM})?$`)

export function parsePassRange(text: string): PassRange {
  const m = RANGE.exec(text.replace(/\s+/g, ''))
  if (!m || (m[1] === undefined && m[4] === undefined)) {
    throw new UsageError(`--pass-range ${JSON.stringify(text)}: expected bounds on p such as 0<p<1, 0<=p<=0.5 or p<1`, {code: 'pass-range', fix: "Quote it for the shell: --pass-range '0<p<1'."})
  }
  const lo = m[1] === undefined ? undefined : Number(m[1])
  const hi = m[4] === undefined ? undefined : Number(m[4])
  for (const v of [lo, hi]) {
    if (v !== undefined && (v < 0 || v > 1)) throw new UsageError(`--pass-range ${JSON.stringify(text)}: bounds must lie in [0, 1], got ${v}`, {code: 'pass-range'})
  }
  const loStrict = m[2] === '<'
  const hiStrict = m[3] === '<'
  return {
    text,
    contains: (p) => (lo === undefined || (loStrict ? p > lo : p >= lo)) && (hi === undefined || (hiStrict ? p < hi : p <= hi)),
  }
}
