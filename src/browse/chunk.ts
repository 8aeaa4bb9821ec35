// Splits page text into ordered chunks for segment-by-segment reading (DeepResearcher / ASearcher style):
// whole paragraphs packed up to a size, long paragraphs split at sentence ends, then at spaces, then hard.
import {UsageError} from '../core/index.js'

/** Characters per token assumed when a size is given in tokens (English prose with BPE tokenizers). */
export const CHARS_PER_TOKEN = 4
export const DEFAULT_CHUNK_CHARS = 2000

export function charsForTokens(tokens: number): number {
  return tokens * CHARS_PER_TOKEN
}

export function validateChunkSize(size: number, what = 'chunk size'): number {
  if (!Number.isInteger(size) || size < 50) throw new UsageError(`Expected ${what} to be an integer ≥ 50 characters, got ${size}`, {fix: 'Use e.g. --chunk-size 2000 (characters) or --chunk-tokens 500.'})
  return size
}

/** Ordered chunks of at most `maxChars` characters; joining them with "\n\n" gives back every word in order. */
export function chunkText(text: string, maxChars = DEFAULT_CHUNK_CHARS): string[] {
  validateChunkSize(maxChars)
  const chunks: string[] = []
  let current = ''
  const push = (piece: string): void => {
    if (current === '') current = piece
    else if (current.length + 2 + piece.length <= maxChars) current += `\n\n${piece}`
    else {
      chunks.push(current)
      current = piece
    }
  }
  for (const paragraph of text.split(/\n{2,}/)) {
    const trimmed = paragraph.trim()
    if (!trimmed) continue
    if (trimmed.length <= maxChars) push(trimmed)
    else for (const piece of splitLong(trimmed, maxChars)) push(piece)
  }
  if (current) chunks.push(current)
  return chunks
}

function splitLong(paragraph: string, maxChars: number): string[] {
  const pieces: string[] = []
  let current = ''
  const sentences = paragraph.split(/(?<=[.!?。！？])\s+/)
  for (const sentence of sentences) {
    const parts = sentence.length <= maxChars ? [sentence] : splitWords(sentence, maxChars)
    for (const part of parts) {
      if (current === '') current = part
      else if (current.length + 1 + part.length <= maxChars) current += ` ${part}`
      else {
        pieces.push(current)
        current = part
      }
    }
  }
  if (current) pieces.push(current)
  return pieces
}

function splitWords(sentence: string, maxChars: number): string[] {
  const pieces: string[] = []
  let current = ''
  for (const word of sentence.split(/\s+/)) {
    if (word.length > maxChars) {
      if (current) pieces.push(current)
      current = ''
      for (let i = 0; i < word.length; i += maxChars) pieces.push(word.slice(i, i + maxChars))
      continue
    }
    if (current === '') current = word
    else if (current.length + 1 + word.length <= maxChars) current += ` ${word}`
    else {
      pieces.push(current)
      current = word
    }
  }
  if (current) pieces.push(current)
  return pieces
}
