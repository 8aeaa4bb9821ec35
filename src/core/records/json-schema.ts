// JSON Schema and Markdown reference generated from the zod record schemas (schemas/*.json, docs/records.md).
import {z} from 'zod'
import {cliName, RECORD_TYPES} from './index.js'
import type {RecordType} from './common.js'
import {MAX_JSON_DEPTH, MAX_LINE_BYTES} from '../jsonl.js'

export function recordJsonSchema(type: RecordType): Record<string, unknown> {
  const schema = z.toJSONSchema(type.schema, {io: 'input', target: 'draft-2020-12', unrepresentable: 'any'}) as Record<string, unknown>
  return {
    $id: `https://ars.dev/schemas/${cliName(type)}.v${type.version}.json`,
    title: type.title,
    description: type.description,
    ...schema,
  }
}

interface PropSchema {
  type?: string | string[]
  description?: string
  default?: unknown
  const?: unknown
  enum?: unknown[]
  items?: PropSchema
  anyOf?: PropSchema[]
  properties?: Record<string, PropSchema>
}

function typeText(p: PropSchema): string {
  if (p.const !== undefined) return JSON.stringify(p.const)
  if (p.enum) return p.enum.map((e) => JSON.stringify(e)).join(' \\| ')
  if (p.anyOf) return p.anyOf.map(typeText).join(' \\| ')
  if (p.type === 'array') return `${p.items ? typeText(p.items) : 'any'}[]`
  if (Array.isArray(p.type)) return p.type.join(' \\| ')
  return p.type ?? 'any'
}

export function recordsMarkdown(): string {
  const out: string[] = [
    '# Records',
    '',
    '<!-- Generated from src/core/records by `npm run gen:schemas`; a test fails when this file is stale. -->',
    '',
    'Every line ars reads or writes is one JSON object with a `type` and a `version`. On input both may be',
    'omitted (they default to the expected type and current version); on output they are always written.',
    'Unknown fields are rejected: put extra data under `meta`. JSON Schemas are in `schemas/`.',
    '',
    `Limits (src/core/jsonl.ts): a line is at most ${MAX_LINE_BYTES / (1 << 20)} MiB (\`MAX_LINE_BYTES\`) and nests objects/arrays at most`,
    `${MAX_JSON_DEPTH} levels deep (\`MAX_JSON_DEPTH\`). Beyond either, the line is a \`line-too-long\` or \`json-depth\` error at its`,
    '`file:line`, handled by `--on-invalid` like any bad line: `skip`/`warn` keep every valid record around it. Lines are',
    'read in linear time whatever their length (a 50 MB line on stdin: ~1 s).',
    '',
  ]
  for (const type of RECORD_TYPES) {
    const schema = recordJsonSchema(type) as {properties?: Record<string, PropSchema>; required?: string[]}
    out.push(`## ${type.title} (\`${type.type}\`, version ${type.version})`, '', type.description, '', `Validate: \`ars records validate --type ${cliName(type)}\`; schema: \`schemas/${cliName(type)}.json\`.`, '')
    out.push('| field | type | required | description |', '| --- | --- | --- | --- |')
    for (const [name, prop] of Object.entries(schema.properties ?? {})) {
      const required = schema.required?.includes(name) ? 'yes' : prop.default !== undefined ? `default \`${JSON.stringify(prop.default)}\`` : 'no'
      out.push(`| \`${name}\` | ${typeText(prop)} | ${required} | ${(prop.description ?? '').replace(/\|/g, '\\|')} |`)
    }
    out.push('')
  }
  return out.join('\n')
}
