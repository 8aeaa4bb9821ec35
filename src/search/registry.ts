// `--search S` → a SearchProvider, one rule for every command: an index directory, a world directory (its
// index/), an http(s) retrieval-server URL, or `scheme:rest` for providers that register a scheme (the web
// providers register `serper` and `searxng`). Unknown forms fail with the list of accepted ones.
import {existsSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {UsageError} from '../core/index.js'
import {Bm25Index, type Bm25OpenOptions} from './bm25/bm25-index.js'
import {FILES} from './bm25/index-format.js'
import type {SearchProvider} from './provider.js'
import {RetrievalServerProvider, type RetrievalClientOptions} from './retrieval-client.js'

export interface ResolveSearchOptions {
  /** BM25 overrides for local indexes. */
  bm25?: Bm25OpenOptions
  /** Timeouts and retries for the retrieval-server client. */
  retrieval?: RetrievalClientOptions
  /** Environment for providers that read API keys (they read it at the first request). */
  env?: NodeJS.ProcessEnv
}

/** Builds a provider from what follows `scheme:` in the spec. */
export type SearchSchemeFactory = (rest: string, options: ResolveSearchOptions) => SearchProvider | Promise<SearchProvider>

interface SchemeEntry {
  factory: SearchSchemeFactory
  /** Shown in the accepted-forms list, e.g. `serper:` or `searxng:URL`. */
  usage: string
  description: string
}

const schemes = new Map<string, SchemeEntry>()

// The web providers (src/search/web) are loaded on first use, so `ars --help` never imports them.
const builtIn: [string, SearchSchemeFactory, string, string][] = [
  ['serper', async (rest, options) => {
    if (rest.trim() !== '') throw invalid(`serper:${rest}`, 'serper: takes nothing after the colon (the key comes from SERPER_API_KEY)')
    const {createSerperProvider} = await import('./web/serper.js')
    return createSerperProvider(options.env ? {env: options.env} : {})
  }, 'serper:', 'Serper (Google results) web search; SERPER_API_KEY is read at the first query'],
  ['searxng', async (rest) => {
    if (!/^https?:\/\//i.test(rest.trim())) throw invalid(`searxng:${rest}`, 'searxng: needs the instance URL, e.g. searxng:http://127.0.0.1:8888')
    const {createSearxngProvider} = await import('./web/searxng.js')
    return createSearxngProvider(rest.trim())
  }, 'searxng:URL', 'a SearXNG instance (JSON API)'],
]
for (const [scheme, factory, usage, description] of builtIn) schemes.set(scheme, {factory, usage, description})

/** Lets another module add a `scheme:` form (e.g. `registerSearchScheme('serper', (rest) => new SerperProvider())`). */
export function registerSearchScheme(scheme: string, factory: SearchSchemeFactory, usage = `${scheme}:`, description = ''): void {
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) throw new RangeError(`Expected a lowercase scheme name, got ${JSON.stringify(scheme)}`)
  if (scheme === 'http' || scheme === 'https' || scheme === 'bm25' || scheme === 'retrieval') throw new RangeError(`Scheme ${scheme} is built in`)
  schemes.set(scheme, {factory, usage, description})
}

export function registeredSearchSchemes(): string[] {
  return [...schemes.keys()]
}

/** The accepted forms, for help texts and errors. */
export function searchSpecForms(): string[] {
  const forms = [
    'DIR            an index made by `ars index` (has meta.json)',
    'DIR/index      a folder whose index/ holds one (a world folder: `ars world build`)',
    'bm25:DIR       the same, explicitly',
    'http(s)://HOST:PORT   a Search-R1/ASearcher retrieval server (POST /retrieve)',
    'retrieval:URL  the same, explicitly',
  ]
  for (const [scheme, entry] of schemes) forms.push(`${entry.usage.padEnd(14)} ${entry.description || scheme}`)
  return forms
}

export async function resolveSearch(spec: string, options: ResolveSearchOptions = {}): Promise<SearchProvider> {
  if (typeof spec !== 'string' || spec.trim() === '') throw invalid(spec, 'empty')
  const value = spec.trim()
  if (/^https?:\/\//i.test(value)) return new RetrievalServerProvider(value, options.retrieval)
  const scheme = /^([a-z][a-z0-9+.-]*):(.*)$/is.exec(value)
  // A path that exists wins over a scheme reading, so `C:` or `my:index` directories still open.
  if (scheme && !existsSync(value)) {
    const [, name, rest] = scheme as unknown as [string, string, string]
    const lower = name.toLowerCase()
    if (lower === 'bm25') return openIndexDir(rest, spec, options)
    if (lower === 'retrieval') {
      if (!/^https?:\/\//i.test(rest)) throw invalid(spec, 'retrieval: needs an http(s) URL')
      return new RetrievalServerProvider(rest, options.retrieval)
    }
    const entry = schemes.get(lower)
    if (entry) return entry.factory(rest, options)
    if (lower.length > 1) throw invalid(spec, `unknown scheme "${lower}:"`)
  }
  return openIndexDir(value, spec, options)
}

function openIndexDir(dir: string, spec: string, options: ResolveSearchOptions): SearchProvider {
  if (!existsSync(dir)) throw invalid(spec, 'no such directory')
  if (!statSync(dir).isDirectory()) throw invalid(spec, 'not a directory')
  if (existsSync(join(dir, FILES.meta))) return Bm25Index.open(dir, options.bm25)
  // A folder that keeps its index in index/ (a world folder does): search that. Search does not need to know what
  // a world is (src/core/world-folder.ts says that); this is only where an index may sit.
  const inner = join(dir, 'index')
  if (existsSync(join(inner, FILES.meta))) return Bm25Index.open(inner, options.bm25)
  // Neither: let the index reader explain (missing meta.json, interrupted build).
  return Bm25Index.open(dir, options.bm25)
}

function invalid(spec: unknown, why: string): UsageError {
  return new UsageError(`--search ${JSON.stringify(spec)}: ${why}. Expected one of:\n  ${searchSpecForms().join('\n  ')}`, {
    code: 'search-spec',
    fix: 'Build an index with `ars index CORPUS.jsonl --out DIR` and pass --search DIR, or pass a retrieval server URL.',
  })
}
