// Seeded pseudo-random numbers: every random choice in ars takes one of these so runs replay exactly.
// xoshiro128** seeded through splitmix32; `fork(label)` derives independent streams by name.

/** murmur3's 32-bit finaliser: spreads every input bit over the output (uint32 in, uint32 out). The one copy:
 *  the world's stateless hashing (src/world/hash.ts) and the filter's string hashes (src/filter/text.ts) use it. */
export function fmix32(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) | 0
  return [state, fmix32(state)]
}

/** FNV-1a 32-bit hash of a string, for deriving seeds from labels. */
export function hashString(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

export class Rng {
  #s0: number
  #s1: number
  #s2: number
  #s3: number
  readonly seed: number

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new TypeError(`Expected a finite seed, got ${seed}`)
    this.seed = seed
    let state = (Math.floor(seed) ^ Math.floor(seed / 2 ** 32)) | 0
    let out: number
    ;[state, out] = splitmix32(state)
    this.#s0 = out
    ;[state, out] = splitmix32(state)
    this.#s1 = out
    ;[state, out] = splitmix32(state)
    this.#s2 = out
    ;[, out] = splitmix32(state)
    this.#s3 = out
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.#s1, 5), 7), 9) >>> 0
    const t = this.#s1 << 9
    this.#s2 ^= this.#s0
    this.#s3 ^= this.#s1
    this.#s1 ^= this.#s2
    this.#s0 ^= this.#s3
    this.#s2 ^= t
    this.#s3 = rotl(this.#s3, 11)
    return result
  }

  /** Uniform float in [0, 1) with 53 bits of precision. */
  next(): number {
    const hi = this.nextU32() >>> 5
    const lo = this.nextU32() >>> 6
    return (hi * 67108864 + lo) / 9007199254740992
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n > 0) || !Number.isInteger(n)) throw new RangeError(`Expected a positive integer, got ${n}`)
    return Math.floor(this.next() * n)
  }

  /** Uniform integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1)
  }

  bool(p = 0.5): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Expected a non-empty array to pick from')
    return items[this.int(items.length)] as T
  }

  /** Index drawn with probability proportional to weights. */
  weighted(weights: readonly number[]): number {
    let total = 0
    for (const w of weights) total += w
    let r = this.next() * total
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i] as number
      if (r < 0) return i
    }
    return weights.length - 1
  }

  /** Fisher–Yates shuffle in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1)
      const tmp = items[i] as T
      items[i] = items[j] as T
      items[j] = tmp
    }
    return items
  }

  /** k distinct items, order random. */
  sample<T>(items: readonly T[], k: number): T[] {
    return this.shuffle([...items]).slice(0, Math.min(k, items.length))
  }

  /** Standard normal via Box–Muller. */
  normal(): number {
    const u = 1 - this.next()
    const v = this.next()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }

  /** The generator's position (four 32-bit words), for checkpoints: `restore(state)` continues from it. */
  get state(): [number, number, number, number] {
    return [this.#s0 >>> 0, this.#s1 >>> 0, this.#s2 >>> 0, this.#s3 >>> 0]
  }

  /** Continue from a position saved with `state` (the seed label is kept for `fork`). */
  restore(state: readonly number[]): this {
    if (state.length !== 4 || !state.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32) || state.every((w) => w === 0)) {
      throw new RangeError(`Expected four 32-bit words, not all zero, got [${state.join(', ')}]`)
    }
    ;[this.#s0, this.#s1, this.#s2, this.#s3] = state.map((w) => w | 0) as [number, number, number, number]
    return this
  }

  /** An independent stream derived from this seed and a label (does not advance this stream). */
  fork(label: string | number): Rng {
    return new Rng((hashString(`${this.seed}/${label}`) ^ Math.imul(this.seed | 0, 0x27d4eb2d)) >>> 0)
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}
