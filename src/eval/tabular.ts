// CSV / TSV rows as objects keyed by the header, RFC 4180 quoting (quoted fields may hold separators, quotes
// doubled, newlines). Benchmarks ship as csv (Bamboogle, xBench, BrowseComp) or tsv (PopQA, FRAMES).
import {DataError} from '../core/index.js'

export interface TabularRow {
  /** 1-based line where the row starts (header is line 1). */
  line: number
  values: Record<string, string>
}

/** Parse delimited text; the first record is the header. A BOM is dropped (xBench's csv is utf-8-sig). */
export function parseDelimited(text: string, delimiter: ',' | '\t', source = 'input'): {header: string[]; rows: TabularRow[]} {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  const records: {line: number; fields: string[]}[] = []
  let fields: string[] = []
  let field = ''
  let inQuotes = false
  let line = 1
  let recordLine = 1
  let fieldStarted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          i++
        } else inQuotes = false
      } else {
        if (c === '\n') line++
        field += c
      }
      continue
    }
    if (c === '"' && !fieldStarted) {
      inQuotes = true
      fieldStarted = true
    } else if (c === delimiter) {
      fields.push(field)
      field = ''
      fieldStarted = false
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      fields.push(field)
      if (!(fields.length === 1 && fields[0] === '')) records.push({line: recordLine, fields})
      fields = []
      field = ''
      fieldStarted = false
      line++
      recordLine = line
    } else {
      field += c
      fieldStarted = true
    }
  }
  if (inQuotes) throw new DataError('unterminated quoted field', {where: `${source}:${recordLine}`, code: 'csv', fix: 'Check the file is complete (a quote opened and never closed).'})
  if (fieldStarted || fields.length > 0) {
    fields.push(field)
    records.push({line: recordLine, fields})
  }
  const head = records.shift()
  if (!head) return {header: [], rows: []}
  const header = head.fields.map((h) => h.trim())
  const rows = records.map(({line: l, fields: f}) => {
    const values: Record<string, string> = {}
    header.forEach((h, i) => {
      values[h] = f[i] ?? ''
    })
    return {line: l, values}
  })
  return {header, rows}
}

/** Quote a field for CSV output when needed. */
export function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}
