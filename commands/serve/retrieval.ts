import {Flags} from '@oclif/core'
import {ArsCommand} from '../_shared/base-command.js'
import {UsageError} from '../../src/core/index.js'
import {resolveSearch} from '../../src/search/index.js'
import {DEFAULT_MAX_BATCH, startRetrievalServer} from '../../src/search/index.js'
import {parseBm25Flag} from '../_shared/search-flags.js'

export default class ServeRetrieval extends ArsCommand {
  static override summary = 'Serve an index over the Search-R1 / ASearcher retrieval-server API.'
  static override description = 'POST /retrieve {"queries": [...], "topk": 3, "return_scores": true} → {"result": [[{"document": {"id", "contents"}, "score"}]]} (contents = "\\"Title\\"\\ntext" as in Search-R1; without return_scores each item is the document). POST /access {"urls": ["doc:ID"]} → {"result": [{url, id, title, contents, text} | null]}. GET /health. Runs until interrupted.'
  static override examples = [
    'ars serve retrieval --index world/index --port 8000',
    'curl -s localhost:8000/retrieve -d \'{"queries": ["lighthouse guild founder"], "topk": 3, "return_scores": true}\'',
  ]

  static override flags = {
    index: Flags.string({description: 'Index directory (or world directory) to serve.', helpValue: 'DIR'}),
    search: Flags.string({description: 'Any --search spec instead of --index (e.g. proxy another server).', helpValue: 'S'}),
    port: Flags.integer({char: 'p', default: 8000, min: 0, max: 65535, description: 'Port (0: any free port, printed on stderr).'}),
    host: Flags.string({default: '127.0.0.1', description: 'Interface to listen on (0.0.0.0 to serve other machines).'}),
    k1: Flags.string({description: 'BM25 k1 (default: the index\'s).'}),
    b: Flags.string({description: 'BM25 b (default: the index\'s).'}),
    'max-batch': Flags.integer({default: DEFAULT_MAX_BATCH, min: 1, description: 'Most queries (or urls) in one POST; larger batches get 413. The default covers Search-R1\'s GRPO batches (512 prompts × 5 rollouts = 2,560).', helpValue: 'N'}),
    topk: Flags.integer({default: 3, min: 1, max: 1000, description: 'Hits per query when a request has no topk (or 0). 3 is Search-R1\'s default.', helpValue: 'K'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(ServeRetrieval)
    const spec = flags.index ?? flags.search
    if (!spec || (flags.index && flags.search)) throw new UsageError('expected exactly one of --index DIR or --search S', {fix: 'ars serve retrieval --index world/index --port 8000'})
    const k1 = parseBm25Flag('--k1', flags.k1)
    const b = parseBm25Flag('--b', flags.b)
    const provider = await resolveSearch(spec, {bm25: {...(k1 === undefined ? {} : {k1}), ...(b === undefined ? {} : {b})}})
    const server = await startRetrievalServer({provider, host: flags.host, port: flags.port, maxBatch: flags['max-batch'], defaultTopK: flags.topk, onLog: (line) => process.stderr.write(`${line}\n`)}).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') throw new UsageError(`--port ${flags.port}: already in use`, {fix: 'Pick another port, or --port 0 for any free one.'})
      throw error
    })
    process.stderr.write(`retrieval server for ${provider.id} listening on ${server.url} (POST /retrieve, POST /access)\n`)
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    await server.close()
    await provider.close?.()
  }
}
