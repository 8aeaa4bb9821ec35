import {Args, Flags} from '@oclif/core'
import {ArsCommand, sharedFlags} from './_shared/base-command.js'
import {readJsonl, writeJsonl, type JsonLine} from '../src/core/index.js'
import {DataError, UsageError} from '../src/core/index.js'
import {ProgressTask} from '../src/core/index.js'
import {charsForTokens, DEFAULT_CHUNK_CHARS, validateChunkSize} from '../src/browse/index.js'
import {DOM_ENGINES, type DomEngine} from '../src/browse/index.js'
import {FETCH_DEFAULTS} from '../src/browse/index.js'
import {HttpPageReader} from '../src/browse/index.js'
import {toCorpusDocument, toPageRecord} from '../src/browse/index.js'
import {readMany, type ReadResult, type UrlItem} from '../src/browse/index.js'

export default class Read extends ArsCommand {
  static override summary = 'Read web pages: fetch, extract the main text, split it into chunks (the agent\'s access tool).'
  static override description = `URLs come as arguments, or as JSONL lines {"url": ..., "id"?: ...} (or JSON strings) on stdin / --input.
Writes one Page record per URL, in input order:
  {type: "page", version: 1, url, final_url, title, text, chunks, links, truncated}
A URL that cannot be read (timeout, HTTP error, binary or PDF, private address, …) gives the same record with
"error" and "error_code" instead of the content, plus a warning on stderr; the other URLs go on. The exit code is
1 only when every URL failed.
--as-corpus writes {id, title, text, url} documents for \`ars index\` instead (failed URLs only on stderr).
Loopback and private addresses are refused unless --allow-private is given; it covers only the host each URL
names, so a page that redirects to another host is guarded as usual. Link-local and cloud-metadata addresses
(169.254.0.0/16, fe80::/10) open only when a URL names one as its literal host together with --allow-private.`
  static override examples = [
    'ars read https://en.wikipedia.org/wiki/Alan_Turing | jq -r .chunks[0]',
    'jq -R \'{url: .}\' urls.txt | ars read --as-corpus > corpus.jsonl && ars index corpus.jsonl --out index/',
    'ars read --allow-private --chunk-tokens 300 http://127.0.0.1:8080/wiki/Urnholt.html',
  ]

  static override strict = false
  static override args = {
    urls: Args.string({description: 'URLs to read (none: read {url} lines from stdin or --input).', required: false, ignoreStdin: true}),
  }

  static override flags = {
    input: sharedFlags.input,
    'allow-private': Flags.boolean({default: false, description: 'Allow loopback and private addresses for the hosts the URLs name (local test servers, `ars serve web`); redirects elsewhere stay guarded.'}),
    'chunk-size': Flags.integer({description: `Maximum characters per chunk (default ${DEFAULT_CHUNK_CHARS}).`, exclusive: ['chunk-tokens']}),
    'chunk-tokens': Flags.integer({description: 'Maximum chunk size in approximate tokens (4 characters each).', exclusive: ['chunk-size']}),
    engine: Flags.option({options: DOM_ENGINES, default: 'linkedom' as DomEngine, description: 'DOM implementation for extraction (jsdom is the slower reference).'})(),
    timeout: Flags.integer({default: FETCH_DEFAULTS.timeoutMs, description: 'Milliseconds allowed for each page, redirects and body included.'}),
    'max-bytes': Flags.integer({default: FETCH_DEFAULTS.maxBytes, description: 'Bytes of each page read; longer pages are cut (truncated: true).'}),
    'max-redirects': Flags.integer({default: FETCH_DEFAULTS.maxRedirects, description: 'Redirect hops followed per page.'}),
    concurrency: Flags.integer({default: 4, description: 'Pages fetched at once (output order still follows input).'}),
    'cache-dir': Flags.string({description: 'Directory for an on-disk page cache (off by default).', helpValue: 'DIR'}),
    'as-corpus': Flags.boolean({default: false, description: 'Write {id, title, text, url} corpus documents for `ars index`.'}),
    'on-invalid': sharedFlags.onInvalid,
    'allow-empty': sharedFlags.allowEmpty,
    quiet: sharedFlags.quiet,
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Read)
    const urls = (argv as string[]).filter((u) => u.length > 0)
    if (urls.length > 0 && flags.input) throw new UsageError('give URLs as arguments or --input, not both', {fix: 'Drop the URL arguments or the --input flag.'})
    const chunkSize = flags['chunk-tokens'] !== undefined ? validateChunkSize(charsForTokens(flags['chunk-tokens']), '--chunk-tokens × 4') : validateChunkSize(flags['chunk-size'] ?? DEFAULT_CHUNK_CHARS, '--chunk-size')
    for (const [name, value, min] of [['--timeout', flags.timeout, 1], ['--max-bytes', flags['max-bytes'], 1024], ['--max-redirects', flags['max-redirects'], 0], ['--concurrency', flags.concurrency, 1]] as const) {
      if (value < min) throw new UsageError(`Expected ${name} ≥ ${min}, got ${value}`, {fix: `Pass ${name} ${Math.max(min, 1)} or more.`})
    }
    const reader = new HttpPageReader({
      allowPrivate: flags['allow-private'],
      linkLocal: 'when-named',
      chunkSize,
      engine: flags.engine,
      timeoutMs: flags.timeout,
      maxBytes: flags['max-bytes'],
      maxRedirects: flags['max-redirects'],
      cacheDir: flags['cache-dir'],
    })
    const policy = this.invalidPolicy(flags['on-invalid'])
    const items: AsyncIterable<UrlItem> | Iterable<UrlItem> = urls.length > 0 ? urls.map((url, i) => ({url, where: `argument ${i + 1}`})) : urlItems(readJsonl(flags.input ?? [], {policy}), policy)
    const controller = new AbortController()
    const onSigint = (): void => controller.abort()
    process.once('SIGINT', onSigint)
    const task = new ProgressTask(this.progress(flags.quiet).callback, 'read', urls.length || undefined, 'pages')
    let total = 0
    let failed = 0
    const onResult = (result: ReadResult): void => {
      total++
      task.advance()
      if (result.error) {
        failed++
        process.stderr.write(`warning: ${result.item.where ? `${result.item.where}: ` : ''}${result.error.message}\n`)
      }
    }
    const results = readMany(reader, items, {concurrency: flags.concurrency, signal: controller.signal, onResult})
    try {
      await writeJsonl(flags['as-corpus'] ? corpus(results) : records(results))
    } finally {
      process.off('SIGINT', onSigint)
    }
    task.done(`${total - failed} read, ${failed} failed`)
    if (total === 0 && !flags['allow-empty']) throw new DataError('empty input: no URLs', {where: 'stdin', code: 'empty', fix: 'Pass URLs as arguments or {"url": ...} lines on stdin, or --allow-empty.'})
    if (total > 0 && failed === total) throw new DataError(`all ${total} URL${total > 1 ? 's' : ''} failed to read`, {code: 'read-failed', fix: 'See the warnings above; --allow-private is needed for local servers.'})
  }
}

async function* records(results: AsyncIterable<ReadResult>) {
  for await (const result of results) yield toPageRecord(result)
}

async function* corpus(results: AsyncIterable<ReadResult>) {
  for await (const result of results) if (result.page) yield toCorpusDocument(result as ReadResult & {page: NonNullable<ReadResult['page']>})
}

/** `{url, id?}` objects or bare JSON strings; anything else is a bad line handled by --on-invalid. */
async function* urlItems(lines: AsyncIterable<JsonLine>, policy: ReturnType<ArsCommand['invalidPolicy']>): AsyncGenerator<UrlItem> {
  for await (const {source, line, value} of lines) {
    const where = `${source}:${line}`
    if (typeof value === 'string' && value.length > 0) {
      yield {url: value, where}
      continue
    }
    const record = value as {url?: unknown; id?: unknown} | null
    if (record && typeof record === 'object' && !Array.isArray(record) && typeof record.url === 'string' && record.url.length > 0) {
      const id = typeof record.id === 'string' || typeof record.id === 'number' ? String(record.id) : undefined
      yield {url: record.url, ...(id !== undefined ? {id} : {}), where}
      continue
    }
    policy.handle(new DataError(`expected {"url": "..."} or a JSON string URL, got ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value === 'object' ? `an object without a "url" string` : typeof value}`, {where, code: 'record', fix: 'Turn a plain URL list into JSONL with: jq -R \'{url: .}\' urls.txt'}))
  }
}
