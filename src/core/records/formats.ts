// Outside question formats users already have, mapped to Question: FlashRAG / Search-R1 JSONL
// ({question, golden_answers}), verl parquet-style rows ({prompt, reward_model.ground_truth}),
// GAIA ({Question, "Final answer"}) and plain {question, answer}. `auto` picks by the fields present.
import {DataError} from '../errors.js'
import type {QuestionInput} from './question.js'

export const QUESTION_FORMATS = ['auto', 'flashrag', 'verl', 'gaia', 'qa', 'ars'] as const
export type QuestionFormat = (typeof QUESTION_FORMATS)[number]

type Row = Record<string, unknown>

function isRow(value: unknown): value is Row {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function fail(format: string, where: string | undefined, message: string, fix?: string): never {
  throw new DataError(`not a ${format} row: ${message}`, {where, code: 'format', fix})
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  return undefined
}

/**
 * Several answer aliases packed in one string, as DeepResearcher's verl rows do (`a<|answer_split|>b`); its
 * reward splits on it, so each part is an alias, never part of an answer.
 */
export const ANSWER_SPLIT = '<|answer_split|>'

function aliases(answer: string): string[] {
  return answer.includes(ANSWER_SPLIT) ? answer.split(ANSWER_SPLIT).filter((a) => a.trim() !== '') : [answer]
}

/** Answers may be a string, a list, or a {target: …} object (Search-R1's verl rows). */
function answerList(value: unknown, format: string, field: string, where?: string): string[] {
  if (value === undefined || value === null) return []
  if (typeof value === 'string' || typeof value === 'number') return aliases(String(value))
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => {
      const s = text(v)
      if (s === undefined) fail(format, where, `${field}[${i}]: expected string, got ${v === null ? 'null' : typeof v}`)
      return aliases(s)
    })
  }
  if (isRow(value) && 'target' in value) return answerList(value.target, format, `${field}.target`, where)
  return fail(format, where, `${field}: expected string or array of strings, got ${typeof value}`)
}

function idFrom(value: unknown, fallback: string): string {
  const s = text(value)
  return s !== undefined && s !== '' ? s : fallback
}

/** Which format a row looks like, or undefined. */
export function detectFormat(row: unknown): Exclude<QuestionFormat, 'auto'> | undefined {
  if (!isRow(row)) return undefined
  if (row.type === 'question') return 'ars'
  if ('golden_answers' in row) return 'flashrag'
  if ('reward_model' in row || ('prompt' in row && Array.isArray(row.prompt))) return 'verl'
  if ('Question' in row || 'Final answer' in row) return 'gaia'
  if ('question' in row && ('answer' in row || 'answers' in row)) return row.answers !== undefined && row.source !== undefined ? 'ars' : 'qa'
  return undefined
}

const SEARCH_R1_QUESTION = /Question:\s*([\s\S]+?)\s*$/

function verlQuestion(row: Row, where?: string): string {
  const extra = isRow(row.extra_info) ? row.extra_info : {}
  const fromExtra = text(extra.question)
  if (fromExtra) return fromExtra
  if (typeof row.question === 'string') return row.question
  const prompt = row.prompt
  if (!Array.isArray(prompt)) return fail('verl', where, 'prompt: expected a list of {role, content} messages')
  const user = [...prompt].reverse().find((m) => isRow(m) && m.role === 'user')
  const content = user && isRow(user) ? text(user.content) : undefined
  if (!content) return fail('verl', where, 'prompt: no user message with content')
  // Search-R1 wraps the question in its instruction template: take what follows the last "Question:".
  const idx = content.lastIndexOf('Question:')
  if (idx >= 0) {
    const m = SEARCH_R1_QUESTION.exec(content.slice(idx))
    if (m?.[1]) return m[1]
  }
  return content.trim()
}

/**
 * Convert one row to a Question input (validated afterwards by the Question schema).
 * `line` gives a fallback id (`<format>-<line>`) for rows without one.
 */
export function toQuestion(row: unknown, format: QuestionFormat, where?: string, line = 0): QuestionInput {
  if (!isRow(row)) fail(format, where, `expected a JSON object, got ${Array.isArray(row) ? 'array' : typeof row}`)
  let chosen = format
  if (chosen === 'auto') {
    const detected = detectFormat(row)
    if (!detected) {
      fail('known', where, `cannot tell the format from fields ${Object.keys(row).slice(0, 6).map((k) => JSON.stringify(k)).join(', ')}`, `Pass --from with one of: ${QUESTION_FORMATS.filter((f) => f !== 'auto').join(', ')}.`)
    }
    chosen = detected
  }
  const fallbackId = `${chosen}-${line}`
  switch (chosen) {
    case 'ars':
      return row as QuestionInput
    case 'flashrag': {
      const question = text(row.question)
      if (!question) fail('flashrag', where, 'question: required string field is missing')
      if (!('golden_answers' in row)) fail('flashrag', where, 'golden_answers: required field is missing', 'FlashRAG/Search-R1 rows carry golden_answers; use --from qa for {question, answer}.')
      const meta = isRow(row.metadata) ? {...row.metadata} : {}
      return {id: idFrom(row.id, fallbackId), question, answers: answerList(row.golden_answers, 'flashrag', 'golden_answers', where), source: text(row.data_source) ?? 'flashrag', meta}
    }
    case 'verl': {
      const reward = isRow(row.reward_model) ? row.reward_model : undefined
      if (!reward || !('ground_truth' in reward)) fail('verl', where, 'reward_model.ground_truth: required field is missing')
      const extra = isRow(row.extra_info) ? row.extra_info : {}
      const meta: Record<string, unknown> = {}
      if (row.ability !== undefined) meta.ability = row.ability
      return {
        id: idFrom(row.id ?? extra.id ?? extra.index, fallbackId),
        question: verlQuestion(row, where),
        answers: answerList(reward.ground_truth, 'verl', 'reward_model.ground_truth', where),
        source: text(row.data_source) ?? 'verl',
        ...(typeof extra.split === 'string' ? {split: extra.split} : {}),
        meta,
      }
    }
    case 'gaia': {
      const question = text(row.Question)
      if (!question) fail('gaia', where, 'Question: required string field is missing')
      const meta: Record<string, unknown> = {}
      if (row.Level !== undefined) meta.level = row.Level
      if (row.file_name) meta.file_name = row.file_name
      if (isRow(row['Annotator Metadata'])) meta.annotator = row['Annotator Metadata']
      // The release's field is "Final answer"; some redistributions call it "answer".
      const field = 'Final answer' in row ? 'Final answer' : 'answer'
      const final = row[field]
      return {id: idFrom(row.task_id, fallbackId), question, answers: final === undefined || final === '?' ? [] : answerList(final, 'gaia', field, where), source: 'gaia', meta}
    }
    case 'qa': {
      const question = text(row.question)
      if (!question) fail('qa', where, 'question: required string field is missing')
      const answers = 'answers' in row ? answerList(row.answers, 'qa', 'answers', where) : answerList(row.answer, 'qa', 'answer', where)
      const meta: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(row)) if (!['id', 'question', 'answer', 'answers', 'source'].includes(k)) meta[k] = v
      return {id: idFrom(row.id, fallbackId), question, answers, source: text(row.source) ?? 'qa', meta}
    }
  }
}
