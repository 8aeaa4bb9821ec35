// Answerers for the eval loop. `closedBookAnswerer` asks a LanguageModel directly (no tools: the "direct inference"
// baseline of the Search-R1 tables, and `--search none`) through the one closed-book call of src/answer/; the search
// agent is wired in src/eval/agent-answerer.ts.
import type {LanguageModel} from '../llm/index.js'
import {answerClosedBook} from '../answer/index.js'
import type {AnswerResult, Answerer} from './run.js'

/**
 * Eval's closed-book answerer. Temperature defaults to 0 (eval scores the model's greedy answer, as the direct
 * inference baselines do), where the difficulty Solver defaults to 1 (a pass rate needs K different samples);
 * prompt, token budget and answer rule are the same.
 */
export function closedBookAnswerer(model: LanguageModel, options: {maxTokens?: number; temperature?: number} = {}): Answerer {
  return async (question, sample): Promise<AnswerResult> => {
    const started = Date.now()
    try {
      const {answer, usage} = await answerClosedBook(model, question.question, {temperature: options.temperature ?? 0, seed: sample.seed, signal: sample.signal, ...(options.maxTokens ? {maxTokens: options.maxTokens} : {})})
      return {answer, stats: {turns: 1, tokens: usage.promptTokens + usage.completionTokens, model_tokens: usage.completionTokens, tool_calls: 0, wall_ms: Date.now() - started}, ...(answer === null ? {meta: {finish_reason: 'no_answer'}} : {})}
    } catch (error) {
      if (sample.signal.aborted) throw error
      return {answer: null, stats: {turns: 1, wall_ms: Date.now() - started}, error: (error as Error).message}
    }
  }
}
