import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {domToText, extractHtml, extractPlain, wrapForLinkedom} from '../../src/browse/extract.js'
import {generatePages} from '../helpers/boilerplate-pages.js'
import {tokenOverlap} from '../helpers/token-overlap.js'

const pages = generatePages(11, 8)

describe('extractHtml', () => {
  it('linkedom (fast path) gives the same title, text and links as jsdom (reference) on boilerplate-heavy pages', async () => {
    for (const page of pages.slice(0, 4)) {
      const fast = await extractHtml(page.html, `http://site.test${page.path}`, {engine: 'linkedom'})
      const reference = await extractHtml(page.html, `http://site.test${page.path}`, {engine: 'jsdom'})
      assert.equal(fast.text, reference.text, `${page.path} (${page.layout})`)
      assert.equal(fast.title, reference.title)
      assert.deepEqual(fast.links, reference.links)
    }
  })

  it('keeps the article and drops the boilerplate (token F1 ≥ 0.95 on every layout)', async () => {
    for (const page of pages) {
      const got = await extractHtml(page.html, `http://site.test${page.path}`)
      const {precision, recall, f1} = tokenOverlap(`${got.title}\n\n${got.text}`, page.truth)
      assert.ok(f1 >= 0.95, `${page.layout}: F1 ${f1.toFixed(3)} (P ${precision.toFixed(3)} R ${recall.toFixed(3)})`)
      assert.equal(got.title, page.title)
      assert.doesNotMatch(got.text, /cookies|Advertisement|All rights reserved|dataLayer/)
    }
  })

  it('resolves links against the page URL, drops fragments and non-http schemes', async () => {
    const html = '<html><body><p>See <a href="/a#x">A</a>, <a href="b">B</a>, <a href="mailto:x@y">mail</a>, <a href="#top">top</a>, <a href="/a">again</a>.</p></body></html>'
    const got = await extractHtml(html, 'http://site.test/dir/page')
    assert.deepEqual(got.links, [{url: 'http://site.test/a', text: 'A'}, {url: 'http://site.test/dir/b', text: 'B'}])
  })

  it('reads malformed HTML with both engines without throwing', async () => {
    const broken = [
      '<p>unclosed <div>nested <span>badly</p></div> text after</table></td>',
      '<html><title>No body tag</title><p>Body text of a page without head or body tags.</p></html>',
      '<head><title>T</title></head><body><p>Paragraph.',
      '<<<>>> <p attr="unterminated>text</p> &bogus; &#xFFFFFFF; <!-- open comment',
      '\u0000\u0001 <p>control characters</p>',
      '<svg><p>inside svg</p></svg><p>outside</p>',
    ]
    for (const html of broken) {
      for (const engine of ['linkedom', 'jsdom'] as const) {
        const got = await extractHtml(html, 'http://site.test/', {engine})
        assert.equal(typeof got.text, 'string', `${engine}: ${html}`)
      }
    }
    const noBody = await extractHtml(broken[1]!, 'http://site.test/')
    assert.equal(noBody.title, 'No body tag')
    assert.match(noBody.text, /Body text of a page/)
  })

  it('falls back to the body minus navigation when Readability finds no article', async () => {
    const html = '<html><head><title>Short</title></head><body><nav><a href="/x">Home</a><a href="/y">About</a></nav><div class="cookie-banner">We use cookies.</div><div>Opening hours: Monday to Friday, 9 to 5.</div><footer>© Footer text</footer></body></html>'
    const got = await extractHtml(html, 'http://site.test/')
    assert.match(got.text, /Opening hours/)
    assert.doesNotMatch(got.text, /Home|cookies|Footer/)
  })

  it('never returns script or style text', async () => {
    const html = `<html><body><script>var secret = "SCRIPT_TEXT"</script><style>.x{}</style><article><p>${'Visible prose sentence. '.repeat(40)}</p></article></body></html>`
    const got = await extractHtml(html, 'http://site.test/')
    assert.doesNotMatch(got.text, /SCRIPT_TEXT|\.x\{\}/)
    assert.match(got.text, /Visible prose/)
  })
})

describe('wrapForLinkedom', () => {
  it('leaves complete documents alone and gives fragments a body', () => {
    const full = '<html><head></head><body><p>x</p></body></html>'
    assert.equal(wrapForLinkedom(full), full)
    assert.equal(wrapForLinkedom('<title>T</title><p>x</p>'), '<!DOCTYPE html><html><head><title>T</title></head><body><p>x</p></body></html>')
  })
})

describe('domToText and extractPlain', () => {
  it('keeps paragraph breaks, list items and table rows', async () => {
    const {DOMParser} = await import('linkedom')
    const doc = new DOMParser().parseFromString('<html><body><h2>Head</h2><p>One <b>two</b></p><ul><li>a</li><li>b</li></ul><table><tr><th>k</th><td>v</td></tr></table></body></html>', 'text/html')
    assert.equal(domToText(doc.body as never), 'Head\n\nOne two\n\n- a\n\n- b\n\nk | v')
  })
  it('normalises plain text and titles it by its first line', () => {
    const got = extractPlain('First line\r\nsecond\r\n\r\n\r\n  Next   para  ')
    assert.equal(got.title, 'First line')
    assert.equal(got.text, 'First line\nsecond\n\nNext para')
  })
})

describe('real-shaped article pages (test/fixtures/web/articles, 12 site templates)', () => {
  it('keeps story containers whose class holds "ad" as a word (Page-ad-margins, non-ad-column-l, ad_body) and scores F1 > 0.958 overall', async () => {
    const {readdirSync, readFileSync} = await import('node:fs')
    const {join} = await import('node:path')
    const dir = join(process.cwd(), 'test', 'fixtures', 'web', 'articles')
    const files = readdirSync(dir).filter((f) => f.endsWith('.html')).sort()
    assert.ok(files.length >= 24)
    const scores: Record<string, number> = {}
    for (const file of files) {
      const page = await extractHtml(readFileSync(join(dir, file), 'utf8'), `https://example.org/${file}`)
      scores[file] = tokenOverlap(`${page.title}\n${page.text}`, readFileSync(join(dir, file.replace(/\.html$/, '.txt')), 'utf8')).f1
      if (/ad-margins|non-ad-column|ad-body/.test(file)) {
        assert.ok(scores[file]! > 0.95, `${file}: F1 ${scores[file]} (text starts ${JSON.stringify(page.text.slice(0, 60))})`)
        assert.doesNotMatch(page.text.slice(0, 40), /^Advertisement|USD|DOW/, file)
      }
    }
    const mean = Object.values(scores).reduce((a, b) => a + b, 0) / files.length
    assert.ok(mean > 0.958, `mean F1 ${mean.toFixed(4)}: ${JSON.stringify(scores)}`)
    // Ad slots and consent banners, small parts of the page, are still removed.
    const page = await extractHtml(readFileSync(join(dir, 'consent-overlay-news-1.html'), 'utf8'), 'https://example.org/x')
    assert.doesNotMatch(page.text, /Accept all|Advertisement/)
  })
})
