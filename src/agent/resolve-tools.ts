// Builds the agent's tools from CLI-level specs: `--search` through the search registry (index folder, world
// folder, retrieval-server URL, serper:, searxng:URL) and `access` through the web PageReader. A world folder
// (world.json) gets the world's own tools in every command alike: its index/ (or one built from corpus.jsonl into
// a scratch folder for this run) and its pages read offline from site/ — the world's http://world.local/… URLs
// are served by no network.
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {resolveSearch} from '../search/registry.js'
import type {SearchProvider} from '../search/provider.js'
import type {PageReader} from '../browse/reader.js'
import {AgentTools, type AgentToolsOptions} from './tools.js'

export interface ResolveToolsOptions extends Omit<AgentToolsOptions, 'search' | 'reader'> {
  search: string
  /** Let `access` open loopback/private addresses (a local web server; default false: SSRF guard). */
  readAllowPrivate?: boolean
  /** Per-page fetch limit (default the reader's, 15 s). */
  readTimeoutMs?: number
  /** On-disk page cache folder. */
  readCacheDir?: string
  /** Told when a world folder without index/ gets a scratch index (default: stderr). */
  onNote?: (message: string) => void
}

/** A world folder holds world.json (made by `ars world build`). */
export function isWorldDir(path: string | undefined): path is string {
  return path !== undefined && existsSync(join(path, 'world.json'))
}

export interface WorldTools {
  search: SearchProvider
  reader: PageReader
  /** Removes the scratch index, if one was built. */
  cleanup(): void
  /** Closes search and reader, then cleans up. */
  close(): Promise<void>
}

/** A world folder's search (index/, else a scratch index built now) and offline page reader. */
export async function worldTools(worldDir: string, onNote?: (message: string) => void): Promise<WorldTools> {
  const [{Bm25Index}, {buildIndex, readCorpus}, {InvalidPolicy}, {TruthPageReader}] = await Promise.all([
    import('../search/bm25/bm25-index.js'),
    import('../search/bm25/build-index.js'),
    import('../core/jsonl.js'),
    import('../world/truth-reader.js'),
  ])
  let dir = join(worldDir, 'index')
  let scratch: string | undefined
  if (!existsSync(join(dir, 'meta.json'))) {
    onNote?.(`${worldDir} has no index/: building one for this run (keep one with \`ars index ${join(worldDir, 'corpus.jsonl')} --out ${dir}\`)`)
    scratch = mkdtempSync(join(tmpdir(), 'ars-world-index-'))
    dir = join(scratch, 'index')
    try {
      await buildIndex(readCorpus(join(worldDir, 'corpus.jsonl'), new InvalidPolicy('fail')), dir)
    } catch (error) {
      rmSync(scratch, {recursive: true, force: true})
      throw error
    }
  }
  const search = Bm25Index.open(dir)
  const reader: PageReader = new TruthPageReader(worldDir)
  const cleanup = () => {
    if (scratch) rmSync(scratch, {recursive: true, force: true})
  }
  return {
    search,
    reader,
    cleanup,
    close: async () => {
      await search.close()
      await reader.close?.()
      cleanup()
    },
  }
}

export async function resolveSearchSpec(spec: string): Promise<SearchProvider> {
  return resolveSearch(spec)
}

/** The tools for `--search`; call `close()` when done (it removes a world's scratch index). */
export async function resolveAgentTools(options: ResolveToolsOptions): Promise<AgentTools> {
  const {search: spec, readAllowPrivate, readTimeoutMs, readCacheDir, onNote, ...rest} = options
  if (isWorldDir(spec)) {
    const world = await worldTools(spec, onNote ?? ((m) => process.stderr.write(`note: ${m}\n`)))
    return new AgentTools({...rest, search: world.search, reader: world.reader, onClose: async () => world.cleanup()})
  }
  const search = await resolveSearch(spec)
  // The reader pulls in the DOM libraries: loaded only when tools are built, never for `--help`.
  const {createPageReader} = await import('../browse/http-page-reader.js')
  const reader = createPageReader({allowPrivate: readAllowPrivate ?? false, ...(readTimeoutMs ? {timeoutMs: readTimeoutMs} : {}), ...(readCacheDir ? {cacheDir: readCacheDir} : {})})
  return new AgentTools({...rest, search, reader})
}
