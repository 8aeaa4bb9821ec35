// N-gram decontamination against evaluation sets, as in GPT-3 (13-gram overlap) and LLaMA: an item is
// contaminated when enough of its word n-grams (normalised text) also occur in an eval question. Texts
// shorter than n count as one n-gram of their full length, so short questions still match exactly.
import {readJsonl} from '../core/index.js'
import {DataError} from '../core/index.js'
import {toQuestion} from '../core/index.js'
import {hash32, words} from './text.js'

export interface NgramIndexOptions {
  /** Words per n-gram. Default 13 (GPT-3). */
  n?: number
  /** An item is contaminated when the fraction of its n-grams found exceeds this; 0 = any shared n-gram. Default 0. */
  overlapThreshold?: number
}

export interface ContaminationMatch {
  matched: number
  total: number
  overlap: number
  /** One shared n-gram, for the reject reason. */
  example: string
  /** Eval file:line where the example n-gram first appeared. */
  where: string
}

export class NgramIndex {
  readonly n: number
  readonly overlapThreshold: number
  readonly #grams = new Map<number, number>()
  readonly #wheres: string[] = []
  evalTexts = 0

  constructor(options: NgramIndexOptions = {}) {
    this.n = options.n ?? 13
    this.overlapThreshold = options.overlapThreshold ?? 0
    if (!Number.isInteger(this.n) || this.n < 1) throw new RangeError(`Expected an n-gram size ≥ 1, got ${this.n}`)
    if (!(this.overlapThreshold >= 0 && this.overlapThreshold < 1)) throw new RangeError(`Expected an overlap threshold in [0, 1), got ${this.overlapThreshold}`)
  }

  get size(): number {
    return this.#grams.size
  }

  /** Index one eval text; `where` (file:line) is reported when an item matches it. */
  addEvalText(text: string, where: string): void {
    const list = words(text)
    if (list.length === 0) return
    this.evalTexts++
    let whereIndex = -1
    for (const key of gramKeys(list, this.n)) {
      if (this.#grams.has(key)) continue
      if (whereIndex === -1) {
        whereIndex = this.#wheres.length
        this.#wheres.push(where)
      }
      this.#grams.set(key, whereIndex)
    }
  }

  check(text: string): ContaminationMatch | undefined {
    const list = words(text)
    if (list.length === 0) return undefined
    const keys = gramKeys(list, this.n)
    let matched = 0
    let first = -1
    for (let i = 0; i < keys.length; i++) {
      if (this.#grams.has(keys[i] as number)) {
        matched++
        if (first === -1) first = i
      }
    }
    const overlap = matched / keys.length
    if (matched === 0 || overlap <= this.overlapThreshold) return undefined
    const k = Math.min(this.n, list.length)
    return {matched, total: keys.length, overlap, example: list.slice(first, first + k).join(' '), where: this.#wheres[this.#grams.get(keys[first] as number) as number] as string}
  }
}

function gramKeys(list: readonly string[], n: number): number[] {
  const k = Math.min(n, list.length)
  const keys: number[] = []
  for (let s = 0; s + k <= list.length; s++) {
    const gram = list.slice(s, s + k).join(' ')
    // 53-bit key; the length is folded in so a short full-text gram never equals a window of a longer text
    // by accident of hashing alone.
    keys.push((hash32(gram, 0x7f4a7c15 + k) & 0x1fffff) * 4294967296 + hash32(gram, 0x165667b1))
  }
  return keys
}

/** The question text of an eval row: ars Question/SynthItem, FlashRAG, verl, GAIA or plain QA. */
export function evalQuestionText(value: unknown, where: string): string {
  if (value !== null && typeof value === 'object' && (value as {type?: unknown}).type === 'synth_item') {
    const q = (value as {question?: unknown}).question
    if (typeof q === 'string') return q
  }
  return toQuestion(value, 'auto', where).question
}

/** Load eval sets into an index; every bad line is an error naming file:line. */
export async function loadEvalSets(paths: readonly string[], options: NgramIndexOptions = {}): Promise<NgramIndex> {
  const index = new NgramIndex(options)
  for (const path of paths) {
    let count = 0
    for await (const {source, line, value} of readJsonl([path])) {
      const where = `${source}:${line}`
      let text: string
      try {
        text = evalQuestionText(value, where)
      } catch (error) {
        if (error instanceof DataError) throw new DataError(`${error.message.replace(`${where}: `, '')} (in an eval set given to --decontaminate)`, {where, code: 'eval-set', fix: 'Eval sets may be Question, SynthItem, FlashRAG, verl, GAIA or {question, answer} rows.'})
        throw error
      }
      index.addEvalText(text, where)
      count++
    }
    if (count === 0) throw new DataError('eval set has no questions', {where: path, code: 'eval-set-empty', fix: 'Pass a JSONL file with at least one question to --decontaminate.'})
  }
  return index
}
