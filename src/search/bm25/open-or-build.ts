// An index folder, or — when it has none — a scratch index built now from a corpus and removed at close. World
// tools (src/agent/resolve-tools.ts) and `ars serve web` (src/world/server.ts) both open a world's search this way.
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {InvalidPolicy} from '../../core/index.js'
import type {ProgressCallback} from '../../core/index.js'
import {Bm25Index} from './bm25-index.js'
import {buildIndex, readCorpus} from './build-index.js'
import {FILES} from './index-format.js'

export interface OpenOrBuildOptions {
  /** Told before a scratch index is built. */
  onNote?: (message: string) => void
  onProgress?: ProgressCallback
  /** Prefix of the scratch folder under the OS temp folder. */
  scratchPrefix?: string
}

export interface OpenedIndex {
  index: Bm25Index
  /** True when the index was built for this run. */
  scratch: boolean
  /** Closes the index and removes a scratch one. */
  close(): Promise<void>
}

/** True when `dir` holds a finished BM25 index. */
export function isIndexDir(dir: string): boolean {
  return existsSync(join(dir, FILES.meta))
}

export async function openOrBuildIndex(indexDir: string, corpusPath: string, options: OpenOrBuildOptions = {}): Promise<OpenedIndex> {
  if (isIndexDir(indexDir)) {
    const index = Bm25Index.open(indexDir)
    return {index, scratch: false, close: async () => index.close()}
  }
  options.onNote?.(`${indexDir} is not an index: building one from ${corpusPath} for this run (keep one with \`ars index ${corpusPath} --out ${indexDir}\`)`)
  const scratch = mkdtempSync(join(tmpdir(), options.scratchPrefix ?? 'ars-index-'))
  const dir = join(scratch, 'index')
  try {
    await buildIndex(readCorpus(corpusPath, new InvalidPolicy('fail')), dir, options.onProgress ? {onProgress: options.onProgress} : {})
    const index = Bm25Index.open(dir)
    return {
      index,
      scratch: true,
      close: async () => {
        try {
          await index.close()
        } finally {
          rmSync(scratch, {recursive: true, force: true})
        }
      },
    }
  } catch (error) {
    rmSync(scratch, {recursive: true, force: true})
    throw error
  }
}
