// `--where` predicates: a tiny, safe expression language over record fields (no eval()).
//   FIELD OP VALUE    OP one of = == != > >= < <= ~ (contains, case-insensitive) !~ (does not contain)
//   FIELD | !FIELD    present and non-empty | absent or empty
//   len(FIELD) OP N   length of a string or array
// FIELD is a dotted path (meta.level, checks.uniqueness.verdict); on an array field, = and ~ test any element.
import {UsageError} from '../core/index.js'

export type Operator = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~' | '!~'

export interface Predicate {
  /** The expression as written, used in reject reasons. */
  text: string
  /** Undefined when the record satisfies it; otherwise why not. */
  test(record: Record<string, unknown>): string | undefined
}

const PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*$/
const COMPARISON = /^\s*(len\(\s*([^)]*?)\s*\)|[^\s=!<>~]+)\s*(==|!=|>=|<=|!~|=|>|<|~)\s*(.*?)\s*$/

function fieldAt(record: Record<string, unknown>, path: string): unknown {
  let v: unknown = record
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<string, unknown>)[key]
  }
  return v
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || v === false || (Array.isArray(v) && v.length === 0)
}

function unquote(raw: string): string {
  if (raw.length >= 2 && ((raw.startsWith('"') && raw.endsWith('"')) || (raw.startsWith("'") && raw.endsWith("'")))) return raw.slice(1, -1)
  return raw
}

function badPath(expr: string, path: string): never {
  throw new UsageError(`--where ${JSON.stringify(expr)}: ${JSON.stringify(path)} is not a field path`, {code: 'where', fix: 'Fields are names joined by dots, e.g. hops, source, meta.level, checks.uniqueness.verdict.'})
}

export function parsePredicate(expr: string): Predicate {
  const trimmed = expr.trim()
  if (trimmed === '') throw new UsageError('--where: empty expression', {code: 'where', fix: "Write FIELD OP VALUE, e.g. --where 'hops>=2'."})
  const m = COMPARISON.exec(trimmed)
  if (!m) {
    const negated = trimmed.startsWith('!')
    const path = negated ? trimmed.slice(1).trim() : trimmed
    if (!PATH.test(path)) {
      throw new UsageError(`--where ${JSON.stringify(expr)}: expected FIELD OP VALUE, FIELD or !FIELD`, {code: 'where', fix: "Operators: = != > >= < <= ~ !~, e.g. --where 'source=world' --where 'hops>=2' --where 'len(answers)=1'."})
    }
    return {
      text: trimmed,
      test: (record) => {
        const empty = isEmpty(fieldAt(record, path))
        if (negated) return empty ? undefined : `${path} is present`
        return empty ? `${path} is missing or empty` : undefined
      },
    }
  }
  const lengthOf = m[2] !== undefined
  const path = lengthOf ? (m[2] as string) : (m[1] as string)
  if (!PATH.test(path)) badPath(expr, path)
  const op = (m[3] === '==' ? '=' : m[3]) as Operator
  const rawValue = unquote(m[4] as string)
  const numeric = rawValue !== '' && Number.isFinite(Number(rawValue)) ? Number(rawValue) : undefined
  if ((op === '>' || op === '>=' || op === '<' || op === '<=' || lengthOf) && numeric === undefined && !(lengthOf && (op === '~' || op === '!~'))) {
    throw new UsageError(`--where ${JSON.stringify(expr)}: ${op} needs a number, got ${JSON.stringify(rawValue)}`, {code: 'where', fix: "Compare numbers with > >= < <=, e.g. --where 'hops>=2'; use = or ~ for text."})
  }
  const label = lengthOf ? `len(${path})` : path
  const compareOne = (v: unknown): boolean => {
    switch (op) {
      case '~':
      case '!~':
        return String(v).toLowerCase().includes(rawValue.toLowerCase())
      case '=':
      case '!=':
        if (numeric !== undefined && typeof v === 'number') return v === numeric
        return String(v) === rawValue
      default: {
        const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN
        if (Number.isNaN(n)) return false
        const x = numeric as number
        return op === '>' ? n > x : op === '>=' ? n >= x : op === '<' ? n < x : n <= x
      }
    }
  }
  return {
    text: trimmed,
    test: (record) => {
      let v = fieldAt(record, path)
      if (lengthOf) {
        if (typeof v !== 'string' && !Array.isArray(v)) return `${label}: ${path} is ${v === undefined ? 'missing' : 'not a string or array'}`
        v = v.length
      }
      if (v === undefined || v === null) return `${label} is missing (needed for ${trimmed})`
      if (typeof v === 'object' && !Array.isArray(v)) return `${label} is an object (name a field inside it)`
      const values = Array.isArray(v) ? v : [v]
      const any = values.some(compareOne)
      // Negated operators hold when no element matches.
      const ok = op === '!=' || op === '!~' ? !any : any
      return ok ? undefined : `${label} = ${JSON.stringify(v).slice(0, 60)} fails ${trimmed}`
    },
  }
}
