import {Flags} from '@oclif/core'
import {ArsCommand} from '../_shared/base-command.js'
import {startWebServer} from '../../src/world/index.js'

export default class ServeWeb extends ArsCommand {
  static override summary = 'Serve a world\'s web site and a Serper/SearXNG-compatible search API on loopback.'
  static override description = 'GET /wiki/<slug>.html (and /news/, /forum/) serves the site; POST /search {"q","num"} answers like Serper ({organic: [{title, link, snippet, position}]}); GET /search?q=…&format=json answers like SearXNG ({results: [{url, title, content, score}]}). Result links use the address the client connected to. Prints the URL on stderr; Ctrl-C stops it.'
  static override examples = [
    'ars serve web --world datasets/world-small --port 8080',
    'curl -s localhost:8080/search -d \'{"q":"Veloria capital","num":3}\'',
    'curl -s "localhost:8080/search?q=Veloria&format=json"',
  ]

  static override flags = {
    world: Flags.string({char: 'w', required: true, description: 'World directory (from `ars world build`).', helpValue: 'DIR'}),
    port: Flags.integer({char: 'p', default: 8080, min: 0, max: 65535, description: 'Port (0 picks a free one).'}),
    host: Flags.string({default: '127.0.0.1', description: 'Interface to listen on (loopback by default).'}),
    index: Flags.string({description: 'BM25 index of the world corpus (`ars index`). Default: <world>/index if present, else one is built in a temp dir at start.', helpValue: 'DIR'}),
    quiet: Flags.boolean({char: 'q', default: false, description: 'No progress output on stderr.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(ServeWeb)
    const running = await startWebServer({world: flags.world, port: flags.port, host: flags.host, index: flags.index, onProgress: this.progress(flags.quiet).callback})
    process.stderr.write(`serving ${flags.world} at ${running.url} (search: POST ${running.url}/search, GET ${running.url}/search?q=…&format=json)\n`)
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        void running.close().then(resolve)
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
    process.stderr.write('stopped\n')
  }
}
