// Main-text extraction quality on real-shaped article pages (test/fixtures/web/articles: 24 pages in 12 site
// templates — containers named Page-ad-margins / non-ad-column-l / ad_body, ad slots, consent overlays, class
// soup, encyclopedia and government layouts — each with its gold text). Token F1 (SQuAD-style bag of words) of
// title + text against the gold, for ars's reader and for Readability.js alone on the same DOM (the peer).
// trafilatura, the other usual peer, is not packaged for Debian, so it is not run here.
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {JSDOM, VirtualConsole} from 'jsdom'
import {Readability} from '@mozilla/readability'
import {extractHtml} from '../src/browse/extract.js'
import {tokenOverlap} from '../test/helpers/token-overlap.js'
import {isMain, report, ROOT} from './harness.js'

export interface PageScore {
  page: string
  ars: number
  readability: number
}

export async function scorePages(dir = join(ROOT, 'test', 'fixtures', 'web', 'articles')): Promise<PageScore[]> {
  const out: PageScore[] = []
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.html')).sort()) {
    const html = readFileSync(join(dir, file), 'utf8')
    const gold = readFileSync(join(dir, file.replace(/\.html$/, '.txt')), 'utf8')
    const url = `https://example.org/${file}`
    const ars = await extractHtml(html, url)
    const dom = new JSDOM(html, {url, virtualConsole: new VirtualConsole()})
    const article = new Readability(dom.window.document).parse()
    dom.window.close()
    out.push({page: file, ars: tokenOverlap(`${ars.title}\n${ars.text}`, gold).f1, readability: tokenOverlap(`${article?.title ?? ''}\n${article?.textContent ?? ''}`, gold).f1})
  }
  return out
}

export async function run(): Promise<void> {
  const scores = await scorePages()
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length
  const ars = mean(scores.map((s) => s.ars))
  const peer = mean(scores.map((s) => s.readability))
  const worst = scores.reduce((a, b) => (b.ars < a.ars ? b : a))
  report({bench: 'extract', figure: 'token_f1', unit: 'F1', ars: Number(ars.toFixed(4)), peer: 'Readability.js 0.6 (jsdom)', peer_value: Number(peer.toFixed(4)), ratio: Number((ars / peer).toFixed(3)), goal: 'ars > 0.958 (trafilatura on a public 181-page benchmark); ratio > 1', pages: scores.length, ars_min: Number(worst.ars.toFixed(4)), ars_min_page: worst.page})
}

if (isMain(import.meta.url)) await run()
