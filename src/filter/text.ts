// Text normalisation and fast 32-bit hashing shared by dedupe and decontamination: both compare questions
// after lower-casing, stripping accents and punctuation, so "Who founded X?" and "who founded x" are equal.

import {fmix32} from '../core/index.js'

const COMBINING = /[\u0300-\u036f]/g
const NON_WORD = /[^\p{L}\p{N}]+/gu

/** Lower-case, accents removed, punctuation turned into spaces, whitespace collapsed. */
export function normalizeText(text: string): string {
  return text.normalize('NFKD').replace(COMBINING, '').toLowerCase().replace(NON_WORD, ' ').trim()
}

/** Normalised words. */
export function words(text: string): string[] {
  const norm = normalizeText(text)
  return norm === '' ? [] : norm.split(' ')
}

/** 32-bit hash of a string (FNV-1a over UTF-16 code units, then fmix32), seedable. */
export function hash32(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return fmix32(h)
}

/** Fold a sequence of uint32 hashes into one (order-sensitive). */
export function combineHashes(hashes: ArrayLike<number>, start: number, end: number, seed: number): number {
  let h = seed >>> 0
  for (let i = start; i < end; i++) {
    h = Math.imul(h ^ (hashes[i] as number), 0x9e3779b1)
    h = (h << 13) | (h >>> 19)
  }
  return fmix32(h ^ (end - start))
}

/** A 53-bit key from two independent 32-bit hashes, exact enough to stand for a string in a Map/Set. */
export function key53(text: string): number {
  const hi = hash32(text, 0x51ed270b) & 0x1fffff
  const lo = hash32(text, 0x2545f491)
  return hi * 4294967296 + lo
}
