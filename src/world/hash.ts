// Stateless seeded hashing: every entity attribute and relation in the world is a pure function of
// (seed, entity index, salt), so any entity can be regenerated on demand and a world streams out in order.

import {fmix32} from '../core/index.js'

/** A 32-bit hash of (seed, index, salt). */
export function mix(seed: number, index: number, salt: number): number {
  let h = fmix32((seed ^ 0x9e3779b9) >>> 0)
  h = fmix32((h ^ Math.imul(index + 1, 0x27d4eb2d)) >>> 0)
  h = fmix32((h ^ Math.imul(salt + 0x165667b1, 0x61c88647)) >>> 0)
  return h
}

/** Uniform float in [0, 1) from (seed, index, salt). */
export function unit(seed: number, index: number, salt: number): number {
  return mix(seed, index, salt) / 4294967296
}

/** Uniform integer in [0, n). */
export function below(seed: number, index: number, salt: number, n: number): number {
  return Math.floor(unit(seed, index, salt) * n)
}

/** Integer in [0, n) skewed toward 0 (a few popular targets, a long tail), like real link graphs. */
export function skewed(seed: number, index: number, salt: number, n: number): number {
  const u = unit(seed, index, salt)
  return Math.min(n - 1, Math.floor(n * u * u))
}

/** FNV-1a over a string, for name lookups (collisions are resolved by comparing the strings). */
export function hashText(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}
