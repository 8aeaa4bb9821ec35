import {Args, Flags} from '@oclif/core'
import {ArsCommand} from '../_shared/base-command.js'
import {UsageError} from '../../src/core/index.js'
import {getBenchmark} from '../../src/eval/index.js'
import {downloadFile, type DownloadItem} from '../../src/eval/index.js'

export default class EvalDownload extends ArsCommand {
  static override summary = 'Fetch a benchmark\'s public files into a directory (resumable, checksummed when known).'
  static override description = `Uses the URLs recorded in the registry (see \`ars eval list --json\`), or --url. An interrupted
download resumes from its .part file. Encrypted releases (xBench, BrowseComp) are stored as released and
decrypted in memory when loaded. Gated datasets (GAIA) need HF_TOKEN. Prints one JSON line per file.`
  static override examples = ['ars eval download bamboogle --out data/bamboogle', 'ars eval download gaia --out data/gaia   # HF_TOKEN=…', 'ars eval download nq --url http://mirror/nq-test.jsonl --sha256 ab12… --out data/nq']

  static override args = {name: Args.string({required: true, description: 'Benchmark name (ars eval list).', ignoreStdin: true})}

  static override flags = {
    out: Flags.string({required: true, description: 'Directory to write into.', helpValue: 'DIR'}),
    url: Flags.string({description: 'Fetch this URL instead of the registry\'s.'}),
    file: Flags.string({description: 'File name to write for --url (default: the URL\'s last segment).'}),
    sha256: Flags.string({description: 'Expected SHA-256 (hex) of the file.'}),
    split: Flags.string({description: 'Only the registry file for this split.'}),
    force: Flags.boolean({default: false, description: 'Download again even if the file is present.'}),
    quiet: Flags.boolean({char: 'q', default: false, description: 'No progress output.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(EvalDownload)
    const bench = getBenchmark(args.name)
    let items: DownloadItem[]
    if (flags.url) {
      let file = flags.file
      if (!file) {
        try {
          file = decodeURIComponent(new URL(flags.url).pathname.split('/').pop() ?? '')
        } catch {
          throw new UsageError(`--url: expected an http(s) URL, got ${JSON.stringify(flags.url)}`)
        }
      }
      if (!file) throw new UsageError('--url has no file name in its path', {fix: 'Pass --file NAME.'})
      items = [{url: flags.url, file, ...(flags.sha256 ? {sha256: flags.sha256.toLowerCase()} : {})}]
    } else {
      items = bench.downloads.filter((d) => !flags.split || d.split === flags.split).map((d) => ({url: d.url, file: d.file, ...(flags.sha256 ?? d.sha256 ? {sha256: (flags.sha256 ?? d.sha256)!.toLowerCase()} : {})}))
      if (items.length === 0) throw new UsageError(`${bench.name} has no public download${flags.split ? ` for split ${flags.split}` : ''}`, {fix: bench.kind === 'world' ? 'Build it with `ars world build --out DIR`.' : 'Pass --url.'})
    }
    const headers: Record<string, string> = {}
    if (process.env.HF_TOKEN && items.some((i) => i.url.includes('huggingface.co'))) headers.Authorization = `Bearer ${process.env.HF_TOKEN}`
    const controller = new AbortController()
    const onSigint = (): void => controller.abort(new Error('interrupted'))
    process.once('SIGINT', onSigint)
    const drawer = this.progress(flags.quiet)
    try {
      for (const item of items) {
        const result = await downloadFile(item, {outDir: flags.out, headers, signal: controller.signal, onProgress: drawer.callback, force: flags.force})
        process.stdout.write(JSON.stringify({benchmark: bench.name, url: item.url, ...result}) + '\n')
      }
    } finally {
      process.off('SIGINT', onSigint)
      drawer.stop()
    }
  }
}
