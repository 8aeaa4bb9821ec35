// `ars index` as a library call: stream corpus lines (any shape toCorpusDocument accepts) into a writer,
// removing the half-built directory when the input fails so a bad corpus never leaves a usable-looking index.
import {DataError} from '../../core/index.js'
import {readJsonl, type InvalidPolicy, type ReadJsonlOptions} from '../../core/index.js'
import {toCorpusDocument, type CorpusDocument} from '../corpus-document.js'
import {Bm25IndexWriter, type IndexWriterOptions} from './index-writer.js'
import type {IndexMeta} from './index-format.js'

/** Parsed corpus documents from JSONL files (or stdin); bad lines go through `policy`. */
export async function* readCorpus(inputs: string | readonly string[], policy: InvalidPolicy, options: ReadJsonlOptions = {}): AsyncGenerator<CorpusDocument> {
  for await (const {source, line, value} of readJsonl(inputs, {...options, policy})) {
    try {
      yield toCorpusDocument(value, `${source}:${line}`)
    } catch (error) {
      if (error instanceof DataError) {
        policy.handle(error)
        continue
      }
      throw error
    }
  }
}

export async function buildIndex(docs: AsyncIterable<CorpusDocument> | Iterable<CorpusDocument>, out: string, options: IndexWriterOptions = {}): Promise<IndexMeta> {
  const writer = new Bm25IndexWriter(out, options)
  try {
    for await (const doc of docs) writer.add(doc)
    return writer.finish()
  } catch (error) {
    writer.abort()
    throw error
  }
}
