// Metrics against values produced by the official scripts' Python (test/fixtures/eval/metric-reference.py:
// SQuAD v1.1 normalize_answer, HotpotQA f1_score, Search-R1 subem_check, GAIA question_scorer).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {ROOT} from '../helpers/cli.js'
import {coverExactMatch, exactMatch, gaiaScore, metricVersions, normalizeAnswer, pythonFloat, scoreAnswer, scoreAll, tokenF1, METRICS} from '../../src/answer/metrics.js'

interface Case {prediction: string; gold: string; norm_p: string; em: number; f1: number; cover: number; gaia: number}
const cases: Case[] = readFileSync(join(ROOT, 'test/fixtures/eval/metric-cases.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Case)

test('every reference case matches the official Python scripts', () => {
  assert.ok(cases.length > 60)
  for (const c of cases) {
    const at = JSON.stringify([c.prediction, c.gold])
    assert.equal(normalizeAnswer(c.prediction), c.norm_p, `normalize ${at}`)
    assert.equal(exactMatch(c.prediction, c.gold), c.em, `em ${at}`)
    assert.ok(Math.abs(tokenF1(c.prediction, c.gold).f1 - c.f1) < 1e-12, `f1 ${at}: ${tokenF1(c.prediction, c.gold).f1} vs ${c.f1}`)
    assert.equal(coverExactMatch(c.prediction, c.gold), c.cover, `cover ${at}`)
    assert.equal(gaiaScore(c.prediction, c.gold), c.gaia, `gaia ${at}`)
  }
})

test('articles: a/an/the removed only as whole words (unicode word boundaries)', () => {
  assert.equal(normalizeAnswer('The Eiffel Tower'), 'eiffel tower')
  assert.equal(normalizeAnswer('Theatre'), 'theatre')
  assert.equal(normalizeAnswer('An apple a day'), 'apple day')
  // é is a word character for Python 3's re, so "éthe" keeps its "the" (JS \b would strip it).
  assert.equal(normalizeAnswer('éthe'), 'éthe')
})

test('punctuation: ASCII removed, unicode punctuation kept (string.punctuation is ASCII)', () => {
  assert.equal(normalizeAnswer('U.S.A.'), 'usa')
  assert.equal(normalizeAnswer('rock-and-roll'), 'rockandroll')
  assert.equal(normalizeAnswer('it’s'), 'it’s')
  assert.equal(normalizeAnswer('“quoted”'), '“quoted”')
})

test('whitespace: Python str.split() set (NBSP, U+0085 split; U+200B, U+FEFF do not)', () => {
  assert.equal(normalizeAnswer('a\u00a0b'), 'b')
  assert.equal(normalizeAnswer('x\u0085y'), 'x y')
  assert.equal(normalizeAnswer('x\u200by'), 'x\u200by')
  assert.equal(normalizeAnswer('x\ufeffy'), 'x\ufeffy')
})

test('published scorer differences: "The Eiffel Tower" vs "Eiffel Tower"', () => {
  assert.equal(exactMatch('The Eiffel Tower', 'Eiffel Tower'), 1)
  assert.equal(tokenF1('The Eiffel Tower', 'Eiffel Tower').f1, 1)
  // GAIA keeps articles: "theeiffeltower" ≠ "eiffeltower".
  assert.equal(gaiaScore('The Eiffel Tower', 'Eiffel Tower'), 0)
})

test('F1 partial credit and HotpotQA yes/no/noanswer rule', () => {
  const f = tokenF1('Barack Obama', 'Obama')
  assert.equal(f.precision, 0.5)
  assert.equal(f.recall, 1)
  assert.ok(Math.abs(f.f1 - 2 / 3) < 1e-12)
  assert.equal(tokenF1('yes it is', 'yes').f1, 0)
  assert.equal(tokenF1('yes', 'Yes.').f1, 1)
  assert.equal(tokenF1('cat cat dog', 'cat dog dog').f1, 2 / 3)
})

test('cover-EM is substring containment like Search-R1 subem', () => {
  assert.equal(coverExactMatch('In 1999, the Treaty of Paris', 'Treaty of Paris'), 1)
  assert.equal(coverExactMatch('martin county', 'art'), 1)
  assert.equal(coverExactMatch('Paris', 'Treaty of Paris'), 0)
})

test('GAIA numbers: $ % and commas stripped on the prediction only', () => {
  assert.equal(gaiaScore('1,000', '1000'), 1)
  assert.equal(gaiaScore('$1,000', '1000'), 1)
  assert.equal(gaiaScore('17%', '17'), 1)
  assert.equal(gaiaScore('3.50', '3.5'), 1)
  assert.equal(gaiaScore('17 km', '17'), 0)
  // A gold "1,000" is not a float, so it is read as a two-element list: "1000" has one element → 0.
  assert.equal(gaiaScore('1000', '1,000'), 0)
  assert.equal(gaiaScore('1,000', '1,000'), 1)
  assert.equal(gaiaScore(null, '5'), 0)
})

test('GAIA lists: same length, in order, element-wise number/string rules', () => {
  assert.equal(gaiaScore('apple, banana, cherry', 'apple,banana,cherry'), 1)
  assert.equal(gaiaScore('banana, apple, cherry', 'apple, banana, cherry'), 0)
  assert.equal(gaiaScore('apple; banana', 'apple, banana'), 1)
  assert.equal(gaiaScore('apple, banana', 'apple, banana, cherry'), 0)
  assert.equal(gaiaScore('1.0; 2; three', '1; 2; three'), 1)
  // list elements keep punctuation: "mr.smith" ≠ "mrsmith"
  assert.equal(gaiaScore('Mr. Smith, Jr.', 'mr smith, jr'), 0)
})

test('GAIA strings: whitespace and punctuation removed, lowercase', () => {
  assert.equal(gaiaScore('Sea Gull', 'seagull'), 1)
  assert.equal(gaiaScore('sea-gull', 'seagull'), 1)
  assert.equal(gaiaScore('St. Louis', 'st louis'), 1)
})

test('python float() semantics', () => {
  assert.equal(pythonFloat(' 42 '), 42)
  assert.equal(pythonFloat('1_000'), 1000)
  assert.equal(pythonFloat('0x10'), undefined)
  assert.equal(pythonFloat(''), undefined)
  assert.equal(pythonFloat('-inf'), -Infinity)
  assert.equal(pythonFloat('٣'), 3)
  assert.equal(pythonFloat('𝟕'), 7)
})

test('pythonFloat agrees with CPython float() on every case of the committed table (whitespace, digits, syntax)', () => {
  // Made by test/fixtures/eval/python-float.py with /usr/bin/python3; "out" is repr(float(s)) or null.
  const table = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/eval/python-float.json'), 'utf8')) as {cases: Array<{in: string; out: string | null}>}
  assert.ok(table.cases.length > 2000)
  const fromRepr = (r: string): number => (r === 'inf' ? Infinity : r === '-inf' ? -Infinity : r === 'nan' ? Number.NaN : Number(r))
  const wrong = table.cases.filter((c) => {
    const got = pythonFloat(c.in)
    return c.out === null ? got !== undefined : got === undefined || !Object.is(got, fromRepr(c.out))
  })
  assert.deepEqual(wrong.map((c) => `${JSON.stringify(c.in)} → python ${c.out}, ars ${String(pythonFloat(c.in))}`), [])
  // The cases the issue named: U+001C..U+001F are str.isspace() but float() does not strip them.
  assert.equal(pythonFloat('\x1c7'), undefined)
  assert.equal(pythonFloat('\u00a0\u0085 7 \u2029'), 7)
})

test('multiple aliases: max over golds; no gold → null (not 0)', () => {
  assert.equal(scoreAnswer('em', 'Bob', ['Robert', 'Bob']), 1)
  assert.equal(scoreAnswer('f1', 'Robert Smith', ['Bob', 'Robert Jones', 'Smith']), 2 / 3)
  assert.equal(scoreAnswer('em', 'x', []), null)
  assert.equal(scoreAnswer('em', null, ['x']), 0)
  assert.deepEqual(scoreAll(['em', 'cover_em'], 'the Paris', ['Paris']), {em: 1, cover_em: 1})
  assert.throws(() => scoreAnswer('bleu', 'x', ['x']), /Expected a metric name/)
})

test('every metric carries a name and version', () => {
  for (const [name, m] of Object.entries(METRICS)) {
    assert.equal(m.name, name)
    assert.match(m.version, /\/\d+$/)
  }
  assert.deepEqual(metricVersions(['em', 'judge'], 'judge-v1/x'), {em: 'squad-v1.1/1', judge: 'judge-v1/x'})
})

test('char_sim: 1 − Levenshtein / longer length over SQuAD-normalised strings, 1 exactly when EM is 1, best alias', () => {
  const sim = METRICS.char_sim!
  assert.equal(sim.scoreOne('179926', '179926'), 1)
  assert.equal(sim.scoreOne('The Golden Shore.', 'golden shore'), 1, 'normalised like EM')
  assert.equal(sim.scoreOne('199926', '179926'), 1 - 1 / 6, 'one digit miscopied')
  assert.equal(sim.scoreOne('1904', '1906'), 0.75)
  assert.equal(sim.scoreOne('kitten', 'sitting'), 1 - 3 / 7, 'the textbook pair: 3 edits')
  assert.equal(sim.scoreOne('', ''), 1)
  assert.equal(sim.scoreOne('anything', ''), 0)
  assert.equal(sim.scoreOne(null, '1906'), 0)
  // casper → raphael is 5 edits (c→r, s→p, p→h, +a, r→l) of 17 characters; carilmont → velorwick 7 of 16.
  assert.equal(scoreAnswer('char_sim', 'Casper Carilmont', ['Casper Velorwick', 'Raphael Carilmont']), 1 - 5 / 17, 'max over aliases')
  // 1 iff EM on the official reference cases.
  for (const c of cases) assert.equal(sim.scoreOne(c.prediction, c.gold) === 1, c.em === 1, JSON.stringify(c))
})
