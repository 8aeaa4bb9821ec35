// MinHash signatures over word shingles and the LSH banding parameters for a Jaccard threshold
// (Broder 1997; banding as in Leskovec/Rajaraman/Ullman, Mining of Massive Datasets ch. 3, parameters chosen
// like datasketch's MinHashLSH: minimise the weighted false-positive + false-negative probability mass).
import {Rng} from '../core/index.js'
import {combineHashes, hash32} from './text.js'

export interface MinHasherOptions {
  /** Number of hash functions (signature length). Default 128. */
  numPerm?: number
  /** Words per shingle. Default 2: questions are short (≈10 words), so 3-word shingles make one changed
   *  word cost too much of the set. Texts shorter than this use the whole text as one shingle. */
  shingle?: number
  seed?: number
}

export class MinHasher {
  readonly numPerm: number
  readonly shingle: number
  readonly #mul: Uint32Array
  readonly #xor: Uint32Array
  #wordHashes = new Uint32Array(64)

  constructor(options: MinHasherOptions = {}) {
    this.numPerm = options.numPerm ?? 128
    this.shingle = options.shingle ?? 2
    if (!Number.isInteger(this.numPerm) || this.numPerm < 4 || this.numPerm > 1024) throw new RangeError(`Expected numPerm in 4..1024, got ${this.numPerm}`)
    if (!Number.isInteger(this.shingle) || this.shingle < 1 || this.shingle > 16) throw new RangeError(`Expected shingle in 1..16, got ${this.shingle}`)
    const rng = new Rng(options.seed ?? 1)
    this.#mul = new Uint32Array(this.numPerm)
    this.#xor = new Uint32Array(this.numPerm)
    for (let i = 0; i < this.numPerm; i++) {
      this.#mul[i] = rng.nextU32() | 1
      this.#xor[i] = rng.nextU32()
    }
  }

  /** Distinct shingle hashes of a list of normalised words, sorted ascending (the set Jaccard is defined on). */
  shingleHashes(wordList: readonly string[]): Uint32Array {
    const n = wordList.length
    if (this.#wordHashes.length < n) this.#wordHashes = new Uint32Array(n * 2)
    const wh = this.#wordHashes
    for (let i = 0; i < n; i++) wh[i] = hash32(wordList[i] as string)
    const k = Math.min(this.shingle, Math.max(n, 1))
    const count = Math.max(n - k + 1, 1)
    const out = new Uint32Array(count)
    for (let s = 0; s < count; s++) out[s] = combineHashes(wh, s, Math.min(s + k, n), 0x3c6ef372)
    out.sort()
    let unique = 0
    for (let i = 0; i < count; i++) if (i === 0 || out[i] !== out[i - 1]) out[unique++] = out[i] as number
    return out.subarray(0, unique)
  }

  /** MinHash signature of a set of shingle hashes, written into `out` (length numPerm). */
  signatureOf(shingles: Uint32Array, out: Uint32Array = new Uint32Array(this.numPerm)): Uint32Array {
    out.fill(0xffffffff)
    const mul = this.#mul
    const xor = this.#xor
    const p = this.numPerm
    for (let s = 0; s < shingles.length; s++) {
      const x = shingles[s] as number
      for (let i = 0; i < p; i++) {
        // One cheap mixing round per permutation: xor-multiply-xorshift is enough to decorrelate the minima.
        let v = Math.imul(x ^ (xor[i] as number), mul[i] as number)
        v = (v ^ (v >>> 15)) >>> 0
        if (v < (out[i] as number)) out[i] = v
      }
    }
    return out
  }

  /** Signature of a list of normalised words. */
  signature(wordList: readonly string[], out?: Uint32Array): Uint32Array {
    return this.signatureOf(this.shingleHashes(wordList), out)
  }
}

/** Exact Jaccard similarity of two sorted sets of distinct uint32 values. */
export function sortedJaccard(a: Uint32Array, aStart: number, aEnd: number, b: Uint32Array, bStart: number, bEnd: number): number {
  let i = aStart
  let j = bStart
  let inter = 0
  while (i < aEnd && j < bEnd) {
    const x = a[i] as number
    const y = b[j] as number
    if (x === y) {
      inter++
      i++
      j++
    } else if (x < y) i++
    else j++
  }
  const union = aEnd - aStart + (bEnd - bStart) - inter
  return union === 0 ? 1 : inter / union
}

/** Fraction of equal positions: the MinHash estimate of Jaccard similarity. */
export function estimateJaccard(a: Uint32Array, aOffset: number, b: Uint32Array, bOffset: number, length: number): number {
  let same = 0
  for (let i = 0; i < length; i++) if (a[aOffset + i] === b[bOffset + i]) same++
  return same / length
}

function integrate(f: (x: number) => number, a: number, b: number): number {
  const steps = 100
  const h = (b - a) / steps
  let area = 0
  for (let i = 0; i < steps; i++) area += f(a + (i + 0.5) * h) * h
  return area
}

/**
 * Bands × rows ≤ numPerm minimising w·P(false positive below t) + (1−w)·P(false negative above t).
 * w = 0.5 is datasketch's default; with exact verification of candidates a lower w trades CPU for recall.
 */
export function lshParameters(threshold: number, numPerm: number, falsePositiveWeight = 0.5): {bands: number; rows: number} {
  if (!(threshold > 0 && threshold < 1)) throw new RangeError(`Expected a threshold in (0, 1), got ${threshold}`)
  let best = {bands: 1, rows: numPerm, error: Infinity}
  for (let bands = 1; bands <= numPerm; bands++) {
    const maxRows = Math.floor(numPerm / bands)
    for (let rows = 1; rows <= maxRows; rows++) {
      const fp = integrate((s) => 1 - (1 - s ** rows) ** bands, 0, threshold)
      const fn = integrate((s) => 1 - (1 - (1 - s ** rows) ** bands), threshold, 1)
      const error = falsePositiveWeight * fp + (1 - falsePositiveWeight) * fn
      if (error < best.error) best = {bands, rows, error}
    }
  }
  return {bands: best.bands, rows: best.rows}
}
