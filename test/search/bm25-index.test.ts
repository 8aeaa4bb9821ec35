import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Rng} from '../../src/core/rng.js'
import {Bm25Index} from '../../src/search/bm25/bm25-index.js'
import {buildIndex} from '../../src/search/bm25/build-index.js'
import {lengthToNorm, normToLength} from '../../src/search/bm25/lucene-norms.js'
import type {CorpusDocument} from '../../src/search/corpus-document.js'

function tempDir(t: {after: (fn: () => void) => void}): string {
  const dir = mkdtempSync(join(tmpdir(), 'ars-bm25-'))
  t.after(() => rmSync(dir, {recursive: true, force: true}))
  return dir
}

// Six documents under 24 terms each, so Lucene's one-byte length encoding is exact and the expected scores
// below are plain BM25: idf(t) * tf / (tf + k1 * (1 - b + b * dl / avgdl)), idf = ln(1 + (N - df + .5) / (df + .5)).
const DOCS: CorpusDocument[] = [
  {id: 'a', title: 'Lighthouse', text: 'The lighthouse keeper lit the lamp.'}, // lighthous keeper lit lamp (+title lighthous) → 5 terms
  {id: 'b', title: '', text: 'A keeper of bees keeps bees in hives.'}, // keeper bee keep bee hive → 5
  {id: 'c', title: '', text: 'Lamp oil, lamp wick, lamp glass.'}, // lamp oil lamp wick lamp glass → 6
  {id: 'd', title: '', text: 'Ships pass the lighthouse at night.'}, // ship pass lighthous night → 4
  {id: 'e', title: '', text: 'Night birds sing.'}, // night bird sing → 3
  {id: 'f', contents: '"Keepers"\nThe keepers guild.'} as unknown as CorpusDocument, // replaced below
]
DOCS[5] = {id: 'f', title: 'Keepers', text: 'The keepers guild.'} // keeper keeper guild → 3

const LENGTHS = [5, 5, 6, 4, 3, 3]
const N = 6
const AVGDL = LENGTHS.reduce((a, b) => a + b) / N

function expected(termStats: {df: number; tfs: Record<number, number>}[], k1: number, b: number): {doc: number; score: number}[] {
  const scores = new Map<number, number>()
  for (const {df, tfs} of termStats) {
    const idf = Math.log(1 + (N - df + 0.5) / (df + 0.5))
    for (const [doc, tf] of Object.entries(tfs)) {
      const dl = LENGTHS[Number(doc)] as number
      scores.set(Number(doc), (scores.get(Number(doc)) ?? 0) + (idf * tf) / (tf + k1 * (1 - b + (b * dl) / AVGDL)))
    }
  }
  return [...scores].map(([doc, score]) => ({doc, score})).sort((x, y) => y.score - x.score || x.doc - y.doc)
}

test('ranks by Lucene BM25 exactly: scores from the formula, ties by document order', async (t) => {
  const dir = tempDir(t)
  const meta = await buildIndex(DOCS, join(dir, 'idx'), {k1: 1.2, b: 0.75})
  assert.equal(meta.docCount, 6)
  assert.equal(meta.totalTerms, LENGTHS.reduce((a, b) => a + b))
  const index = Bm25Index.open(join(dir, 'idx'))
  t.after(() => index.close())

  // "keeper lamp": keeper in a(1), b(1), f(2) → df 3; lamp in a(1), c(3) → df 2.
  const want = expected([{df: 3, tfs: {0: 1, 1: 1, 5: 2}}, {df: 2, tfs: {0: 1, 2: 3}}], 1.2, 0.75)
  const got = index.rank('keepers lamps', {topK: 10})
  assert.deepEqual(got.map((h) => h.doc), want.map((h) => h.doc))
  assert.deepEqual(got.map((h) => h.doc), [0, 2, 5, 1])
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs((got[i] as {score: number}).score - (want[i] as {score: number}).score) < 1e-6, `score ${i}`)

  // Query-time k1/b override: b = 0 removes length normalisation, so only tf and idf matter.
  const flat = index.rank('keepers lamps', {topK: 10, k1: 2, b: 0})
  const wantFlat = expected([{df: 3, tfs: {0: 1, 1: 1, 5: 2}}, {df: 2, tfs: {0: 1, 2: 3}}], 2, 0)
  assert.deepEqual(flat.map((h) => h.doc), wantFlat.map((h) => h.doc))
  for (let i = 0; i < wantFlat.length; i++) assert.ok(Math.abs((flat[i] as {score: number}).score - (wantFlat[i] as {score: number}).score) < 1e-6)

  // Ties: "night" is in d (len 4) and e (len 3); the shorter wins. "pass ships" only in d.
  assert.deepEqual(index.rank('night').map((h) => h.doc), [4, 3])
  // A repeated query word counts twice (as Lucene's BooleanQuery sums duplicate clauses).
  const once = index.rank('lamp')[0]?.score as number
  const twice = index.rank('lamp lamp')[0]?.score as number
  assert.ok(Math.abs(twice - 2 * once) < 1e-6)
  // topK cuts; stop words alone find nothing.
  assert.equal(index.rank('keeper lamp', {topK: 2}).length, 2)
  assert.deepEqual(index.rank('the of and'), [])
})

test('search() returns hits with title, url, snippet and text read from disk', async (t) => {
  const dir = tempDir(t)
  const corpus = join(dir, 'corpus.jsonl')
  writeFileSync(corpus, [
    JSON.stringify({id: 1, contents: '"Old Harbour"\nThe old harbour has a lighthouse.'}),
    JSON.stringify({id: 'w2', title: 'Web page', text: 'A lighthouse web page.', url: 'https://example.org/lh'}),
  ].join('\n') + '\n')
  const {readCorpus} = await import('../../src/search/bm25/build-index.js')
  const {InvalidPolicy} = await import('../../src/core/jsonl.js')
  await buildIndex(readCorpus(corpus, new InvalidPolicy('fail')), join(dir, 'idx'))
  const index = Bm25Index.open(join(dir, 'idx'))
  const hits = await index.search('old lighthouse', {topK: 5})
  assert.deepEqual(hits.map((h) => [h.id, h.title, h.url]), [['1', 'Old Harbour', 'doc:1'], ['w2', 'Web page', 'https://example.org/lh']])
  assert.equal(hits[0]?.text, 'The old harbour has a lighthouse.')
  assert.equal(hits[0]?.snippet, 'The old harbour has a lighthouse.')
  assert.deepEqual(index.documentById('w2'), {id: 'w2', title: 'Web page', text: 'A lighthouse web page.', url: 'https://example.org/lh'})
  assert.equal(index.documentById('nope'), undefined)
  await index.close()

  // Reopen: same answers from the files alone.
  const again = Bm25Index.open(join(dir, 'idx'))
  assert.deepEqual((await again.search('old lighthouse', {topK: 5})).map((h) => h.score), hits.map((h) => h.score))
  await again.close()
})

test('MaxScore pruning returns exactly the exhaustive top-k on a random corpus', async (t) => {
  const dir = tempDir(t)
  const rng = new Rng(7)
  const vocab = Array.from({length: 400}, (_, i) => `w${i.toString(36)}x`)
  const pick = (): string => vocab[Math.min(vocab.length - 1, Math.floor(Math.exp(rng.next() * Math.log(vocab.length))) - 1)] as string
  const docs: CorpusDocument[] = Array.from({length: 3000}, (_, i) => ({id: `d${i}`, title: '', text: Array.from({length: 5 + rng.int(60)}, pick).join(' ')}))
  await buildIndex(docs, join(dir, 'idx'), {k1: 0.9, b: 0.4})
  const index = Bm25Index.open(join(dir, 'idx'), {cacheBytes: 1 << 20})
  t.after(() => index.close())
  const exhaustive = (query: string, k: number): string => {
    const all = index.rank(query, {topK: docs.length})
    return all.slice(0, k).map((h) => `${h.doc}:${h.score}`).join(' ')
  }
  for (let q = 0; q < 60; q++) {
    const query = Array.from({length: 1 + rng.int(6)}, pick).join(' ')
    const k = 1 + rng.int(20)
    assert.equal(index.rank(query, {topK: k}).map((h) => `${h.doc}:${h.score}`).join(' '), exhaustive(query, k), query)
  }
})

test('Lucene one-byte norms: exact below 24, monotone above', () => {
  for (let n = 0; n < 24; n++) assert.equal(normToLength(lengthToNorm(n)), n)
  let last = -1
  for (let n = 0; n < 100000; n += 7) {
    const norm = lengthToNorm(n)
    assert.ok(norm >= last)
    assert.ok(normToLength(norm) <= n)
    last = norm
  }
  // 100 - 24 = 76 = 0b1001100: shift 3, mantissa 0b001, code (3 + 1) << 3 | 1 = 33, plus 24.
  assert.equal(lengthToNorm(100), 57)
  assert.equal(normToLength(57), 96)
})

test('a corpus of exactly 65,536 documents (the writer\'s first growth boundary) reopens intact', async (t) => {
  const dir = tempDir(t)
  const docs = function* (): Generator<CorpusDocument> {
    for (let i = 0; i < 65_536; i++) yield {id: `n${i}`, title: '', text: i === 65_535 ? 'last unique zebra' : `common ${i % 3 === 0 ? 'fizz' : 'buzz'}`}
  }
  const meta = await buildIndex(docs(), join(dir, 'idx'))
  assert.equal(meta.docCount, 65_536)
  const index = Bm25Index.open(join(dir, 'idx'))
  t.after(() => index.close())
  const [hit] = await index.search('zebra')
  assert.deepEqual([hit?.id, hit?.text], ['n65535', 'last unique zebra'])
})

test('"km" finds a "5 km²" document and "h" a "H₂O" one, as Lucene\'s StandardTokenizer splits them', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ars-bm25-uax29-'))
  t.after(() => rmSync(root, {recursive: true, force: true}))
  await buildIndex([
    {id: 'lake', title: 'Lake Tana', text: 'The lake covers 3,200 km² and holds fresh H₂O.'},
    {id: 'catalan', title: 'Col·lecció', text: 'Una col·lecció of co\u00adoperative ½ measures.'},
    {id: 'other', title: 'Road', text: 'A road of 5 miles.'},
  ], join(root, 'index'))
  const index = Bm25Index.open(join(root, 'index'))
  t.after(() => index.close())
  assert.deepEqual((await index.search('km')).map((h) => h.id), ['lake'])
  assert.deepEqual((await index.search('area in km2')).map((h) => h.id), [])
  assert.deepEqual((await index.search('col·lecció')).map((h) => h.id), ['catalan'])
  assert.deepEqual((await index.search('lecció')).map((h) => h.id), [])
})
