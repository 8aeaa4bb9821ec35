// HTML → {title, text, links}: parse with a script-free DOM (linkedom by default, jsdom as the reference),
// take the main text with @mozilla/readability, and fall back to the page body minus navigation, banners and
// asides when Readability finds nothing. Text keeps paragraph breaks so it can be chunked for the agent.
import {multisetOverlap} from '../core/index.js'
import type {PageLink} from './reader.js'

export type DomEngine = 'linkedom' | 'jsdom'
export const DOM_ENGINES: readonly DomEngine[] = ['linkedom', 'jsdom']

export interface ExtractOptions {
  /** DOM implementation. Default linkedom (see docs/decisions/0450-dom-engine.md); jsdom is the reference. */
  engine?: DomEngine
  /** Readability results shorter than this (characters) are checked against the fallback. Default 500. */
  minChars?: number
  /** Most links kept per page. Default 300. */
  maxLinks?: number
}

export interface Extracted {
  title: string
  text: string
  links: PageLink[]
  /** Which path produced `text`. */
  method: 'readability' | 'fallback' | 'plain'
}

/** The slice of the DOM both engines share that this module touches. */
interface DomNode {
  nodeType: number
  nodeName: string
  childNodes: ArrayLike<DomNode>
  textContent: string | null
  parentNode: DomNode | null
}
interface DomElement extends DomNode {
  getAttribute(name: string): string | null
  querySelectorAll(selector: string): ArrayLike<DomElement>
  remove(): void
}
interface DomDocument extends DomNode {
  title: string
  body: DomElement | null
  documentElement: DomElement | null
  querySelectorAll(selector: string): ArrayLike<DomElement>
}
type ReadabilityArticle = {title?: string | null; content?: unknown}
interface ParsedDocument {
  document: DomDocument
  close(): void
}

let jsdomModule: Promise<typeof import('jsdom')> | undefined
let linkedomModule: Promise<typeof import('linkedom')> | undefined
let readabilityModule: Promise<typeof import('@mozilla/readability')> | undefined

async function parseDocument(html: string, url: string, engine: DomEngine): Promise<ParsedDocument> {
  if (engine === 'jsdom') {
    jsdomModule ??= import('jsdom')
    const {JSDOM, VirtualConsole} = await jsdomModule
    // No runScripts and no resources option: jsdom then runs no script and loads no sub-resource.
    const dom = new JSDOM(html, {url, virtualConsole: new VirtualConsole(), contentType: 'text/html'})
    return {document: dom.window.document as unknown as DomDocument, close: () => dom.window.close()}
  }
  linkedomModule ??= import('linkedom')
  const {DOMParser} = await linkedomModule
  // linkedom never runs scripts or fetches anything; DOMParser gives html/head/body even to fragments.
  const document = new DOMParser().parseFromString(wrapForLinkedom(html), 'text/html') as unknown as DomDocument
  return {document, close: () => {}}
}

/**
 * linkedom does not run the HTML5 tree-construction rules that imply <html>, <head> and <body>: a page that omits
 * them (legal HTML) comes out with an empty or missing body. Pages that have both <html> and <body> pass as
 * they are; others are rebuilt as html/head(title)/body around their content.
 */
export function wrapForLinkedom(html: string): string {
  if (/<html[\s>]/i.test(html) && /<body[\s>]/i.test(html)) return html
  const title = /<title[^>]*>[\s\S]*?<\/title>/i.exec(html)?.[0] ?? ''
  const content = html
    .replace(/<title[^>]*>[\s\S]*?<\/title>/i, '')
    .replace(/<!doctype[^>]*>/gi, '')
    .replace(/<\/?(?:html|head|body)(?:\s[^>]*)?>/gi, '')
  return `<!DOCTYPE html><html><head>${title}</head><body>${content}</body></html>`
}

export async function extractHtml(html: string, url: string, options: ExtractOptions = {}): Promise<Extracted> {
  const engine = options.engine ?? 'linkedom'
  const minChars = options.minChars ?? 500
  html = stripInert(html)
  const parsed = await parseDocument(html, url, engine)
  let title: string
  let links: PageLink[]
  let article: ReadabilityArticle | null = null
  try {
    const {document} = parsed
    title = clean(document.querySelectorAll('title')[0]?.textContent ?? '')
    links = collectLinks(document, url, options.maxLinks ?? 300)
    const heading = firstHeading(document) // before Readability moves nodes out of the tree
    removeChrome(document)
    readabilityModule ??= import('@mozilla/readability')
    const {Readability} = await readabilityModule
    // Readability's scoring is worse than quadratic in nesting depth (1 000 nested divs: 10 s); no real article
    // nests that deep, so such a tree goes straight to the fallback.
    if (deeperThan(document, MAX_READABILITY_DEPTH)) article = null
    else try {
      article = new Readability(document as never, {serializer: (node: unknown) => node, charThreshold: 500, keepClasses: true}).parse() as ReadabilityArticle | null
    } catch {
      article = null // Readability can throw on pathological trees; the fallback still reads them.
    }
    if (article?.title) title = clean(article.title) || title
    const text = article?.content ? domToText(withoutLandmarks(article.content as DomElement)) : ''
    if (text.length >= minChars) return {title: pickTitle(title, heading), text, links, method: 'readability'}
    // Readability mutated the tree, so the fallback works on a fresh parse.
    const fresh = await parseDocument(html, url, engine)
    try {
      // On a short page Readability either found the (short) body — then its text lies inside the fallback's
      // and is the cleaner of the two — or it took a menu or banner the fallback has removed; then the
      // fallback wins.
      const fallback = withoutHeading(fallbackText(fresh.document), heading)
      if (fallback && (!text || containedShare(text, fallback) < 0.8)) return {title: pickTitle(title, heading), text: fallback, links, method: 'fallback'}
      return {title: pickTitle(title, heading), text, links, method: 'readability'}
    } finally {
      fresh.close()
    }
  } finally {
    parsed.close()
  }
}

/**
 * Script, style and template bodies are never page text, and on real pages they are often most of the bytes:
 * dropping them before parsing saves both engines the work. (An HTML parser also ends them at the first
 * closing tag, so the regex cuts where the parser would.)
 */
export function stripInert(html: string): string {
  return html.replace(/<(script|style|template|noscript)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
}

/** Plain-text pages: normalised whitespace, title from the first line. */
export function extractPlain(text: string): Extracted {
  const normalised = text.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n+/).map((p) => p.replace(/[ \t]+/g, ' ').trim()).filter(Boolean).join('\n\n')
  const firstLine = normalised.split('\n', 1)[0] ?? ''
  return {title: firstLine.length <= 120 ? firstLine : `${firstLine.slice(0, 117)}...`, text: normalised, links: [], method: 'plain'}
}

/** The page's own <h1> when the document title is that heading plus a site name ("X — Site"), else the title. */
function pickTitle(title: string, heading: string): string {
  if (!title) return heading
  if (heading && heading !== title && title.includes(heading)) return heading
  return title
}

/** The fallback keeps the page's <h1>; the title carries it already (as with Readability), so drop it. */
function withoutHeading(text: string, heading: string): string {
  if (!heading) return text
  const paragraphs = text.split('\n\n')
  const at = paragraphs.indexOf(heading)
  if (at >= 0 && at < 3) paragraphs.splice(at, 1)
  return paragraphs.join('\n\n')
}

/** Share of `part`'s words that also occur in `whole` (bag of words, lower-cased). */
function containedShare(part: string, whole: string): number {
  const words = (t: string): string[] => t.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
  const wanted = words(part)
  return wanted.length === 0 ? 1 : multisetOverlap(wanted, words(whole)) / wanted.length
}

function clean(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

function firstHeading(document: DomDocument): string {
  const h = document.querySelectorAll('h1')[0]
  return h ? clean(h.textContent ?? '') : ''
}

function collectLinks(document: DomDocument, base: string, max: number): PageLink[] {
  const seen = new Set<string>()
  const links: PageLink[] = []
  const page = base.replace(/#.*$/, '')
  const anchors = document.querySelectorAll('a[href]')
  for (let i = 0; i < anchors.length && links.length < max; i++) {
    const anchor = anchors[i]!
    let href: URL
    try {
      href = new URL(anchor.getAttribute('href') ?? '', base)
    } catch {
      continue
    }
    if (href.protocol !== 'http:' && href.protocol !== 'https:') continue
    href.hash = ''
    const url = href.href
    if (url === page || seen.has(url)) continue
    seen.add(url)
    links.push({url, text: clean(anchor.textContent ?? '')})
  }
  return links
}

/** Element nesting beyond which Readability is skipped (real pages stay well under 100). */
export const MAX_READABILITY_DEPTH = 250

/** True when some node lies more than `limit` levels below `root` (iterative: a hostile tree cannot overflow it). */
export function deeperThan(root: DomNode, limit: number): boolean {
  const stack: Array<[DomNode, number]> = [[root, 0]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (depth > limit) return true
    const children = node.childNodes
    for (let i = 0; i < children.length; i++) if (children[i]!.nodeType === 1) stack.push([children[i]!, depth + 1])
  }
  return false
}

const SKIP = new Set(['script', 'style', 'noscript', 'template', 'svg', 'iframe', 'object', 'embed', 'canvas', 'head', 'button', 'select', 'input', 'textarea'])
const BLOCK = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'caption', 'dd', 'details', 'dialog', 'div', 'dl', 'dt', 'fieldset',
  'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hgroup', 'hr', 'html', 'li',
  'main', 'nav', 'ol', 'p', 'section', 'summary', 'table', 'tbody', 'thead', 'tfoot', 'tr', 'ul',
])

/** Text with one paragraph per block element, cells of a row joined by " | ", list items as "- ". */
export function domToText(root: DomNode): string {
  const paragraphs: string[] = []
  let line = ''
  const flush = (): void => {
    const text = line.replace(/\s+/g, ' ').trim()
    if (text) paragraphs.push(text)
    line = ''
  }
  const walk = (node: DomNode): void => {
    const children = node.childNodes
    for (let i = 0; i < children.length; i++) {
      const child = children[i]!
      if (child.nodeType === 3) {
        line += child.textContent ?? ''
        continue
      }
      if (child.nodeType !== 1) continue
      const tag = child.nodeName.toLowerCase()
      if (SKIP.has(tag)) continue
      if (tag === 'br') {
        flush()
      } else if (tag === 'pre') {
        flush()
        const text = (child.textContent ?? '').replace(/\s+$/, '').replace(/^\n+/, '')
        if (text.trim()) paragraphs.push(text)
      } else if (tag === 'td' || tag === 'th') {
        if (line.trim()) line += ' | '
        walk(child)
      } else if (tag === 'li') {
        flush()
        line = '- '
        walk(child)
        if (line.trim() === '-') line = ''
        flush()
      } else if (BLOCK.has(tag)) {
        flush()
        walk(child)
        flush()
      } else {
        walk(child)
      }
    }
  }
  if (root.nodeType === 1 && SKIP.has(root.nodeName.toLowerCase())) return ''
  walk(root)
  flush()
  return paragraphs.join('\n\n')
}

const BYLINE_WORDS = /byline|dateline|writtenby|p-author|(^|\s)author(\s|$)/i
const INSET_WORDS = /(^|[\s_-])(related|related-content|related-articles|newsletter|subscription-widget|subscription-widget-wrap|paywall|paywall-prompt|hatnote|toc|navbox|catlinks|sitesub|element-rich-link)([\s_-]|$)/i

/**
 * When a page is short, Readability may return a container of the whole layout, menus included; navigation,
 * aside and footer landmarks inside its result are never the article body.
 */
function withoutLandmarks(element: DomElement): DomElement {
  if (typeof element.querySelectorAll !== 'function') return element
  for (const el of Array.from(element.querySelectorAll('nav,aside,footer,[role="navigation"],[role="contentinfo"],[role="complementary"]'))) el.remove()
  // Short by-lines (Readability's own byline pattern) that it left in, e.g. "By staff reporter · 12 min read".
  const articleText = textLength(element)
  for (const el of Array.from(element.querySelectorAll('[class],[id],[rel="author"],[data-component]'))) {
    if (!el.parentNode) continue
    const words = `${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''} ${el.getAttribute('rel') ?? ''} ${el.getAttribute('data-component') ?? ''}`
    if (BYLINE_WORDS.test(words) && (el.textContent ?? '').trim().length < 100) el.remove()
    // Blocks sites put inside the story container that are not the story: related links, newsletter and
    // paywall prompts, encyclopedia hatnotes, contents boxes and navboxes, category links. (Infoboxes stay: they
    // hold the facts an agent is looking for.)
    else if (INSET_WORDS.test(words) && textLength(el) < 0.25 * articleText) el.remove()
  }
  return element
}

// Ads, cookie/consent banners and hidden overlays are never the article, but on a short page Readability can
// take one for it; they go before it runs. (Landmarks like nav/aside stay: removing them makes Readability pick
// wider containers on well-marked pages.)
const OVERLAY_WORDS = /(^|[\s_-])(cookies?|consent|gdpr|cmp|cookiebanner|ad|ads|advert|advertisement|sponsored)([\s_-]|$)/i
const CHROME_SELECTOR = 'dialog,[hidden],[aria-hidden="true"],[role="dialog"]'

function removeChrome(document: DomDocument): void {
  const root = document.body ?? document.documentElement
  if (!root) return
  for (const el of Array.from(root.querySelectorAll(CHROME_SELECTOR))) el.remove()
  const pageText = textLength(root)
  for (const el of Array.from(root.querySelectorAll('[class],[id]'))) {
    if (!el.parentNode) continue
    if (OVERLAY_WORDS.test(`${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`) && !holdsArticle(el, pageText)) el.remove()
  }
}

function textLength(el: DomNode): number {
  return (el.textContent ?? '').replace(/\s+/g, ' ').length
}

/**
 * Class names are a weak signal: real sites wrap the whole story in "Page-ad-margins", "non-ad-column-l" or
 * "ad_body". An ad slot or a consent banner is a small part of the page; an element holding a quarter of the
 * page's text, or the page's headline or article, is the content whatever it is called.
 */
function holdsArticle(el: DomElement, pageText: number): boolean {
  if (pageText > 0 && textLength(el) >= 0.25 * pageText) return true
  return el.querySelectorAll('h1,article,main,[role="main"]').length > 0
}

// Boilerplate for the fallback: landmarks that are never the article, and class/id words sites use for chrome.
const BOILERPLATE_SELECTOR = [
  'script', 'style', 'noscript', 'template', 'nav', 'footer', 'aside', 'header', 'form', 'iframe', 'svg', 'dialog', 'menu',
  '[role="navigation"]', '[role="banner"]', '[role="contentinfo"]', '[role="complementary"]', '[role="search"]', '[role="dialog"]',
  '[aria-hidden="true"]', '[hidden]',
].join(',')
const BOILERPLATE_WORDS = /(^|[\s_-])(nav|navbar|navbox|menu|sidebar|footer|header|topbar|masthead|cookie|consent|banner|advert|ads?|sponsor|promo|related|share|social|breadcrumbs?|newsletter|subscribe|comments?|popup|modal|widget|hatnote|catlinks|printfooter|byline|reply|user)([\s_-]|$)/i

function fallbackText(document: DomDocument): string {
  const body = document.body ?? document.documentElement
  if (!body) return ''
  for (const el of Array.from(body.querySelectorAll(BOILERPLATE_SELECTOR))) el.remove()
  const pageText = textLength(body)
  for (const el of Array.from(body.querySelectorAll('[class],[id]'))) {
    if (!el.parentNode) continue
    const words = `${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`
    if (BOILERPLATE_WORDS.test(words) && el.nodeName.toLowerCase() !== 'body' && el.nodeName.toLowerCase() !== 'main' && !holdsArticle(el, pageText)) el.remove()
  }
  const candidates = [...Array.from(body.querySelectorAll('main,[role="main"]')), ...Array.from(body.querySelectorAll('article'))]
  let root: DomNode = body
  let best = 0
  for (const candidate of candidates) {
    const length = (candidate.textContent ?? '').length
    if (length > best) {
      best = length
      root = candidate
    }
  }
  return domToText(root)
}
