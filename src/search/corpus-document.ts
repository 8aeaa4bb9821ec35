// Corpus documents as `ars index` reads them: `{id, title, text}` (ars, FlashRAG) or `{id, contents}` with the
// title quoted on the first line (Search-R1 / Pyserini wiki dumps); `url` is optional. One shape inside.
import {DataError, describeValue} from '../core/index.js'

export interface CorpusDocument {
  id: string
  title: string
  text: string
  /** Where `access` opens it; `doc:<id>` when the corpus has no URL. */
  url?: string
}

/** Validates one corpus line; `where` is `file:line` for the error. */
export function toCorpusDocument(value: unknown, where: string): CorpusDocument {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DataError(`expected a corpus document object {id, title, text} or {id, contents}, got ${describeValue(value)}`, {where, code: 'corpus', fix: 'Each line must be a JSON object with id and text (or contents).'})
  }
  const record = value as Record<string, unknown>
  const rawId = record.id ?? record._id ?? record.docid
  if (typeof rawId !== 'string' && typeof rawId !== 'number') {
    throw new DataError(`id: expected a string or number, got ${describeValue(rawId)}`, {where, code: 'corpus', fix: 'Give every document an id.'})
  }
  const id = String(rawId)
  if (id.length === 0) throw new DataError('id: expected a non-empty string, got ""', {where, code: 'corpus', fix: 'Give every document an id.'})
  const url = typeof record.url === 'string' && record.url.length > 0 ? record.url : undefined
  if (typeof record.text === 'string') {
    const title = record.title === undefined || record.title === null ? '' : record.title
    if (typeof title !== 'string') throw new DataError(`title: expected a string, got ${describeValue(title)}`, {where, code: 'corpus'})
    return url ? {id, title, text: record.text, url} : {id, title, text: record.text}
  }
  if (typeof record.contents === 'string') {
    const {title, text} = splitContents(record.contents)
    const explicitTitle = typeof record.title === 'string' ? record.title : undefined
    return {id, title: explicitTitle ?? title, text, ...(url ? {url} : {})}
  }
  throw new DataError(`expected a string "text" or "contents" field, got text: ${describeValue(record.text)}, contents: ${describeValue(record.contents)}`, {where, code: 'corpus', fix: 'Each line must be {id, title, text} or {id, contents}.'})
}

/** Search-R1's contents: `"Title"\ntext`. A first line without quotes is still taken as the title. */
export function splitContents(contents: string): {title: string; text: string} {
  const newline = contents.indexOf('\n')
  if (newline === -1) return {title: '', text: contents}
  let title = contents.slice(0, newline).trim()
  if (title.length >= 2 && title.startsWith('"') && title.endsWith('"')) title = title.slice(1, -1)
  return {title, text: contents.slice(newline + 1)}
}

/** The inverse: what Search-R1 retrieval servers return as `document.contents`. */
export function joinContents(title: string, text: string): string {
  return `"${title}"\n${text}`
}

/** The text BM25 indexes: the title line and the body, as Pyserini indexes `contents`. */
export function indexedText(doc: CorpusDocument): string {
  return doc.title ? `${doc.title}\n${doc.text}` : doc.text
}
