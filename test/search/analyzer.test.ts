import {test} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {analyzerByName, forEachToken} from '../../src/search/analyzer.js'
import {porterStem} from '../../src/search/porter-stemmer.js'

const fixture = join(process.cwd(), 'test', 'fixtures', 'search', 'lucene-english-analyzer.tsv')

test('english analyzer reproduces Lucene 8 EnglishAnalyzer on the recorded fixture', () => {
  // Produced by bench/lucene/LuceneBench.java `stem` (words and README lines with emoji, colons, underscores).
  const english = analyzerByName('english')
  const lines = readFileSync(fixture, 'utf8').split('\n').filter(Boolean)
  assert.ok(lines.length > 2000)
  const mismatches: string[] = []
  for (const line of lines) {
    const tab = line.lastIndexOf('\t')
    const input = line.slice(0, tab)
    const expected = line.slice(tab + 1)
    const got = english.terms(input).join(' ')
    if (got !== expected) mismatches.push(`${JSON.stringify(input)}: lucene ${JSON.stringify(expected)}, ars ${JSON.stringify(got)}`)
  }
  assert.deepEqual(mismatches, [])
})

test('tokenizer reproduces Lucene 8 StandardTokenizer on superscripts, fractions, middle dots, soft hyphens, scripts', () => {
  // Produced by test/fixtures/search/make-lucene-tokens.mjs (bench/lucene/LuceneTokens.java, Lucene 8.7):
  // tricky strings, and every character of the subtle blocks alone, between letters and between digits.
  const cases = readFileSync(join(process.cwd(), 'test', 'fixtures', 'search', 'lucene-tokens.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as {input: string; tokens: string[]})
  assert.ok(cases.length > 3000)
  const mismatches: string[] = []
  for (const {input, tokens} of cases) {
    const got: string[] = []
    forEachToken(input, (t) => got.push(t))
    if (JSON.stringify(got) !== JSON.stringify(tokens)) mismatches.push(`${JSON.stringify(input)}: lucene ${JSON.stringify(tokens)}, ars ${JSON.stringify(got)}`)
  }
  assert.deepEqual(mismatches, [])
  // The cases, spelled out.
  const tokensOf = (text: string): string[] => {
    const out: string[] = []
    forEachToken(text, (t) => out.push(t))
    return out
  }
  assert.deepEqual(tokensOf('5 km² of H₂O, ½ cup'), ['5', 'km', 'of', 'h', 'o', 'cup'])
  assert.deepEqual(tokensOf('col·lecció co\u00adoperate'), ['col·lecció', 'co\u00adoperate'])
})

test('porter stemmer: the classic examples', () => {
  const cases: Record<string, string> = {
    caresses: 'caress', ponies: 'poni', ties: 'ti', cats: 'cat', feed: 'feed', agreed: 'agre', plastered: 'plaster',
    motoring: 'motor', sing: 'sing', conflated: 'conflat', hopping: 'hop', filing: 'file', happy: 'happi',
    relational: 'relat', generalization: 'gener', hopefulness: 'hope', revival: reviveStem(), adjustable: 'adjust',
    running: 'run', is: 'is', a: 'a',
  }
  for (const [word, stem] of Object.entries(cases)) assert.equal(porterStem(word), stem, word)
  function reviveStem(): string {
    return 'reviv'
  }
})

test('tokenizer keeps contractions, acronyms, decimals and splits at 255 chars', () => {
  const tokens: string[] = []
  forEachToken("Don't stop: U.S.A. paid 3.14, node:fs isn't_it — 東京 x" + 'a'.repeat(300), (t) => tokens.push(t))
  assert.deepEqual(tokens.slice(0, 9), ["don't", 'stop', 'u.s.a', 'paid', '3.14', 'node:fs', "isn't_it", '東', '京'])
  assert.equal(tokens[9]?.length, 255)
  assert.equal(tokens[10]?.length, 46)
})

test('english removes stop words and possessives; standard only lowercases', () => {
  assert.deepEqual(analyzerByName('english').terms("The Cat's hats are in the box"), ['cat', 'hat', 'box'])
  assert.deepEqual(analyzerByName('standard').terms("The Cat's hats are in the box"), ['the', "cat's", 'hats', 'are', 'in', 'the', 'box'])
  assert.throws(() => analyzerByName('french'), /Expected analyzer english or standard, got "french"/)
})
