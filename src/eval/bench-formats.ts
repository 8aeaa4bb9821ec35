// Benchmark file formats: each benchmark's original release and the copies users already have (FlashRAG /
// Search-R1 JSONL, verl parquet), read into Question records. Detection looks at the container (extension)
// then the fields of the first row; an unknown file gets an error listing every format known.
import {readFileSync, statSync, existsSync} from 'node:fs'
import {gunzipSync} from 'node:zlib'
import {basename, join} from 'node:path'
import {DataError, UsageError} from '../core/index.js'
import {readParquetObjects} from '../core/index.js'
import {parseRecord, QuestionType, SynthItemType, synthItemToQuestion, toQuestion, type Question, type QuestionInput} from '../core/index.js'
import {parseDelimited, type TabularRow} from './tabular.js'
import {browseCompDecrypt, looksDecrypted, xbenchDecrypt} from './decrypt.js'
import {unreadableReason} from '../tools/index.js'

export type Container = 'jsonl' | 'json' | 'csv' | 'tsv' | 'parquet'

export interface BenchFormat {
  readonly name: string
  /** Shown by `ars eval list` and in the unknown-format error. */
  readonly description: string
  readonly containers: readonly Container[]
  /** Does a file (its container and first row / top-level value) look like this format? */
  detect(container: Container, sample: unknown, header?: readonly string[]): boolean
  /** Rows → questions. `skip` counts rows left out on purpose (e.g. GAIA rows with an attached file). */
  convert(rows: RawRow[], ctx: ConvertContext): QuestionInput[]
}

export interface RawRow {
  where: string
  line: number
  value: unknown
}

export interface ConvertContext {
  source: string
  skip(reason: string): void
  /** Folder of attached files (`--attachments`): GAIA rows with a file the file tool reads are kept. */
  attachments?: string | undefined
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined)

function need(row: RawRow, format: string, field: string): string {
  const v = isObj(row.value) ? str(row.value[field]) : undefined
  if (v === undefined || v.trim() === '') throw new DataError(`not a ${format} row: ${field}: required field is missing`, {where: row.where, code: 'format'})
  return v
}

function strings(value: unknown): string[] {
  if (value === undefined || value === null) return []
  if (Array.isArray(value)) return value.map(str).filter((s): s is string => s !== undefined && s !== '')
  const s = str(value)
  return s === undefined || s === '' ? [] : [s]
}

function unique(items: string[]): string[] {
  return [...new Set(items.filter((s) => s.trim() !== ''))]
}

/** PopQA stores possible_answers as a JSON list in a cell; some copies use Python literals ('…'). */
function listCell(cell: string, where: string): string[] {
  const t = cell.trim()
  if (t === '') return []
  if (!t.startsWith('[')) return [t]
  try {
    return strings(JSON.parse(t))
  } catch {
    const items = [...t.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1'))
    if (items.length === 0) throw new DataError(`possible_answers: cannot read list ${JSON.stringify(t.slice(0, 40))}`, {where, code: 'format'})
    return items
  }
}

const hasKeys = (sample: unknown, ...keys: string[]): boolean => isObj(sample) && keys.every((k) => k in sample)
const hasHeader = (header: readonly string[] | undefined, ...keys: string[]): boolean => !!header && keys.every((k) => header.includes(k))

/**
 * FlashRAG and verl rows name their benchmark per row (`data_source`), and one file may mix several (Search-R1's
 * and DeepResearcher's test sets do): that name is kept; `loadBenchmark` decides what to do with a mix.
 */
function fromRecordFormat(format: 'flashrag' | 'verl' | 'gaia' | 'qa' | 'ars'): BenchFormat['convert'] {
  return (rows, ctx) =>
    rows.map((r) => {
      const q = toQuestion(r.value, format, r.where, r.line)
      const own = isObj(r.value) ? str(r.value.data_source) : undefined
      return {...q, source: own || ctx.source || q.source || format}
    })
}

const HOTPOT_TYPES = new Set(['bridge', 'comparison'])
const WIKI2_TYPES = new Set(['comparison', 'inference', 'compositional', 'bridge_comparison'])

export const BENCH_FORMATS: readonly BenchFormat[] = [
  {
    name: 'nq-open',
    description: 'NQ-open release JSONL {question, answer: [..]} (also WebQuestions/CuratedTREC copies)',
    containers: ['jsonl'],
    detect: (c, s) => c === 'jsonl' && hasKeys(s, 'question', 'answer') && Array.isArray((s as Obj).answer) && !('id' in (s as Obj)),
    convert: (rows, ctx) => rows.map((r) => ({id: `nq-${r.line - 1}`, question: need(r, 'nq-open', 'question'), answers: unique(strings((r.value as Obj).answer)), source: ctx.source || 'nq'})),
  },
  {
    name: 'triviaqa',
    description: 'TriviaQA release JSON {Data: [{QuestionId, Question, Answer: {Value, Aliases, NormalizedAliases}}]}',
    containers: ['json'],
    detect: (c, s, h) => c === 'json' && (hasHeader(h, 'Data') || (hasKeys(s, 'Question', 'Answer') && isObj((s as Obj).Answer))),
    convert: (rows, ctx) =>
      rows.map((r) => {
        const v = r.value as Obj
        const a = isObj(v.Answer) ? v.Answer : {}
        return {id: str(v.QuestionId) ?? `triviaqa-${r.line}`, question: need(r, 'triviaqa', 'Question'), answers: unique([...strings(a.Value), ...strings(a.Aliases), ...strings(a.NormalizedAliases)]), source: ctx.source || 'triviaqa', hops: 1}
      }),
  },
  {
    name: 'popqa',
    description: 'PopQA release TSV/CSV with columns id, question, possible_answers (JSON list), s_pop, prop',
    containers: ['tsv', 'csv'],
    detect: (_c, _s, h) => hasHeader(h, 'question', 'possible_answers'),
    convert: (rows, ctx) =>
      rows.map((r) => {
        const v = r.value as Record<string, string>
        const meta: Obj = {}
        for (const k of ['prop', 's_pop', 'subj', 'obj']) if (v[k] !== undefined && v[k] !== '') meta[k] = k === 's_pop' ? Number(v[k]) : v[k]
        return {id: v.id || `popqa-${r.line}`, question: need(r, 'popqa', 'question'), answers: unique(listCell(v.possible_answers ?? '', r.where)), source: ctx.source || 'popqa', hops: 1, meta}
      }),
  },
  {
    name: 'hotpotqa',
    description: 'HotpotQA release JSON array [{_id, question, answer, type, level, supporting_facts, context}]',
    containers: ['json'],
    detect: (c, s) => c === 'json' && hasKeys(s, '_id', 'question', 'answer') && ('level' in (s as Obj) || HOTPOT_TYPES.has(String((s as Obj).type))) && !('evidences' in (s as Obj)),
    convert: (rows, ctx) =>
      rows.map((r) => {
        const v = r.value as Obj
        const sf = Array.isArray(v.supporting_facts) ? v.supporting_facts.map((f) => (Array.isArray(f) ? `${String(f[0])}#${String(f[1])}` : String(f))) : undefined
        return {id: need(r, 'hotpotqa', '_id'), question: need(r, 'hotpotqa', 'question'), answers: strings(v.answer), source: ctx.source || 'hotpotqa', hops: 2, ...(sf ? {supporting_facts: sf} : {}), meta: {type: v.type, level: v.level}}
      }),
  },
  {
    name: '2wiki',
    description: '2WikiMultiHopQA release JSON array [{_id, type, question, answer, supporting_facts, evidences}]',
    containers: ['json'],
    detect: (c, s) => c === 'json' && hasKeys(s, '_id', 'question', 'answer') && ('evidences' in (s as Obj) || WIKI2_TYPES.has(String((s as Obj).type))),
    convert: (rows, ctx) =>
      rows.map((r) => {
        const v = r.value as Obj
        const evidences = Array.isArray(v.evidences) ? v.evidences.length : 0
        const hops = evidences > 0 ? evidences : v.type === 'bridge_comparison' ? 4 : 2
        const sf = Array.isArray(v.supporting_facts) ? v.supporting_facts.map((f) => (Array.isArray(f) ? `${String(f[0])}#${String(f[1])}` : String(f))) : undefined
        return {id: need(r, '2wiki', '_id'), question: need(r, '2wiki', 'question'), answers: unique([...strings(v.answer), ...strings(v.answer_aliases)]), source: ctx.source || '2wiki', hops, ...(sf ? {supporting_facts: sf} : {}), meta: {type: v.type}}
      }),
  },
  {
    name: 'musique',
    description: 'MuSiQue release JSONL {id, question, answer, answer_aliases, answerable, question_decomposition}',
    containers: ['jsonl'],
    detect: (c, s) => c === 'jsonl' && hasKeys(s, 'id', 'question', 'answer') && ('answer_aliases' in (s as Obj) || 'answerable' in (s as Obj)),
    convert: (rows, ctx) =>
      rows.map((r) => {
        const v = r.value as Obj
        const id = need(r, 'musique', 'id')
        const m = /^(\d+)hop/.exec(id)
        const hops = m ? Number(m[1]) : Array.isArray(v.question_decomposition) ? v.question_decomposition.length : undefined
        // MuSiQue-Full's unanswerable questions have no gold to score against: count them, don't score them 0.
        const answers = v.answerable === false ? [] : unique([...strings(v.answer), ...strings(v.answer_aliases)])
        return {id, question: need(r, 'musique', 'question'), answers, source: ctx.source || 'musique', ...(hops ? {hops} : {}), meta: {answerable: v.answerable ?? true}}
      }),
  },
  {
    name: 'bamboogle',
    description: 'Bamboogle release CSV with columns Question, Answer',
    containers: ['csv', 'tsv'],
    detect: (_c, _s, h) => hasHeader(h, 'Question', 'Answer') && !hasHeader(h, 'canary'),
    convert: (rows, ctx) => rows.map((r, i) => ({id: `bamboogle-${i}`, question: need(r, 'bamboogle', 'Question'), answers: strings((r.value as Obj).Answer), source: ctx.source || 'bamboogle', hops: 2})),
  },
  {
    name: 'frames',
    description: 'FRAMES (google/frames-benchmark) TSV/CSV with columns Prompt, Answer, reasoning_types, wiki_links',
    containers: ['tsv', 'csv'],
    detect: (_c, _s, h) => hasHeader(h, 'Prompt', 'Answer'),
    convert: (rows, ctx) =>
      rows.map((r, i) => {
        const v = r.value as Record<string, string>
        const index = v[''] ?? v['Unnamed: 0'] ?? String(i)
        const links = Object.keys(v).filter((k) => /^wikipedia_link_\d+$/.test(k) && v[k])
        return {id: `frames-${index}`, question: need(r, 'frames', 'Prompt'), answers: strings(v.Answer), source: ctx.source || 'frames', ...(links.length > 0 ? {hops: links.length} : {}), meta: {reasoning_types: v.reasoning_types ?? ''}}
      }),
  },
  {
    name: 'gaia',
    description: 'GAIA metadata.jsonl {task_id, Question, Level, "Final answer", file_name}; rows with an attached file are kept only with --attachments DIR and a file the file tool reads',
    containers: ['jsonl'],
    detect: (c, s) => c === 'jsonl' && hasKeys(s, 'task_id', 'Question'),
    convert: (rows, ctx) => {
      const out: QuestionInput[] = []
      for (const r of rows) {
        const v = r.value as Obj
        if (typeof v.file_name === 'string' && v.file_name !== '') {
          if (ctx.attachments === undefined) {
            ctx.skip('attached file (not text-only)')
            continue
          }
          const why = unreadableReason(v.file_name)
          if (why) {
            ctx.skip(`attachment the file tool cannot read: ${why}`)
            continue
          }
          if (!existsSync(join(ctx.attachments, basename(v.file_name)))) {
            ctx.skip(`attachment missing from ${ctx.attachments}`)
            continue
          }
        }
        out.push({...toQuestion(v, 'gaia', r.where, r.line), source: ctx.source || 'gaia'})
      }
      return out
    },
  },
  {
    name: 'xbench',
    description: 'xBench-DeepSearch release CSV {id, prompt, answer, canary}: base64 + XOR with the canary key, decrypted in memory',
    containers: ['csv'],
    detect: (_c, _s, h) => hasHeader(h, 'prompt', 'answer', 'canary'),
    convert: (rows, ctx) =>
      rows.map((r) => {
        const v = r.value as Record<string, string>
        const key = need(r, 'xbench', 'canary')
        const question = xbenchDecrypt(need(r, 'xbench', 'prompt'), key)
        const answer = v.answer ? xbenchDecrypt(v.answer, key) : ''
        if (!looksDecrypted(question)) throw new DataError('xbench: prompt does not decrypt to text with this row\'s canary', {where: r.where, code: 'decrypt', fix: 'Use the unmodified release CSV (columns id, prompt, answer, canary).'})
        return {id: v.id ? `xbench-${v.id}` : `xbench-${r.line}`, question, answers: strings(answer), source: ctx.source || 'xbench-deepsearch'}
      }),
  },
  {
    name: 'browsecomp',
    description: 'BrowseComp (openai/simple-evals) CSV {problem, answer, problem_topic, canary}: XOR with SHA-256(canary), decrypted in memory',
    containers: ['csv'],
    detect: (_c, _s, h) => hasHeader(h, 'problem', 'answer', 'canary'),
    convert: (rows, ctx) =>
      rows.map((r, i) => {
        const v = r.value as Record<string, string>
        const canary = need(r, 'browsecomp', 'canary')
        const question = browseCompDecrypt(need(r, 'browsecomp', 'problem'), canary)
        if (!looksDecrypted(question)) throw new DataError('browsecomp: problem does not decrypt to text with this row\'s canary', {where: r.where, code: 'decrypt', fix: 'Use the unmodified browse_comp_test_set.csv.'})
        const answer = v.answer ? browseCompDecrypt(v.answer, canary) : ''
        return {id: `browsecomp-${i}`, question, answers: strings(answer), source: ctx.source || 'browsecomp', meta: {topic: v.problem_topic ?? ''}}
      }),
  },
  {
    name: 'flashrag',
    description: 'FlashRAG / Search-R1 JSONL {id, question, golden_answers: [..], metadata}',
    containers: ['jsonl'],
    detect: (c, s) => c === 'jsonl' && hasKeys(s, 'question', 'golden_answers'),
    convert: fromRecordFormat('flashrag'),
  },
  {
    name: 'verl',
    description: 'verl / Search-R1 parquet (or JSONL) rows {data_source, prompt: [{role, content}], reward_model: {ground_truth: {target}}, extra_info}',
    containers: ['parquet', 'jsonl'],
    detect: (_c, s) => hasKeys(s, 'reward_model'),
    convert: fromRecordFormat('verl'),
  },
  {
    name: 'ars',
    description: 'ars Question or SynthItem records JSONL (the embedded world\'s questions/*.jsonl, synthesize output)',
    containers: ['jsonl'],
    detect: (c, s) => c === 'jsonl' && isObj(s) && (s.type === 'question' || s.type === 'synth_item' || ('answers' in s && 'source' in s && 'id' in s)),
    convert: (rows, ctx) =>
      rows.map((r) =>
        isObj(r.value) && r.value.type === 'synth_item'
          ? synthItemToQuestion(parseRecord(SynthItemType, r.value, r.where))
          : {...(r.value as QuestionInput), source: (r.value as Obj).source ? String((r.value as Obj).source) : ctx.source || 'ars'},
      ),
  },
  {
    name: 'qa',
    description: 'plain JSONL {id?, question, answer | answers}',
    containers: ['jsonl'],
    detect: (c, s) => c === 'jsonl' && isObj(s) && 'question' in s && ('answer' in s || 'answers' in s),
    convert: fromRecordFormat('qa'),
  },
]

export const FORMAT_NAMES = BENCH_FORMATS.map((f) => f.name)

export function benchFormat(name: string): BenchFormat {
  const f = BENCH_FORMATS.find((x) => x.name === name)
  if (!f) throw new UsageError(`unknown benchmark format ${JSON.stringify(name)}`, {code: 'format', fix: `Use one of: ${FORMAT_NAMES.join(', ')}.`})
  return f
}

export function containerOf(path: string): Container | undefined {
  const name = basename(path).toLowerCase().replace(/\.gz$/, '')
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'jsonl'
  if (name.endsWith('.json')) return 'json'
  if (name.endsWith('.csv')) return 'csv'
  if (name.endsWith('.tsv')) return 'tsv'
  if (name.endsWith('.parquet')) return 'parquet'
  return undefined
}

function readText(path: string): string {
  const buf = readFileSync(path)
  return (/\.gz$/i.test(path) ? gunzipSync(buf) : buf).toString('utf8')
}

/** Rows of a file with where-strings, plus a sample and header for detection. */
export async function readRows(path: string, container: Container): Promise<{rows: RawRow[]; header?: string[]}> {
  switch (container) {
    case 'jsonl': {
      const rows: RawRow[] = []
      const text = readText(path)
      // A JSON array of questions saved as .jsonl (it happens): read it as the array it is.
      if (/^\ufeff?\s*\[/.test(text)) {
        const array = parseArray(text)
        if (array) return {rows: array.map((v, i) => ({where: `${path}:[${i}]`, line: i + 1, value: v}))}
      }
      const lines = text.split('\n')
      lines.forEach((text, i) => {
        const t = text.replace(/^\ufeff/, '').trim()
        if (t === '') return
        let value: unknown
        try {
          value = JSON.parse(t)
        } catch (error) {
          throw new DataError(`malformed JSON: ${(error as Error).message}`, {where: `${path}:${i + 1}`, code: 'json', fix: 'Each line must be one JSON value; is this a .json file named .jsonl?'})
        }
        rows.push({where: `${path}:${i + 1}`, line: i + 1, value})
      })
      return {rows}
    }
    case 'json': {
      let value: unknown
      try {
        value = JSON.parse(readText(path).replace(/^\ufeff/, ''))
      } catch (error) {
        throw new DataError(`malformed JSON: ${(error as Error).message}`, {where: path, code: 'json', fix: 'A .json benchmark file holds one JSON value (an array, or TriviaQA\'s {Data: [...]}).'})
      }
      const list = Array.isArray(value) ? value : isObj(value) && Array.isArray(value.Data) ? value.Data : undefined
      if (!list) throw new DataError(`expected a JSON array of questions or {Data: [...]}, got ${isObj(value) ? `an object with fields ${Object.keys(value).slice(0, 5).join(', ')}` : typeof value}`, {where: path, code: 'format', fix: `Known formats: ${FORMAT_NAMES.join(', ')}.`})
      return {rows: list.map((v, i) => ({where: `${path}:[${i}]`, line: i + 1, value: v})), ...(isObj(value) && 'Data' in value ? {header: ['Data']} : {})}
    }
    case 'csv':
    case 'tsv': {
      const {header, rows} = parseDelimited(readText(path), container === 'csv' ? ',' : '\t', path)
      return {header, rows: rows.map((r: TabularRow) => ({where: `${path}:${r.line}`, line: r.line, value: r.values}))}
    }
    case 'parquet': {
      const objects = await readParquetObjects(path)
      return {rows: objects.map((v, i) => ({where: `${path}:row ${i}`, line: i + 1, value: v}))}
    }
  }
}

function parseArray(text: string): unknown[] | undefined {
  try {
    const value: unknown = JSON.parse(text.replace(/^\ufeff/, ''))
    return Array.isArray(value) ? value : undefined
  } catch {
    return undefined
  }
}

export interface LoadOptions {
  /** Force a format instead of detecting it. */
  format?: string
  /** Source/benchmark name written into each question. */
  source: string
  /** Formats acceptable for this benchmark (detection only considers these first). */
  formats?: readonly string[]
  /** Folder of attached files (GAIA file_name); without it such rows are skipped. */
  attachments?: string
}

export interface LoadedFile {
  path: string
  format: string
  questions: Question[]
  /** Rows skipped on purpose, by reason. */
  skipped: Record<string, number>
  /** Questions kept without any gold answer (scores null, reported). */
  noAnswer: number
}

export function unknownFormatError(path: string, detail: string): DataError {
  const list = BENCH_FORMATS.map((f) => `  ${f.name.padEnd(10)} ${f.description}`).join('\n')
  return new DataError(`unknown benchmark format: ${detail}. Known formats:\n${list}`, {where: path, code: 'format', fix: 'Convert the file to one of these formats, or pass --format NAME if it is one of them.'})
}

/** Load one benchmark file (jsonl/json/csv/tsv/parquet, .gz allowed for text). */
export async function loadBenchFile(path: string, options: LoadOptions): Promise<LoadedFile> {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file`, {code: 'input-missing', fix: 'Check --data, or fetch the benchmark with `ars eval download NAME --out DIR`.'})
  if (statSync(path).isDirectory()) throw new UsageError(`${path}: is a directory, expected a benchmark file`, {code: 'input-directory', fix: 'Name the file inside it (e.g. dev.jsonl, metadata.jsonl, test.parquet).'})
  const container = containerOf(path)
  const forced = options.format ? benchFormat(options.format) : undefined
  if (!container) throw unknownFormatError(path, `cannot tell the container from the file name ${JSON.stringify(basename(path))} (expected .jsonl, .json, .csv, .tsv or .parquet, optionally .gz)`)
  const {rows, header} = await readRows(path, container)
  const sample = rows[0]?.value
  let format = forced
  // A top-level JSON array of question objects holds the same rows as a JSONL file: the JSONL formats read it too.
  const arrayOfRows = container === 'json' && header === undefined
  const readsContainer = (f: BenchFormat): boolean => f.containers.includes(container) || (arrayOfRows && f.containers.includes('jsonl'))
  if (!format) {
    const fields = header ?? (isObj(sample) ? Object.keys(sample) : undefined)
    let candidates = BENCH_FORMATS.filter((f) => f.containers.includes(container) && f.detect(container, sample, fields))
    if (candidates.length === 0 && arrayOfRows) candidates = BENCH_FORMATS.filter((f) => f.containers.includes('jsonl') && f.detect('jsonl', sample, fields))
    const preferred = options.formats ? candidates.filter((f) => options.formats?.includes(f.name)) : []
    format = preferred[0] ?? candidates[0]
    if (!format) {
      if (rows.length === 0) throw new DataError('no questions in the file', {where: path, code: 'empty', fix: 'Check the download completed.'})
      const fields = header ?? (isObj(sample) ? Object.keys(sample) : [])
      throw unknownFormatError(path, `a ${container} file with fields ${fields.slice(0, 8).map((k) => JSON.stringify(k)).join(', ') || '(none)'}`)
    }
  } else if (!readsContainer(format)) {
    throw new UsageError(`format ${format.name} is read from ${format.containers.join(' or ')} files, got ${JSON.stringify(basename(path))}`, {code: 'format', fix: 'Pass the right file, or leave --format out to detect it.'})
  }
  const skipped: Record<string, number> = {}
  const ctx: ConvertContext = {source: options.source, skip: (reason) => (skipped[reason] = (skipped[reason] ?? 0) + 1), attachments: options.attachments}
  const inputs = format.convert(rows, ctx)
  const questions: Question[] = []
  const seen = new Set<string>()
  let noAnswer = 0
  inputs.forEach((q, i) => {
    const where = rows[i]?.where ?? path
    const parsed = parseRecord(QuestionType, q, where)
    // Ids are unique per benchmark: a file mixing benchmarks repeats them (each source's "test_0", …).
    const key = `${parsed.source}\u0000${parsed.id}`
    if (seen.has(key)) throw new DataError(`duplicate question id ${JSON.stringify(parsed.id)}`, {where, code: 'duplicate-id', fix: 'Ids must be unique within a benchmark file (within each data_source of a mixed file).'})
    seen.add(key)
    if (parsed.answers.length === 0) noAnswer++
    questions.push(parsed)
  })
  return {path, format: format.name, questions, skipped, noAnswer}
}

/** The world's question files: DIR/questions/<split>.jsonl. */
export function worldSplitPath(worldDir: string, split: string): string {
  return join(worldDir, 'questions', `${split}.jsonl`)
}
