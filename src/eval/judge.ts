// LLM-as-judge: a model reads the question, the gold answers and the prediction and returns a verdict line.
// Verdicts are cached on disk by (judge model, question, gold, prediction); a judge that keeps failing marks
// the row unjudged (null) — never "incorrect" — and every call's tokens are counted for the cost line.
import {createHash} from 'node:crypto'
import {appendFileSync, existsSync, mkdirSync, readFileSync} from 'node:fs'
import {dirname} from 'node:path'
import type {LanguageModel} from '../llm/index.js'
import {sleep} from '../core/index.js'

export const JUDGE_PROMPT_VERSION = 'ars-judge-v1'

export function judgePrompt(question: string, golds: readonly string[], prediction: string): string {
  return `You are grading an answer to a question against the reference answer(s).

Question: ${question}
Reference answer(s): ${golds.map((g) => JSON.stringify(g)).join(' | ')}
Predicted answer: ${JSON.stringify(prediction)}

The prediction is CORRECT if it states the same fact as any reference answer: allow different wording,
aliases, abbreviations, units written differently and small numeric rounding that does not change the
meaning. It is INCORRECT if it is wrong, only partially correct, hedges between several answers, or
contains a reference answer but also contradicts it.

Think briefly, then end with exactly one line:
VERDICT: CORRECT
or
VERDICT: INCORRECT`
}

/** The verdict from the judge's text: the last `VERDICT: …` line, or a JSON {"verdict": …}; undefined if absent. */
export function parseVerdict(text: string): boolean | undefined {
  const lines = [...text.matchAll(/verdict"?\s*[:=]\s*\**\s*"?\s*(correct|incorrect|yes|no|true|false)\b/gi)]
  const last = lines.at(-1)?.[1]?.toLowerCase()
  if (last !== undefined) return last === 'correct' || last === 'yes' || last === 'true'
  const bare = text.trim().replace(/[.*\s]+$/, '').toLowerCase()
  if (bare === 'correct' || bare === 'incorrect') return bare === 'correct'
  return undefined
}

export interface JudgeUsage {
  calls: number
  cached: number
  failures: number
  promptTokens: number
  completionTokens: number
}

export interface JudgeOptions {
  /** Calls per row before it is marked unjudged (default 3). */
  attempts?: number
  /** JSONL file of cached verdicts (append-only); none = no cache. */
  cachePath?: string
  maxTokens?: number
  /** Dollars per million prompt / completion tokens, for the cost line (default 0: local). */
  pricePerMTokens?: {prompt: number; completion: number}
  /** Wait before retry n (ms); default 250·2^n. Tests pass 0. */
  backoffMs?: (attempt: number) => number
  signal?: AbortSignal
}

export interface JudgeVerdict {
  /** 1 correct, 0 incorrect, null unjudged. */
  score: number | null
  cached: boolean
  error?: string
}

interface CacheLine {
  key: string
  verdict: boolean
  judge: string
}

export class LlmJudge {
  readonly #model: LanguageModel
  readonly #attempts: number
  readonly #cachePath: string | undefined
  readonly #maxTokens: number
  readonly #price: {prompt: number; completion: number}
  readonly #backoff: (attempt: number) => number
  readonly #signal: AbortSignal | undefined
  readonly #cache = new Map<string, boolean>()
  readonly usage: JudgeUsage = {calls: 0, cached: 0, failures: 0, promptTokens: 0, completionTokens: 0}

  constructor(model: LanguageModel, options: JudgeOptions = {}) {
    this.#model = model
    this.#attempts = options.attempts ?? 3
    if (!(this.#attempts >= 1)) throw new RangeError(`Expected attempts >= 1, got ${this.#attempts}`)
    this.#cachePath = options.cachePath
    this.#maxTokens = options.maxTokens ?? 512
    this.#price = options.pricePerMTokens ?? {prompt: 0, completion: 0}
    this.#backoff = options.backoffMs ?? ((n) => 250 * 2 ** n)
    this.#signal = options.signal
    if (this.#cachePath && existsSync(this.#cachePath)) {
      for (const line of readFileSync(this.#cachePath, 'utf8').split('\n')) {
        if (!line.trim()) continue
        try {
          const c = JSON.parse(line) as CacheLine
          if (typeof c.key === 'string' && typeof c.verdict === 'boolean') this.#cache.set(c.key, c.verdict)
        } catch {
          // a torn last line from a killed run: ignore it, the row is judged again
        }
      }
    }
  }

  /** Versioned name carried in EvalResult.metrics.judge. */
  get version(): string {
    return `${JUDGE_PROMPT_VERSION}/${this.#model.id}`
  }

  get costDollars(): number {
    return (this.usage.promptTokens * this.#price.prompt + this.usage.completionTokens * this.#price.completion) / 1e6
  }

  static key(judgeId: string, question: string, golds: readonly string[], prediction: string): string {
    return createHash('sha256').update(JSON.stringify([JUDGE_PROMPT_VERSION, judgeId, question, [...golds], prediction])).digest('hex')
  }

  async judge(question: string, golds: readonly string[], prediction: string | null): Promise<JudgeVerdict> {
    if (golds.length === 0) return {score: null, cached: false, error: 'no gold answer'}
    if (prediction === null || prediction.trim() === '') return {score: 0, cached: false}
    const key = LlmJudge.key(this.#model.id, question, golds, prediction)
    const hit = this.#cache.get(key)
    if (hit !== undefined) {
      this.usage.cached++
      return {score: hit ? 1 : 0, cached: true}
    }
    let lastError = ''
    for (let attempt = 0; attempt < this.#attempts; attempt++) {
      if (attempt > 0) await sleep(this.#backoff(attempt - 1), this.#signal)
      this.#signal?.throwIfAborted()
      try {
        this.usage.calls++
        const result = await this.#model.generate({kind: 'chat', messages: [{role: 'user', content: judgePrompt(question, golds, prediction)}]}, {maxTokens: this.#maxTokens, temperature: 0, ...(this.#signal ? {signal: this.#signal} : {})})
        this.usage.promptTokens += result.usage.promptTokens
        this.usage.completionTokens += result.usage.completionTokens
        const verdict = parseVerdict(result.text)
        if (verdict === undefined) {
          lastError = `unparseable verdict: ${JSON.stringify(result.text.slice(-80))}`
          continue
        }
        this.#cache.set(key, verdict)
        if (this.#cachePath) {
          mkdirSync(dirname(this.#cachePath), {recursive: true})
          appendFileSync(this.#cachePath, JSON.stringify({key, verdict, judge: this.#model.id} satisfies CacheLine) + '\n')
        }
        return {score: verdict ? 1 : 0, cached: false}
      } catch (error) {
        if (this.#signal?.aborted) throw error
        lastError = (error as Error).message
      }
    }
    this.usage.failures++
    return {score: null, cached: false, error: `judge failed after ${this.#attempts} attempts: ${lastError}`}
  }
}

