// Answer metrics exactly as the field's official scripts compute them: SQuAD v1.1 / HotpotQA normalisation,
// EM, token F1 (HotpotQA's yes/no/noanswer rule), cover-EM (Search-R1's `subem`) and GAIA's question_scorer.
// Python semantics (unicode \w, str.split() whitespace, float()) are reproduced, not approximated by JS defaults.
import {distance as levenshtein} from 'fastest-levenshtein'
import {multisetOverlap} from '../core/index.js'

/** Characters Python's `str.split()` / `str.isspace()` / `re` `\s` treat as whitespace (JS `\s` differs). */
const PY_WS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000'
const PY_WS_RUN = new RegExp(`[${PY_WS}]+`, 'gu')
const PY_WS_ANY = new RegExp(`[${PY_WS}]`, 'gu')
/** Python's `string.punctuation` (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~): ASCII only, so "’" or "–" survive, as upstream. */
/** `re.sub(r'\b(a|an|the)\b', ' ', text)` with Python 3's unicode word characters (JS `\b` is ASCII-only). */
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu

const ASCII_ONLY = /^[\x00-\x7f]*$/
const ASCII_ARTICLES = /\b(?:a|an|the)\b/g
const ASCII_WS_RUN = /[\t\n\v\f\r\x1c-\x1f ]+/

/** Split on runs of Python whitespace, dropping empty ends (Python `str.split()` with no argument). */
export function pySplit(text: string): string[] {
  return text.split(PY_WS_RUN).filter((t) => t.length > 0)
}

const ASCII_PUNCTUATION_RE = /[!-/:-@[-`{-~]/g

function removeAsciiPunctuation(text: string): string {
  return text.replace(ASCII_PUNCTUATION_RE, '')
}

/**
 * SQuAD v1.1 `normalize_answer` (shared verbatim by HotpotQA, FlashRAG and Search-R1):
 * lowercase → remove ASCII punctuation → remove articles a/an/the → collapse whitespace.
 */
export function normalizeAnswer(text: string): string {
  const lower = text.toLowerCase()
  const noPunct = removeAsciiPunctuation(lower)
  // ASCII text (the common case) can use JS's ASCII \b and whitespace classes, which agree with Python's there.
  if (ASCII_ONLY.test(noPunct)) return noPunct.replace(ASCII_ARTICLES, ' ').split(ASCII_WS_RUN).filter((t) => t.length > 0).join(' ')
  const noArticles = noPunct.replace(ARTICLES, ' ')
  return pySplit(noArticles).join(' ')
}

/** SQuAD EM for one gold: normalised strings equal. */
export function exactMatch(prediction: string, gold: string): number {
  return normalizeAnswer(prediction) === normalizeAnswer(gold) ? 1 : 0
}

/**
 * Character similarity for one gold: 1 − Levenshtein distance / the longer length, over SQuAD-normalised strings
 * (1 exactly when EM is 1; both empty → 1). Not an official metric: partial credit for a near copy ("179926" for
 * 179926 in a reward, where token F1 gives a one-word miss 0).
 */
export function charSimilarity(prediction: string, gold: string): number {
  const p = normalizeAnswer(prediction)
  const g = normalizeAnswer(gold)
  const longer = Math.max(p.length, g.length)
  return longer === 0 ? 1 : 1 - levenshtein(p, g) / longer
}

export interface F1Parts {
  f1: number
  precision: number
  recall: number
}

const HOTPOT_SPECIAL = new Set(['yes', 'no', 'noanswer'])

/**
 * HotpotQA `f1_score`: SQuAD token F1 over normalised tokens (multiset overlap), except that when either side
 * normalises to yes / no / noanswer, anything but an exact normalised match scores 0.
 */
export function tokenF1(prediction: string, gold: string): F1Parts {
  const p = normalizeAnswer(prediction)
  const g = normalizeAnswer(gold)
  const zero = {f1: 0, precision: 0, recall: 0}
  if (HOTPOT_SPECIAL.has(p) && p !== g) return zero
  if (HOTPOT_SPECIAL.has(g) && p !== g) return zero
  const pTokens = pySplit(p)
  const gTokens = pySplit(g)
  const same = multisetOverlap(pTokens, gTokens)
  if (same === 0) return zero
  const precision = same / pTokens.length
  const recall = same / gTokens.length
  return {f1: (2 * precision * recall) / (precision + recall), precision, recall}
}

/**
 * Search-R1 `subem_check` (cover-EM): the normalised gold is a substring of the normalised prediction.
 * Substring, not token containment — "art" is covered by "martin" — as in the original.
 */
export function coverExactMatch(prediction: string, gold: string): number {
  return normalizeAnswer(prediction).includes(normalizeAnswer(gold)) ? 1 : 0
}

// ---------------------------------------------------------------- GAIA question_scorer

const PY_FLOAT = /^[+-]?(?:(?:\d(?:_?\d)*)(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/
const PY_FLOAT_SPECIAL = /^[+-]?(?:inf|infinity|nan)$/i
/**
 * What float() strips: CPython maps non-ASCII str.isspace() characters to ' ' and then strips ASCII whitespace
 * (Py_ISSPACE: \t\n\v\f\r and space), so U+001C..U+001F — whitespace to str.split() and str.strip() — stay and
 * make float() fail. Checked against CPython in test/fixtures/eval/python-float.json.
 */
const PY_FLOAT_WS = PY_WS.replace('\\x1c-\\x1f', '')
const PY_FLOAT_STRIP = new RegExp(`^[${PY_FLOAT_WS}]+|[${PY_FLOAT_WS}]+$`, 'gu')

/**
 * The zero of every run of ten decimal digits float() reads (Python 3.11, Unicode 14.0). Pinned, not \p{Nd}:
 * Node's ICU knows later Unicode versions, whose new digits that Python's float() refuses.
 */
const PY_DIGIT_ZEROS = [
  0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0,
  0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10,
  0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50,
  0x11d50, 0x11da0, 0x16a60, 0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
]

/** Python's float() reads any decimal digit it knows ("٣" is 3): map them to ASCII; others are left to fail. */
function asciiDigits(text: string): string {
  if (/^[\x00-\x7f]*$/.test(text)) return text
  return text.replace(/\p{Nd}/gu, (ch) => {
    const cp = ch.codePointAt(0) as number
    const zero = PY_DIGIT_ZEROS.find((z) => cp >= z && cp < z + 10)
    return zero === undefined ? ch : String(cp - zero)
  })
}

/** Python `float(text)`: surrounding whitespace, underscores between digits, inf/nan; undefined on ValueError. */
export function pythonFloat(text: string): number | undefined {
  const s = asciiDigits(text.replace(PY_FLOAT_STRIP, ''))
  if (PY_FLOAT.test(s)) return Number(s.replace(/_/g, ''))
  if (PY_FLOAT_SPECIAL.test(s)) {
    const neg = s.startsWith('-')
    if (/nan/i.test(s)) return Number.NaN
    return neg ? -Infinity : Infinity
  }
  return undefined
}

/** GAIA `normalize_number_str`: drop $ % and commas, then float(); a non-number becomes +inf (as upstream). */
export function gaiaNormalizeNumber(text: string): number {
  const v = pythonFloat(text.replace(/[$%,]/g, ''))
  return v === undefined ? Infinity : v
}

/** GAIA `normalize_str`: remove every whitespace character, lowercase, optionally drop ASCII punctuation. */
export function gaiaNormalizeString(text: string, removePunct = true): string {
  const lower = text.replace(PY_WS_ANY, '').toLowerCase()
  return removePunct ? removeAsciiPunctuation(lower) : lower
}

/**
 * GAIA `question_scorer` (scorer.py of the GAIA leaderboard), rule for rule:
 * - gold parses as a float → the prediction, stripped of $ % and commas, compared as a float;
 * - gold contains "," or ";" → both split on [,;], same length required, element-wise in order: numeric gold
 *   elements as numbers, others as strings normalised WITHOUT punctuation removal;
 * - otherwise → strings normalised (no whitespace, lowercase, no ASCII punctuation) compared.
 * A null prediction is scored as the string "None", like upstream.
 */
export function gaiaScore(prediction: string | null, gold: string): number {
  const answer = prediction ?? 'None'
  const goldNumber = pythonFloat(gold)
  if (goldNumber !== undefined) return gaiaNormalizeNumber(answer) === goldNumber ? 1 : 0
  if (gold.includes(',') || gold.includes(';')) {
    const goldElems = gold.split(/[,;]/)
    const answerElems = answer.split(/[,;]/)
    if (goldElems.length !== answerElems.length) return 0
    for (let i = 0; i < goldElems.length; i++) {
      const g = goldElems[i] as string
      const a = answerElems[i] as string
      const gNum = pythonFloat(g)
      const ok = gNum !== undefined ? gaiaNormalizeNumber(a) === gNum : gaiaNormalizeString(a, false) === gaiaNormalizeString(g, false)
      if (!ok) return 0
    }
    return 1
  }
  return gaiaNormalizeString(answer) === gaiaNormalizeString(gold) ? 1 : 0
}

// ---------------------------------------------------------------- metric registry

/** A rule-based metric: name, version (carried by every result line) and a per-gold scorer. */
export interface AnswerMetric {
  readonly name: string
  /** Changes whenever the scores it gives could change. */
  readonly version: string
  readonly description: string
  /** Score against one gold string, in [0, 1]. */
  scoreOne(prediction: string | null, gold: string): number
}

function metric(name: string, version: string, description: string, scoreOne: (prediction: string | null, gold: string) => number): AnswerMetric {
  return Object.freeze({name, version, description, scoreOne})
}

export const METRICS: Readonly<Record<string, AnswerMetric>> = Object.freeze({
  em: metric('em', 'squad-v1.1/1', 'Exact match after SQuAD v1.1 normalisation (lowercase, no ASCII punctuation, no a/an/the, single spaces); max over gold aliases.', (p, g) => (p === null ? 0 : exactMatch(p, g))),
  f1: metric('f1', 'hotpotqa-v1/1', 'Token F1 over SQuAD-normalised tokens, yes/no/noanswer must match exactly (HotpotQA); max over gold aliases.', (p, g) => (p === null ? 0 : tokenF1(p, g).f1)),
  cover_em: metric('cover_em', 'search-r1-subem/1', 'Normalised gold is a substring of the normalised prediction (Search-R1 subem); max over gold aliases.', (p, g) => (p === null ? 0 : coverExactMatch(p, g))),
  char_sim: metric('char_sim', 'levenshtein-squad/1', 'Character similarity: 1 − Levenshtein distance / longer length of the SQuAD-normalised strings (ars\'s own, partial credit for a near copy; 1 iff EM); max over gold aliases.', (p, g) => (p === null ? 0 : charSimilarity(p, g))),
  gaia: metric('gaia', 'gaia-scorer-2023/1', 'GAIA question_scorer: numbers as floats ($ % , stripped), comma/semicolon lists element-wise in order, strings without whitespace/punctuation, lowercase; max over gold aliases.', (p, g) => gaiaScore(p, g)),
})

export type MetricName = keyof typeof METRICS | 'judge'
export const RULE_METRIC_NAMES = Object.keys(METRICS)

export function getMetric(name: string): AnswerMetric {
  const m = METRICS[name]
  if (!m) throw new RangeError(`Expected a metric name (${RULE_METRIC_NAMES.join(', ')}), got ${JSON.stringify(name)}`)
  return m
}

/**
 * Score a prediction against every gold alias and keep the best (the SQuAD `metric_max_over_ground_truths`).
 * No gold → null: a row without answers is not scorable, never a silent 0.
 */
export function scoreAnswer(metricOrName: AnswerMetric | string, prediction: string | null, golds: readonly string[]): number | null {
  const m = typeof metricOrName === 'string' ? getMetric(metricOrName) : metricOrName
  if (golds.length === 0) return null
  let best = 0
  for (const g of golds) {
    const s = m.scoreOne(prediction, g)
    if (s > best) best = s
    if (best === 1) break
  }
  return best
}

/** `{name: version}` for the metrics used, as carried by EvalResult.metrics. */
export function metricVersions(names: readonly string[], judgeVersion?: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const n of names) out[n] = n === 'judge' ? (judgeVersion ?? 'judge') : getMetric(n).version
  return out
}

/** Score a prediction under several rule metrics at once. */
export function scoreAll(names: readonly string[], prediction: string | null, golds: readonly string[]): Record<string, number | null> {
  const out: Record<string, number | null> = {}
  for (const n of names) out[n] = scoreAnswer(n, prediction, golds)
  return out
}
