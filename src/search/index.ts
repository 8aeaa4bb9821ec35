// src/search: the public entry of this area. Commands and other areas import from here only (test/architecture/boundaries.test.ts).
export {ANALYZER_NAMES, analyzerByName} from './analyzer.js'
export type {AnalyzerName} from './analyzer.js'
export {buildIndex, readCorpus} from './bm25/build-index.js'
export * from './bm25/open-or-build.js'
export type {SearchHit, SearchProvider} from './provider.js'
export {resolveSearch, searchSpecForms} from './registry.js'
export {DEFAULT_MAX_BATCH, startRetrievalServer} from './retrieval-server.js'
