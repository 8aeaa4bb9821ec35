// The closed-book solver: the model answers from memory, no tools. Used by `filter --no-tool-fail` and by the
// synthesis difficulty check ("the model answers N times without tools"). Each sample uses its own seed.
import type {GenerateInput, LanguageModel} from '../llm/language-model.js'
import {hashString} from '../core/rng.js'
import type {SolveRequest, Solver} from './difficulty.js'

export const CLOSED_BOOK_SYSTEM = 'Answer the question from your own knowledge. Do not explain. Reply with the answer only, inside <answer></answer>.'

/**
 * The closed-book prompt, one for every place that asks a model without tools (synthesis difficulty,
 * `filter --no-tool-fail`, `eval --search none`): system instruction + the question for chat models, else a text
 * prompt that opens the answer tag. The tiny policy's world knowledge was trained in exactly this shape.
 */
export function closedBookInput(model: LanguageModel, question: string): GenerateInput {
  const messages = [
    {role: 'system' as const, content: CLOSED_BOOK_SYSTEM},
    {role: 'user' as const, content: question},
  ]
  return model.capabilities.chat ? {kind: 'chat', messages} : {kind: 'text', prompt: `${CLOSED_BOOK_SYSTEM}\nQuestion: ${question}\n<answer>`}
}

export interface ClosedBookOptions {
  /** Sampling temperature; > 0 so the K samples differ. Default 1. */
  temperature?: number
  maxTokens?: number
  seed?: number
}

/** The text inside the last <answer>…</answer>, else the first non-empty line; null when empty. */
export function extractAnswer(text: string): string | null {
  const tags = [...text.matchAll(/<answer>([\s\S]*?)<\/answer>/gi)]
  const inside = tags.length > 0 ? (tags[tags.length - 1]![1] as string) : text.replace(/<\/?answer>/gi, '').split('\n').find((l) => l.trim() !== '') ?? ''
  const answer = inside.trim()
  return answer === '' ? null : answer
}

export class ClosedBookSolver implements Solver {
  readonly id: string
  readonly #model: LanguageModel
  readonly #options: Required<ClosedBookOptions>

  constructor(model: LanguageModel, options: ClosedBookOptions = {}) {
    this.#model = model
    this.id = `closed-book:${model.id}`
    this.#options = {temperature: options.temperature ?? 1, maxTokens: options.maxTokens ?? 48, seed: options.seed ?? 0}
  }

  async solve(request: SolveRequest): Promise<string | null> {
    const input = closedBookInput(this.#model, request.question)
    const result = await this.#model.generate(input, {
      maxTokens: this.#options.maxTokens,
      temperature: this.#options.temperature,
      seed: (hashString(`${this.#options.seed}/${request.id}`) + request.sample) >>> 0,
      stop: ['</answer>'],
      signal: request.signal,
    })
    return extractAnswer(input.kind === 'text' ? `<answer>${result.text}` : result.text)
  }
}
