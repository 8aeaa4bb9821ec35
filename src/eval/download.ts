// `eval download`: fetch a benchmark's public files into a directory. Resumable (a `.part` file continued
// with an HTTP Range request), verified against a SHA-256 when one is known, renamed into place only when
// complete. Encrypted releases are stored as released: ars decrypts in memory when loading.
import {createHash} from 'node:crypto'
import {createReadStream, existsSync, mkdirSync, renameSync, rmSync, statSync, createWriteStream} from 'node:fs'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {ArsError, DataError} from '../core/index.js'
import {ProgressTask, type ProgressCallback} from '../core/index.js'

export interface DownloadItem {
  url: string
  file: string
  sha256?: string
}

export interface DownloadOptions {
  outDir: string
  /** Extra headers, e.g. Authorization for gated Hugging Face datasets. */
  headers?: Record<string, string>
  signal?: AbortSignal
  onProgress?: ProgressCallback
  /** Re-download even when the file is present. */
  force?: boolean
}

export interface DownloadResult {
  path: string
  bytes: number
  sha256: string
  /** Bytes reused from an earlier interrupted download. */
  resumedFrom: number
  /** Already complete before this call. */
  skipped: boolean
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

export async function downloadFile(item: DownloadItem, options: DownloadOptions): Promise<DownloadResult> {
  mkdirSync(options.outDir, {recursive: true})
  const path = join(options.outDir, item.file)
  const part = `${path}.part`
  if (existsSync(path) && !options.force) {
    const sum = await sha256File(path)
    if (!item.sha256 || sum === item.sha256) return {path, bytes: statSync(path).size, sha256: sum, resumedFrom: 0, skipped: true}
    rmSync(path)
  }
  let offset = existsSync(part) ? statSync(part).size : 0
  const headers: Record<string, string> = {...(options.headers ?? {})}
  if (offset > 0) headers.Range = `bytes=${offset}-`
  let response: Response
  try {
    response = await fetch(item.url, {headers, redirect: 'follow', ...(options.signal ? {signal: options.signal} : {})})
  } catch (error) {
    throw new ArsError('download', `cannot fetch ${item.url}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`, {fix: 'Check the network, or pass --url with a mirror; files already fetched are kept and resumed next time.', cause: error})
  }
  if (response.status === 416 && offset > 0) {
    // The .part is already whole (or longer than the file): verify it below as if just downloaded.
    await response.body?.cancel()
  } else if (!response.ok) {
    await response.body?.cancel()
    const gated = response.status === 401 || response.status === 403
    throw new ArsError('download', `${item.url}: HTTP ${response.status} ${response.statusText}`, {fix: gated ? 'The dataset is gated: accept its terms on the Hub and set HF_TOKEN.' : 'Check the URL (--url), or try again later.'})
  } else {
    if (offset > 0 && response.status !== 206) offset = 0 // server ignored the Range: start over
    const total = Number(response.headers.get('content-length') ?? 0) + offset
    const task = new ProgressTask(options.onProgress, item.file, total || undefined, 'B')
    if (offset > 0) task.advance(offset, 'resumed')
    const counting = async function* (body: AsyncIterable<Uint8Array>) {
      for await (const chunk of body) {
        task.advance(chunk.length)
        yield chunk
      }
    }
    if (!response.body) throw new ArsError('download', `${item.url}: empty response body`)
    await pipeline(Readable.fromWeb(response.body as never), counting, createWriteStream(part, {flags: offset > 0 ? 'a' : 'w'}))
    task.done()
  }
  const sum = await sha256File(part)
  if (item.sha256 && sum !== item.sha256) {
    rmSync(part)
    throw new DataError(`checksum mismatch: expected sha256 ${item.sha256}, got ${sum}`, {where: item.url, code: 'checksum', fix: 'The partial file was removed; run the download again (or check --sha256 / the mirror).'})
  }
  renameSync(part, path)
  return {path, bytes: statSync(path).size, sha256: sum, resumedFrom: offset, skipped: false}
}
