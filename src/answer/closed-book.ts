// The closed-book answer: the model answers from memory, no tools. One prompt, one generation call and one
// answer rule for the three places that ask it: `eval --search none` (src/eval/answerers.ts), `filter
// --no-tool-fail` and the synthesis difficulty check (both through ClosedBookSolver), so the three measure one thing.
import type {GenerateInput, LanguageModel} from '../llm/index.js'
import {episodeSeed} from '../core/index.js'
import {extractAnswer} from './extract.js'
import type {SolveRequest, Solver} from './solver.js'

export const CLOSED_BOOK_SYSTEM = 'Answer the question from your own knowledge. Do not explain. Reply with the answer only, inside <answer></answer>.'

/** Generation budget of one closed-book answer (the answer only, no reasoning). */
export const CLOSED_BOOK_MAX_TOKENS = 64

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

export interface ClosedBookCall {
  /** Sampling temperature: callers choose (see ClosedBookSolver and closedBookAnswerer for why they differ). */
  temperature: number
  seed: number
  maxTokens?: number
  signal?: AbortSignal
}

export interface ClosedBookAnswer {
  answer: string | null
  usage: {promptTokens: number; completionTokens: number}
}

/** Ask `model` one question closed-book and extract its answer (src/answer/extract.ts). */
export async function answerClosedBook(model: LanguageModel, question: string, call: ClosedBookCall): Promise<ClosedBookAnswer> {
  const input = closedBookInput(model, question)
  const result = await model.generate(input, {
    maxTokens: call.maxTokens ?? CLOSED_BOOK_MAX_TOKENS,
    temperature: call.temperature,
    seed: call.seed,
    stop: ['</answer>'],
    ...(call.signal ? {signal: call.signal} : {}),
  })
  // A text prompt opened the tag itself; the stop string is not returned, so the reply is the answer's inside.
  return {answer: extractAnswer(input.kind === 'text' ? `<answer>${result.text}` : result.text), usage: result.usage}
}

export interface ClosedBookOptions {
  /** Sampling temperature, default 1: a pass rate needs the K samples to differ (eval's greedy answer does not). */
  temperature?: number
  maxTokens?: number
  seed?: number
}

/** The closed-book model as a difficulty Solver: sample `i` of question `id` is seeded episodeSeed(seed, id, i), the
 *  one seed rule of rollout, eval, filter and train. */
export class ClosedBookSolver implements Solver {
  readonly id: string
  readonly #model: LanguageModel
  readonly #options: Required<ClosedBookOptions>

  constructor(model: LanguageModel, options: ClosedBookOptions = {}) {
    this.#model = model
    this.id = `closed-book:${model.id}`
    this.#options = {temperature: options.temperature ?? 1, maxTokens: options.maxTokens ?? CLOSED_BOOK_MAX_TOKENS, seed: options.seed ?? 0}
  }

  async solve(request: SolveRequest): Promise<string | null> {
    const {answer} = await answerClosedBook(this.#model, request.question, {
      maxTokens: this.#options.maxTokens,
      temperature: this.#options.temperature,
      seed: episodeSeed(this.#options.seed, request.id, request.sample),
      ...(request.signal ? {signal: request.signal} : {}),
    })
    return answer
  }
}
