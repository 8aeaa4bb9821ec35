// Text → index terms. Two analyzers mirroring Lucene 8's: `english` (EnglishAnalyzer: standard tokenizer,
// possessive 's removal, lowercase, 33 English stop words, Porter stemming — Pyserini's default for BM25) and
// `standard` (StandardAnalyzer: tokenizer + lowercase only). The tokenizer follows UAX#29 word breaks as Lucene 8 does.
import {porterStem} from './porter-stemmer.js'

/** Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET. */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'is', 'it', 'no', 'not', 'of',
  'on', 'or', 'such', 'that', 'the', 'their', 'then', 'there', 'these', 'they', 'this', 'to', 'was', 'will', 'with',
])

/** Lucene's StandardTokenizer splits longer tokens at this length. */
export const MAX_TOKEN_LENGTH = 255

export type AnalyzerName = 'english' | 'standard'
export const ANALYZER_NAMES: readonly AnalyzerName[] = ['english', 'standard']

export class Analyzer {
  readonly name: AnalyzerName
  readonly #stem: boolean
  readonly #stopWords: ReadonlySet<string>
  /** raw lowercase token → term ('' for a stop word); bounded so a huge vocabulary cannot grow it forever. */
  #cache = new Map<string, string>()

  constructor(name: AnalyzerName) {
    this.name = name
    this.#stem = name === 'english'
    this.#stopWords = name === 'english' ? ENGLISH_STOP_WORDS : new Set()
  }

  /** Index terms of `text`, in order, stop words removed. */
  terms(text: string): string[] {
    const out: string[] = []
    forEachToken(text, (raw) => {
      const term = this.term(raw)
      if (term) out.push(term)
    })
    return out
  }

  /** The term for one lowercase token from `forEachToken`; '' when it is a stop word. */
  term(raw: string): string {
    let term = this.#cache.get(raw)
    if (term !== undefined) return term
    term = this.#analyze(raw)
    if (this.#cache.size >= 1_000_000) this.#cache = new Map()
    this.#cache.set(raw, term)
    return term
  }

  #analyze(raw: string): string {
    let token = raw
    if (this.#stem) {
      // EnglishPossessiveFilter runs before lowercasing in Lucene; it accepts 's and 'S alike, so order is moot.
      const n = token.length
      if (n >= 2 && (token.charCodeAt(n - 1) === 115) && (token.charCodeAt(n - 2) === 39 || token.charCodeAt(n - 2) === 0x2019)) token = token.slice(0, n - 2)
    }
    if (token.length === 0 || this.#stopWords.has(token)) return ''
    return this.#stem ? porterStem(token) : token
  }
}

const analyzers = new Map<AnalyzerName, Analyzer>()

export function analyzerByName(name: string): Analyzer {
  if (!(ANALYZER_NAMES as readonly string[]).includes(name)) throw new RangeError(`Expected analyzer ${ANALYZER_NAMES.join(' or ')}, got ${JSON.stringify(name)}`)
  let analyzer = analyzers.get(name as AnalyzerName)
  if (!analyzer) analyzers.set(name as AnalyzerName, (analyzer = new Analyzer(name as AnalyzerName)))
  return analyzer
}

// Character classes for the tokenizer: Unicode word-break properties (UAX#29) as Lucene 8's StandardTokenizer
// knows them, checked against it on every BMP character (test/fixtures/search/lucene-tokens.jsonl).
const OTHER = 0
/** ALetter, Hebrew_Letter: letters, Roman numerals, circled letters. */
const WORD = 1
/** Numeric: decimal digits of any script (not ², ₂, ½ or ①: those are Other, so "km²" is the token "km"). */
const DIGIT = 2
/** Ideographs, hiragana and emoji: each is a token of its own. */
const SINGLE = 4
/** ExtendNumLet ('_', '‿', …): sticks to whatever word it touches, at either end, but is no token alone. */
const EXTEND = 8
/** Extend and Format (combining marks, the soft hyphen, ZWJ, bidi marks): part of the token before them (WB4), never one alone. */
const MARK = 16
/** Katakana: runs of it are one token, apart from letters. */
const KATAKANA = 32
/** Thai, Lao, Myanmar, Khmer, …: Lucene keeps each run of these scripts as one token. */
const SOUTHEAST_ASIAN = 64
/** A mark of those scripts: part of their run, attached like any mark after other letters, a token when alone. */
const SOUTHEAST_ASIAN_MARK = 128

// Characters between two letters (MidLetter), two digits (MidNum), or either (MidNumLet and the apostrophe).
const MID_LETTER = 1
const MID_NUM = 2
const MID_NUM_LET = 3
const MIDDLES = new Map<number, number>([
  [0x3a, MID_LETTER], [0xb7, MID_LETTER], [0x2d7, MID_LETTER], [0x387, MID_LETTER], [0x5f4, MID_LETTER], [0x2027, MID_LETTER], [0xfe13, MID_LETTER], [0xfe55, MID_LETTER], [0xff1a, MID_LETTER],
  [0x2c, MID_NUM], [0x3b, MID_NUM], [0x37e, MID_NUM], [0x589, MID_NUM], [0x60c, MID_NUM], [0x60d, MID_NUM], [0x66c, MID_NUM], [0x7f8, MID_NUM], [0x2044, MID_NUM], [0xfe10, MID_NUM], [0xfe14, MID_NUM], [0xfe50, MID_NUM], [0xfe54, MID_NUM], [0xff0c, MID_NUM], [0xff1b, MID_NUM],
  [0x27, MID_NUM_LET], [0x2e, MID_NUM_LET], [0x2018, MID_NUM_LET], [0x2019, MID_NUM_LET], [0x2024, MID_NUM_LET], [0xfe52, MID_NUM_LET], [0xff07, MID_NUM_LET], [0xff0e, MID_NUM_LET],
])
const EXTEND_NUM_LET = new Set([0x5f, 0x202f, 0x203f, 0x2040, 0x2054, 0xfe33, 0xfe34, 0xfe4d, 0xfe4e, 0xfe4f, 0xff3f])

const MARK_RE = /^[\p{M}\p{Cf}]$/u
const DIGIT_RE = /^\p{Nd}$/u
const KATAKANA_RE = /^[\p{Script=Katakana}\u3031-\u3035\u309b\u309c\u30a0\u30fc\uff70]$/u
const SINGLE_RE = /^[\p{Ideographic}\p{Script=Hiragana}]$/u
const SOUTHEAST_ASIAN_RE = /^[\p{Script=Thai}\p{Script=Lao}\p{Script=Myanmar}\p{Script=Khmer}\p{Script=Tai_Le}\p{Script=New_Tai_Lue}\p{Script=Tai_Tham}\p{Script=Tai_Viet}\p{Script=Ahom}]$/u
const WORD_RE = /^[\p{Alphabetic}\p{Nl}]$/u
/** Emoji and pictographs (©, ✔, ★) are tokens of their own in Lucene 8's StandardTokenizer. */
const EMOJI_RE = /^[\p{Extended_Pictographic}\p{Emoji_Presentation}]$/u

/**
 * Pictographs below U+2C00 that Lucene 8's StandardTokenizer makes tokens (its Unicode emoji data, older than
 * Node's): found by running bench/lucene/LuceneTokens.java on every character of U+2000..U+2BFF.
 */
const PICTOGRAPHS_BELOW_2C00 = [
  0x203c, 0x203c, 0x2049, 0x2049, 0x2122, 0x2122, 0x2194, 0x2199, 0x21a9, 0x21aa, 0x231a, 0x231b, 0x2328, 0x2328, 0x2388, 0x2388,
  0x23cf, 0x23cf, 0x23e9, 0x23f3, 0x23f8, 0x23fa, 0x25aa, 0x25ab, 0x25b6, 0x25b6, 0x25c0, 0x25c0, 0x25fb, 0x25fe, 0x2600, 0x2605,
  0x2607, 0x2612, 0x2614, 0x2685, 0x2690, 0x2705, 0x2708, 0x2712, 0x2714, 0x2714, 0x2716, 0x2716, 0x271d, 0x271d, 0x2721, 0x2721,
  0x2728, 0x2728, 0x2733, 0x2734, 0x2744, 0x2744, 0x2747, 0x2747, 0x274c, 0x274c, 0x274e, 0x274e, 0x2753, 0x2755, 0x2757, 0x2757,
  0x2763, 0x2767, 0x2795, 0x2797, 0x27a1, 0x27a1, 0x27b0, 0x27b0, 0x27bf, 0x27bf, 0x2934, 0x2935, 0x2b05, 0x2b07, 0x2b1b, 0x2b1c,
  0x2b50, 0x2b50, 0x2b55, 0x2b55,
]
/** The same from U+1F000 (Unicode 11's Extended_Pictographic ranges, reserved code points included). */
const PICTOGRAPHS_FROM_1F000 = [
  0x1f000, 0x1f0ff, 0x1f10d, 0x1f10f, 0x1f12f, 0x1f12f, 0x1f16c, 0x1f16f, 0x1f18e, 0x1f18e, 0x1f191, 0x1f19a, 0x1f1ad, 0x1f1e5,
  0x1f200, 0x1f20f, 0x1f21a, 0x1f21a, 0x1f22f, 0x1f22f, 0x1f232, 0x1f23a, 0x1f23c, 0x1f23f, 0x1f249, 0x1f53d, 0x1f546, 0x1f64f,
  0x1f680, 0x1f6ff, 0x1f774, 0x1f77f, 0x1f7d5, 0x1f7ff, 0x1f80c, 0x1f80f, 0x1f848, 0x1f84f, 0x1f85a, 0x1f85f, 0x1f888, 0x1f88f,
  0x1f8ae, 0x1f8ff, 0x1f90c, 0x1f93a, 0x1f93c, 0x1f945, 0x1f947, 0x1fffd,
]
/** Symbols and punctuation of the Line_Break=SA scripts that join their runs (Myanmar, New Tai Lue, Tai Tham, Tai Viet). */
const SOUTHEAST_ASIAN_SYMBOLS = [0x109e, 0x109f, 0x19da, 0x19da, 0x19de, 0x19df, 0x1aa0, 0x1aa6, 0x1aa8, 0x1aad, 0xaa77, 0xaa79, 0xaade, 0xaadf]

/** Is `cp` in one of the inclusive [low, high] pairs? */
function inRanges(cp: number, pairs: readonly number[]): boolean {
  for (let k = 0; k < pairs.length; k += 2) if (cp >= (pairs[k] as number) && cp <= (pairs[k + 1] as number)) return true
  return false
}

function classify(cp: number): number {
  if (cp === 0x200b || cp === 0x3006) return OTHER
  if (cp === 0x5f3) return WORD // Hebrew geresh: ALetter
  if (cp === 0x66b) return DIGIT // Arabic decimal separator: Numeric
  if (cp === 0xff9e || cp === 0xff9f) return MARK // halfwidth (semi-)voiced sound marks: Extend
  if (cp >= 0x1f000 && cp <= 0x1fffd && !/\p{Alphabetic}/u.test(String.fromCodePoint(cp))) return inRanges(cp, PICTOGRAPHS_FROM_1F000) ? SINGLE : OTHER
  const char = String.fromCodePoint(cp)
  if (cp >= 0x2e80 && cp <= 0x2fdf && /\p{So}/u.test(char)) return SINGLE // CJK and Kangxi radicals
  if (inRanges(cp, SOUTHEAST_ASIAN_SYMBOLS)) return SOUTHEAST_ASIAN
  if (EXTEND_NUM_LET.has(cp)) return EXTEND
  // Line_Break=SA: letters and their marks alike, so a Thai vowel sign is part of the run (or a token alone).
  if (SOUTHEAST_ASIAN_RE.test(char) && !DIGIT_RE.test(char)) return /\p{M}/u.test(char) ? SOUTHEAST_ASIAN_MARK : /\p{L}/u.test(char) ? SOUTHEAST_ASIAN : OTHER
  if (MARK_RE.test(char)) return MARK
  // Symbols below U+2C00 are tokens exactly when Lucene 8's emoji data says so (★ and ☂ are, ☆ and ♯ are not).
  if (cp >= 0x2000 && cp < 0x2c00 && !/[\p{L}\p{N}\p{Alphabetic}]/u.test(char)) return inRanges(cp, PICTOGRAPHS_BELOW_2C00) ? SINGLE : OTHER
  if (DIGIT_RE.test(char)) return DIGIT
  if (KATAKANA_RE.test(char)) return KATAKANA
  if (SINGLE_RE.test(char)) return SINGLE
  if (WORD_RE.test(char)) return WORD
  return EMOJI_RE.test(char) ? SINGLE : OTHER
}

/** Classes of the BMP, filled on first use (255 = not yet known); astral code points are classified each time. */
const BMP_CLASS = new Uint8Array(0x10000).fill(255)
for (let c = 0; c < 128; c++) BMP_CLASS[c] = c === 0x5f ? EXTEND : c >= 48 && c <= 57 ? DIGIT : (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? WORD : OTHER

function classOf(text: string, i: number): number {
  const c = text.charCodeAt(i)
  const known = BMP_CLASS[c] as number
  if (known !== 255) return known
  if (c >= 0xd800 && c <= 0xdbff) {
    const cp = text.codePointAt(i) as number
    return cp > 0xffff ? classify(cp) : OTHER
  }
  if (c >= 0xdc00 && c <= 0xdfff) return OTHER // a stray second half; pairs are stepped over whole
  return (BMP_CLASS[c] = classify(c))
}

function widthAt(text: string, i: number): number {
  const c = text.charCodeAt(i)
  return c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1
}

/** Does the character at `i` join `prev` to `next` (WB6/7, WB11/12)? */
function joins(c: number, prev: number, next: number): boolean {
  const kind = MIDDLES.get(c)
  if (kind === undefined) return false
  if (prev === WORD && next === WORD) return kind !== MID_NUM
  if (prev === DIGIT && next === DIGIT) return kind !== MID_LETTER
  return false
}

/** May a character of class `next` continue a token whose last character is of class `last` (WB5–13b)? */
function continues(last: number, next: number): boolean {
  if (next === EXTEND) return last === WORD || last === DIGIT || last === KATAKANA || last === EXTEND
  if (next === WORD || next === DIGIT) return last === WORD || last === DIGIT || last === EXTEND
  if (next === KATAKANA) return last === KATAKANA || last === EXTEND
  if (next === SOUTHEAST_ASIAN) return last === SOUTHEAST_ASIAN
  return false
}

const isHebrewLetter = (c: number): boolean => c >= 0x5d0 && c <= 0x5f2 && c !== 0x5eb && !(c >= 0x5eb && c <= 0x5ef)

/** WB7b/c: a double quote between two Hebrew letters (צה"ל) is inside the word. */
function hebrewQuote(text: string, i: number): boolean {
  return text.charCodeAt(i) === 0x22 && isHebrewLetter(text.charCodeAt(i - 1)) && isHebrewLetter(text.charCodeAt(i + 1))
}

const isRegionalIndicator = (cp: number | undefined): boolean => cp !== undefined && cp >= 0x1f1e6 && cp <= 0x1f1ff

function isRegionalIndicatorPair(text: string, i: number): boolean {
  return isRegionalIndicator(text.codePointAt(i)) && isRegionalIndicator(text.codePointAt(i + 2))
}

/**
 * Java's per-character lowercase, as Lucene's LowerCaseFilter: JS's full mapping turns "İ" into "i̇" and a final
 * "Σ" into "ς"; Java gives "i" and "σ".
 */
function lowercase(text: string): string {
  const lower = text.toLowerCase()
  if (lower.length === text.length && !lower.includes('ς')) return lower
  return text.replace(/[\u0130\u03a3]/g, (c) => (c === '\u0130' ? 'I' : '\u03c3')).toLowerCase().replace(/ς/g, (c, at: number) => (text[at] === 'ς' ? c : 'σ'))
}

/**
 * Calls `emit` with each lowercase token of `text`, with Lucene 8 StandardTokenizer's word boundaries (UAX#29):
 * letters and digits join ("a1", "3.14", "don't", "u.s.a", "l·l"), katakana runs and Thai/Khmer/… runs are
 * tokens apart from letters, ideographs and emoji are single tokens, marks and format characters (the soft
 * hyphen) stay inside the token they follow, superscripts/subscripts/fractions break words and are no tokens;
 * tokens longer than 255 UTF-16 units are split, like Lucene's.
 */
export function forEachToken(text: string, emit: (token: string) => void): void {
  const lower = lowercase(text)
  const n = lower.length
  let i = 0
  while (i < n) {
    let cls = classOf(lower, i)
    if (cls === OTHER && isRegionalIndicatorPair(lower, i)) {
      // A flag: two regional indicators are one token (one alone is none).
      emit(lower.slice(i, i + 4))
      i += 4
      continue
    }
    if (cls === OTHER || cls === MARK) {
      i += widthAt(lower, i)
      continue
    }
    if (cls === SINGLE) {
      const start = i
      i += widthAt(lower, i)
      // An ideograph or emoji keeps its marks (variation selectors), skin-tone modifiers and ZWJ-joined parts.
      for (;;) {
        const c = lower.codePointAt(i) ?? 0
        if (i < n && (classOf(lower, i) === MARK || (c >= 0x1f3fb && c <= 0x1f3ff))) {
          if (c === 0x200d && i + 1 < n && classOf(lower, i + 1) === SINGLE) i += 1 + widthAt(lower, i + 1)
          else i += widthAt(lower, i)
        } else break
      }
      emit(lower.slice(start, i))
      continue
    }
    const start = i
    if (cls === SOUTHEAST_ASIAN_MARK) cls = SOUTHEAST_ASIAN
    let last = cls
    let wordy = cls !== EXTEND
    i += widthAt(lower, i)
    while (i < n) {
      cls = classOf(lower, i)
      if (cls === SOUTHEAST_ASIAN_MARK) cls = last === SOUTHEAST_ASIAN ? SOUTHEAST_ASIAN : MARK
      if (cls === MARK) {
        i += widthAt(lower, i)
        continue
      }
      if (continues(last, cls)) {
        last = cls
        if (cls !== EXTEND) wordy = true
        i += widthAt(lower, i)
        continue
      }
      if (cls === OTHER && i + 1 < n) {
        const next = classOf(lower, i + 1)
        if (joins(lower.charCodeAt(i), last, next) || hebrewQuote(lower, i)) {
          i += 1 + widthAt(lower, i + 1)
          last = next
          continue
        }
      }
      // WB7a: a Hebrew letter keeps an apostrophe after it (ג' as an abbreviation).
      if (lower.charCodeAt(i) === 0x27 && isHebrewLetter(lower.charCodeAt(i - 1))) {
        i++
        continue
      }
      break
    }
    if (!wordy) continue
    for (let s = start; s < i; s += MAX_TOKEN_LENGTH) emit(lower.slice(s, Math.min(i, s + MAX_TOKEN_LENGTH)))
  }
}
