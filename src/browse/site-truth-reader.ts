// A PageReader over a built world's own ground truth (site/truth.jsonl): exact page text with no network and
// no HTML extraction. Used to check the oracle's logic and as an offline `access` tool on the world; the real
// reader (src/browse) is what the end-to-end check runs through.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Page, PageLink, PageReader, ReadOptions} from '../browse/reader.js'

export class TruthPageReader implements PageReader {
  readonly specificationVersion = 'ars-reader-v1' as const
  readonly id: string
  readonly #dir: string
  readonly #pages = new Map<string, {title: string; text: string}>()
  readonly #chunkSize: number

  constructor(worldDir: string, options: {chunkSize?: number} = {}) {
    this.#dir = worldDir
    this.id = `world-truth:${worldDir}`
    this.#chunkSize = options.chunkSize ?? 2000
    for (const line of readFileSync(join(worldDir, 'site/truth.jsonl'), 'utf8').split('\n')) {
      if (!line) continue
      const r = JSON.parse(line) as {path: string; title: string; text: string}
      this.#pages.set(r.path, {title: r.title, text: r.text})
    }
  }

  async read(url: string, options: ReadOptions = {}): Promise<Page> {
    options.signal?.throwIfAborted()
    const path = url.replace(/^https?:\/\/[^/]+/, '').replace(/^doc:/, '')
    const page = this.#pages.get(decodeURIComponent(path))
    if (!page) throw new Error(`404 Not Found: ${url}`)
    const html = readFileSync(join(this.#dir, 'site', path), 'utf8')
    const links: PageLink[] = []
    for (const m of html.matchAll(/<a href="([^"]+)"[^>]*>([^<]*)<\/a>/g)) links.push({url: new URL(m[1] as string, url).toString(), text: m[2] as string})
    const text = `${page.title}\n${page.text}`
    const chunks: string[] = []
    for (let k = 0; k < text.length; k += this.#chunkSize) chunks.push(text.slice(k, k + this.#chunkSize))
    return {url, title: page.title, text, links, chunks}
  }
}
