// Answerers for the eval loop. `closedBookAnswerer` asks a LanguageModel directly (no tools: the
// "direct inference" baseline of the Search-R1 tables, and `--search none`); the search agent is wired in
// src/eval/agent-answerer.ts.
import type {LanguageModel} from '../llm/language-model.js'
import {closedBookInput} from '../filter/closed-book.js'
import type {AnswerResult, Answerer} from './run.js'

/** The text inside the last <answer>…</answer>; undefined when there is none. */
export function extractAnswer(text: string): string | undefined {
  const all = [...text.matchAll(/<answer>([\s\S]*?)<\/answer>/g)]
  const last = all.at(-1)?.[1]
  return last === undefined ? undefined : last.trim()
}

export function closedBookAnswerer(model: LanguageModel, options: {maxTokens?: number; temperature?: number} = {}): Answerer {
  return async (question, sample): Promise<AnswerResult> => {
    const started = Date.now()
    // The same prompt as synthesis' difficulty check and filter --no-tool-fail, so the three measure one thing.
    const input = closedBookInput(model, question.question)
    try {
      const r = await model.generate(input, {maxTokens: options.maxTokens ?? 64, temperature: options.temperature ?? 0, seed: sample.seed, stop: ['</answer>'], signal: sample.signal})
      // Text prompts open the tag themselves; the stop string is not returned, so close the tag.
      const raw = input.kind === 'text' ? `<answer>${r.text}` : r.text
      const answer = extractAnswer(raw.includes('</answer>') ? raw : `${raw}</answer>`)
      return {answer: answer ?? null, stats: {turns: 1, tokens: r.usage.promptTokens + r.usage.completionTokens, model_tokens: r.usage.completionTokens, tool_calls: 0, wall_ms: Date.now() - started}, ...(answer === undefined ? {meta: {finish_reason: 'no_answer'}} : {})}
    } catch (error) {
      if (sample.signal.aborted) throw error
      return {answer: null, stats: {turns: 1, wall_ms: Date.now() - started}, error: (error as Error).message}
    }
  }
}
