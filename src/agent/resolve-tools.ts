// Builds the agent's tools from CLI-level specs: `--search` through the search registry (index folder, world
// folder, retrieval-server URL, serper:, searxng:URL) and `access` through the web PageReader. A world folder
// (world.json) gets the world's own tools in every command alike: its index/ (or one built from corpus.jsonl into
// a scratch folder for this run) and its pages read offline from site/ — the world's http://world.local/… URLs
// are served by no network.
import {isWorldDir, worldPaths} from '../core/index.js'
import {resolveSearch} from '../search/index.js'
import type {SearchProvider} from '../search/index.js'
import type {PageReader} from '../browse/index.js'
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


export interface WorldTools {
  search: SearchProvider
  reader: PageReader
  /** Closes search and reader, and removes a scratch index. */
  close(): Promise<void>
}

/** A world folder's search (index/, else a scratch index built now) and offline page reader. */
export async function worldTools(worldDir: string, onNote?: (message: string) => void): Promise<WorldTools> {
  const [{openOrBuildIndex}, {TruthPageReader}] = await Promise.all([
    import('../search/index.js'),
    import('../browse/index.js'),
  ])
  const paths = worldPaths(worldDir)
  const opened = await openOrBuildIndex(paths.index, paths.corpus, {scratchPrefix: 'ars-world-index-', ...(onNote ? {onNote} : {})})
  const reader: PageReader = new TruthPageReader(worldDir)
  return {
    search: opened.index,
    reader,
    close: async () => {
      await reader.close?.()
      await opened.close()
    },
  }
}

/** The tools for `--search`; call `close()` when done (it removes a world's scratch index). */
export async function resolveAgentTools(options: ResolveToolsOptions): Promise<AgentTools> {
  const {search: spec, readAllowPrivate, readTimeoutMs, readCacheDir, onNote, ...rest} = options
  if (isWorldDir(spec)) {
    const world = await worldTools(spec, onNote ?? ((m) => process.stderr.write(`note: ${m}\n`)))
    return new AgentTools({...rest, search: world.search, reader: world.reader, onClose: async () => world.close()})
  }
  const search = await resolveSearch(spec)
  // The reader pulls in the DOM libraries: loaded only when tools are built, never for `--help`.
  const {createPageReader} = await import('../browse/index.js')
  const reader = createPageReader({allowPrivate: readAllowPrivate ?? false, ...(readTimeoutMs ? {timeoutMs: readTimeoutMs} : {}), ...(readCacheDir ? {cacheDir: readCacheDir} : {})})
  return new AgentTools({...rest, search, reader})
}
