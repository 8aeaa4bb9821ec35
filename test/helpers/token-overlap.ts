// Token-level precision / recall / F1 of an extracted text against ground truth (bag of lower-cased words,
// SQuAD-style multiset overlap): precision falls with every boilerplate word kept, recall with every body word lost.

import {multisetOverlap} from '../../src/core/index.js'

export function tokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
}

export interface Overlap {
  precision: number
  recall: number
  f1: number
}

export function tokenOverlap(extracted: string, truth: string): Overlap {
  const want = tokens(truth)
  const got = tokens(extracted)
  const common = multisetOverlap(got, want)
  const precision = got.length === 0 ? 0 : common / got.length
  const recall = want.length === 0 ? 0 : common / want.length
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)
  return {precision, recall, f1}
}
