// Pieces shared by every record schema: the type/version header, meta, and compiler-style error text.
import {z} from 'zod'
import {DataError} from '../errors.js'

/** `type` and `version` default on input (so hand-written lines stay short) and are always written. */
export function header<T extends string, V extends number>(type: T, version: V) {
  return {
    type: z.literal(type).default(type as never).describe(`Record type, always "${type}".`),
    version: z.literal(version).default(version as never).describe(`Schema version of this record type (this ars writes ${version}).`),
  }
}

export const meta = z.record(z.string(), z.unknown()).default({}).describe('Free-form extra data; kept as is by every stage.')

export interface RecordType<S extends z.ZodType = z.ZodType> {
  /** The `type` field value, snake_case. */
  type: string
  /** The name used in messages, e.g. `Question`. */
  title: string
  version: number
  description: string
  schema: S
}

function typeName(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<PropertyKey, unknown>)[key]
  }
  return v
}

function pathText(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key)
  return out || '(record)'
}

/** One issue as `field: expected X, got Y`. */
export function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const at = pathText(issue.path)
  const got = valueAt(value, issue.path)
  switch (issue.code) {
    case 'invalid_type':
      if (got === undefined) return `${at}: required field is missing (expected ${issue.expected})`
      return `${at}: expected ${issue.expected}, got ${typeName(got)}`
    case 'unrecognized_keys':
      return `${at === '(record)' ? '' : `${at}: `}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (put extra data under "meta")`
    case 'invalid_value':
      return `${at}: expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${JSON.stringify(got)}`
    default:
      return `${at}: ${issue.message}`
  }
}

export function describeZodError(error: z.ZodError, value: unknown, max = 3): string {
  const parts = error.issues.slice(0, max).map((issue) => describeIssue(issue, value))
  const more = error.issues.length - max
  return parts.join('; ') + (more > 0 ? `; and ${more} more` : '')
}

/** Parse one value against a record type, throwing `path:line: invalid Title: field: …`. */
export function parseRecord<S extends z.ZodType>(type: RecordType<S>, value: unknown, where?: string): z.output<S> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DataError(`invalid ${type.title}: expected a JSON object, got ${typeName(value)}`, {where, code: 'record'})
  }
  const declared = (value as {type?: unknown}).type
  if (declared !== undefined && declared !== type.type) {
    throw new DataError(`invalid ${type.title}: this line is a ${JSON.stringify(declared)} record, expected "${type.type}"`, {where, code: 'record-type', fix: `This reads ${type.title} records; a ${JSON.stringify(declared)} record belongs to another stage (check such lines with \`ars records validate --type ${String(declared).replace(/_/g, '-')}\`).`})
  }
  const result = type.schema.safeParse(value)
  if (!result.success) throw new DataError(`invalid ${type.title}: ${describeZodError(result.error, value)}`, {where, code: 'record'})
  return result.data
}
