import {Flags} from '@oclif/core'
import {ArsCommand, sharedFlags} from './_shared/base-command.js'
import {DataError, UsageError} from '../src/core/index.js'
import {readJsonl, writeJsonl, type InvalidPolicy} from '../src/core/index.js'
import {counted, requireNonEmpty} from '../src/core/index.js'
import {createReadStream} from 'node:fs'
import {createInterface} from 'node:readline'
import type {SearchHit, SearchProvider} from '../src/search/index.js'
import {resolveSearch, searchSpecForms} from '../src/search/index.js'
import {parseBm25Flag} from './_shared/search-flags.js'

interface QueryItem {
  id: string
  query: string
  where: string
}

export default class Search extends ArsCommand {
  static override summary = 'Run queries against a search provider: queries in, hits out (JSONL).'
  static override description = `Reads {query} lines or Question records ({id, question, ...}), or plain lines with --text, and writes one line per query: {id, query, hits: [{id, title, url, snippet, score}]}. --search accepts:\n  ${searchSpecForms().join('\n  ')}`
  static override examples = [
    'ars search --search world/index -q "who founded the lighthouse guild"',
    'ars search --search world/index -k 5 < questions.jsonl > hits.jsonl',
    'printf "first query\\nsecond query\\n" | ars search --search http://127.0.0.1:8000 --text',
  ]

  static override flags = {
    search: Flags.string({char: 's', required: true, description: 'Search provider: index dir, world dir, retrieval server URL, serper:, searxng:URL.', helpValue: 'S'}),
    'top-k': Flags.integer({char: 'k', default: 10, min: 1, max: 1000, description: 'Hits per query.'}),
    query: Flags.string({char: 'q', description: 'One query (instead of reading stdin).'}),
    text: Flags.boolean({default: false, description: 'Input is plain text, one query per line.'}),
    'with-text': Flags.boolean({default: false, description: 'Include each hit\'s full text (when the provider has it).'}),
    k1: Flags.string({description: 'BM25 k1 for local indexes (default: the index\'s).'}),
    b: Flags.string({description: 'BM25 b for local indexes (default: the index\'s).'}),
    input: sharedFlags.input,
    'on-invalid': sharedFlags.onInvalid,
    'allow-empty': sharedFlags.allowEmpty,
    quiet: Flags.boolean({default: false, description: 'No progress output on stderr (warnings still shown).'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Search)
    const policy = this.invalidPolicy(flags['on-invalid'])
    const k1 = parseBm25Flag('--k1', flags.k1)
    const b = parseBm25Flag('--b', flags.b)
    const provider = await resolveSearch(flags.search, {bm25: {...(k1 === undefined ? {} : {k1}), ...(b === undefined ? {} : {b})}})
    try {
      let items: AsyncIterable<QueryItem>
      if (flags.query !== undefined) {
        if (flags.query.trim() === '') throw new UsageError('-q: empty query', {code: 'empty-query', fix: 'Write a query with at least one word.'})
        items = (async function* () {
          yield {id: 'q1', query: flags.query as string, where: '-q'}
        })()
      } else {
        items = flags.text ? readTextQueries(flags.input ?? [], policy) : readJsonQueries(flags.input ?? [], policy)
        items = counted(items, (n) => {
          if (!flags['allow-empty']) requireNonEmpty(flags.input, policy.invalid)(n)
        })
      }
      await writeJsonl(runQueries(provider, items, flags['top-k'], flags['with-text']))
    } finally {
      await provider.close?.()
    }
  }
}

async function* runQueries(provider: SearchProvider, items: AsyncIterable<QueryItem>, topK: number, withText: boolean): AsyncGenerator<unknown> {
  for await (const item of items) {
    let hits: SearchHit[]
    try {
      hits = await provider.search(item.query, {topK})
    } catch (error) {
      if (error instanceof UsageError && error.code === 'empty-query') throw new DataError('empty query', {where: item.where, code: 'empty-query', fix: 'Drop the line or write a query.'})
      throw error
    }
    yield {
      id: item.id,
      query: item.query,
      hits: hits.map((h) => ({id: h.id, title: h.title, url: h.url, snippet: h.snippet, score: h.score, ...(withText && h.text !== undefined ? {text: h.text} : {})})),
    }
  }
}

async function* readJsonQueries(inputs: string[], policy: InvalidPolicy): AsyncGenerator<QueryItem> {
  for await (const {source, line, value} of readJsonl(inputs, {policy})) {
    const where = `${source}:${line}`
    const record = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
    const query = record?.query ?? record?.question
    if (typeof query !== 'string') {
      policy.handle(new DataError(`expected {"query": string} or a Question record {"question": string}, got ${record ? `keys ${JSON.stringify(Object.keys(record).slice(0, 6))}` : typeof value}`, {where, code: 'query', fix: 'Give each line a "query" or "question" string, or pass --text for plain lines.'}))
      continue
    }
    if (query.trim() === '') {
      policy.handle(new DataError('empty query', {where, code: 'empty-query', fix: 'Drop the line or write a query.'}))
      continue
    }
    const id = typeof record?.id === 'string' || typeof record?.id === 'number' ? String(record.id) : `${line}`
    yield {id, query, where}
  }
}

async function* readTextQueries(inputs: string[], policy: InvalidPolicy): AsyncGenerator<QueryItem> {
  const list = inputs.length === 0 ? ['-'] : inputs
  for (const input of list) {
    const source = input === '-' ? 'stdin' : input
    const lines = createInterface({input: input === '-' ? process.stdin : createReadStream(input), crlfDelay: Infinity})
    let line = 0
    for await (const text of lines) {
      line++
      if (text.trim() === '') continue
      if (text.includes('\u0000')) {
        policy.handle(new DataError('not text: binary data', {where: `${source}:${line}`, code: 'binary'}))
        continue
      }
      yield {id: `${line}`, query: text, where: `${source}:${line}`}
    }
  }
}
