// The LLM engine: works on any corpus. Each round the model plans an edit (inject or fuzz); for inject it
// searches with the real search tool (and reads pages when a reader is given), picks a fact with an exact
// quote — checked verbatim against the document — and rewrites the question. A judge (the same model, at
// temperature 0) checks validity, answerability from the facts alone and, for every wrong answer the
// closed-book samples produced, whether it could be a second valid answer. Unparseable judge replies are
// retried, then the seed is rejected with the reason; a search provider that is down makes the driver retry.
import type {Fact, Question, SynthItem} from '../../core/index.js'
import type {LanguageModel} from '../../llm/index.js'
import type {SearchHit, SearchProvider} from '../../search/index.js'
import type {PageReader} from '../../browse/index.js'
import {hashString} from '../../core/index.js'
import {extractAnswer, matchesAnyGold} from '../../answer/index.js'
import {DEFAULT_LIMITS, difficultyCheck, ToolUnavailableError, validityCheck, type CheckVerdict, type DifficultyProbe, type SynthContext, type SynthEngine, type SynthLimits, type SynthOutcome} from '../engine.js'
import {parseReply, UnparseableReply, type FieldKind} from './json-reply.js'
import {alternativePrompt, answerFromFactsPrompt, fuzzPrompt, injectPrompt, planPrompt, REPAIR_SUFFIX, validityPrompt, type DocForPrompt} from './prompts.js'

export interface LlmEngineOptions {
  model: LanguageModel
  search: SearchProvider
  /** Reads a hit's page when the provider gives no full text. */
  reader?: PageReader
  /** Closed-book difficulty probe (usually the same model). */
  difficulty?: DifficultyProbe
  limits?: Partial<SynthLimits>
  /** Re-asks after an unparseable judge reply before the seed is rejected. Default 2. */
  judgeRetries?: number
  /** Search results shown to the model. Default 3. */
  topK?: number
  /** Characters of each document shown. Default 1500. */
  docChars?: number
  /** Tokens per model reply. Default 256. */
  maxTokens?: number
}

class JudgeFailure extends Error {
  constructor(readonly task: string, readonly reply: UnparseableReply, readonly tries: number) {
    super(`${task}: ${reply.message} after ${tries} tries`)
  }
}

function normalizeSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase()
}

export class LlmEngine implements SynthEngine {
  readonly id: string
  readonly #o: Required<Omit<LlmEngineOptions, 'reader' | 'difficulty' | 'limits'>> & {reader?: PageReader; difficulty?: DifficultyProbe}
  readonly #limits: SynthLimits

  constructor(options: LlmEngineOptions) {
    this.#o = {judgeRetries: 2, topK: 3, docChars: 1500, maxTokens: 256, ...options}
    this.#limits = {...DEFAULT_LIMITS, attemptsPerRound: 3, ...options.limits}
    this.id = `llm:${options.model.id}`
  }

  async #generate(prompt: string, temperature: number, seed: number, signal?: AbortSignal): Promise<string> {
    const model = this.#o.model
    try {
      const input = model.capabilities.chat ? {kind: 'chat' as const, messages: [{role: 'user' as const, content: prompt}]} : {kind: 'text' as const, prompt}
      const r = await model.generate(input, {maxTokens: this.#o.maxTokens, temperature, seed, signal})
      return r.text
    } catch (error) {
      if (signal?.aborted) throw error
      throw new ToolUnavailableError(`model ${model.id}`, (error as Error).message, {cause: error})
    }
  }

  /** Ask for a JSON reply; after `retries` unparseable replies throw UnparseableReply (the last one). */
  async #ask<T extends Record<string, unknown>>(prompt: string, fields: Record<keyof T & string, FieldKind>, temperature: number, seed: number, retries: number, signal?: AbortSignal): Promise<T> {
    let last: UnparseableReply | undefined
    for (let attempt = 0; attempt <= retries; attempt++) {
      const text = await this.#generate(attempt === 0 ? prompt : prompt + REPAIR_SUFFIX, temperature, seed + attempt, signal)
      try {
        return parseReply<T>(text, fields)
      } catch (error) {
        if (!(error instanceof UnparseableReply)) throw error
        last = error
      }
    }
    throw last as UnparseableReply
  }

  async #judge<T extends Record<string, unknown>>(task: string, prompt: string, fields: Record<keyof T & string, FieldKind>, seed: number, signal?: AbortSignal): Promise<T> {
    try {
      return await this.#ask<T>(prompt, fields, 0, seed, this.#o.judgeRetries, signal)
    } catch (error) {
      if (error instanceof UnparseableReply) throw new JudgeFailure(task, error, this.#o.judgeRetries + 1)
      throw error
    }
  }

  async #search(query: string, signal?: AbortSignal): Promise<SearchHit[]> {
    try {
      return await this.#o.search.search(query, {topK: this.#o.topK, signal})
    } catch (error) {
      if (signal?.aborted) throw error
      throw new ToolUnavailableError(`search ${this.#o.search.id}`, (error as Error).message, {cause: error})
    }
  }

  async #docs(hits: readonly SearchHit[], signal?: AbortSignal): Promise<(DocForPrompt & {hit: SearchHit})[]> {
    const docs: (DocForPrompt & {hit: SearchHit})[] = []
    for (const [i, hit] of hits.entries()) {
      let text = hit.text ?? ''
      if (!text && this.#o.reader) {
        try {
          text = (await this.#o.reader.read(hit.url, {signal})).text
        } catch {
          text = ''
        }
      }
      if (!text) text = hit.snippet
      docs.push({n: i + 1, title: hit.title, url: hit.url, text: text.slice(0, this.#o.docChars), hit})
    }
    return docs
  }

  async synthesize(seed: Question, context: SynthContext): Promise<SynthOutcome> {
    if (seed.answers.length === 0) return {kind: 'reject', reasons: [{code: 'seed-no-answer', detail: `seed ${seed.id} has no answers: nothing to keep unchanged`}]}
    try {
      return await this.#run(seed, context)
    } catch (error) {
      if (error instanceof JudgeFailure) {
        return {kind: 'reject', reasons: [{code: 'judge-unparseable', detail: `the judge's reply to ${error.task} could not be parsed (${error.reply.message}) after ${error.tries} tries; last reply: ${JSON.stringify(error.reply.raw.slice(0, 200))}`, task: error.task}]}
      }
      throw error
    }
  }

  async #run(seed: Question, context: SynthContext): Promise<SynthOutcome> {
    const {rng, signal} = context
    const answer = seed.answers[0] as string
    const base = hashString(seed.id)
    let call = 0
    const nextSeed = (): number => (base + call++ * 7919) >>> 0
    const seedQa = {question: seed.question, answer}
    const seedDifficulty = await difficultyCheck(this.#o.difficulty, seed.id, seed.question, seed.answers, signal)
    let question = seed.question
    let facts: Fact[] = []
    let hops = seed.hops ?? 1
    const history: SynthItem['history'] = [{step: 0, op: 'seed', question, checks: {difficulty: omitWrong(seedDifficulty)}}]
    let checks: Record<string, CheckVerdict> = {}
    const failures: Record<string, number> = {}
    let stop = 'max-edits'
    let attempts = 0
    const fail = (why: string): void => {
      failures[why] = (failures[why] ?? 0) + 1
    }

    for (let step = 1; step <= this.#limits.maxEdits; step++) {
      signal?.throwIfAborted()
      let accepted = false
      for (let attempt = 0; attempt < this.#limits.attemptsPerRound && !accepted; attempt++) {
        attempts++
        // 1. Plan (the proposer may be creative: temperature 0.7, its own seed per call).
        let plan: {op: string; entity?: string; query?: string}
        try {
          plan = await this.#ask<{op: string; entity?: string; query?: string}>(planPrompt(question, answer, history.slice(1).map((h) => `${h.op}: ${h.detail ?? ''}`)), {op: 'string', entity: 'string?', query: 'string?'}, 0.7, nextSeed(), 1, signal)
        } catch (error) {
          if (error instanceof UnparseableReply) {
            fail('proposal-unparseable')
            continue
          }
          throw error
        }
        const op = plan.op === 'fuzz' ? 'fuzz' : plan.op === 'inject' ? 'inject' : undefined
        if (!op || (op === 'inject' && (!plan.entity || !plan.query))) {
          fail('proposal-invalid')
          continue
        }
        // 2. Propose the edit.
        let newQuestion: string
        let newFacts = facts
        let detail: string
        let factId: string | undefined
        try {
          if (op === 'inject') {
            const docs = await this.#docs(await this.#search(plan.query as string, signal), signal)
            if (docs.length === 0) {
              fail('search-empty')
              continue
            }
            const r = await this.#ask<{doc: number; quote: string; fact: string; question: string}>(injectPrompt(question, answer, plan.entity as string, docs), {doc: 'number', quote: 'string', fact: 'string', question: 'string'}, 0.7, nextSeed(), 1, signal)
            const doc = docs.find((d) => d.n === r.doc)
            // Grounding: the quote must be a verbatim span of the document it names.
            if (!doc || !normalizeSpace(doc.text).includes(normalizeSpace(r.quote))) {
              fail('quote-not-in-source')
              continue
            }
            factId = `f${facts.length + 1}`
            newFacts = [...facts, {id: factId, text: r.fact, entity: plan.entity, source: {url: doc.url, doc_id: doc.hit.id, title: doc.title, quote: r.quote}}]
            newQuestion = r.question.trim()
            detail = `${plan.entity} → ${r.fact}`
          } else {
            const r = await this.#ask<{original: string; replacement: string; question: string}>(fuzzPrompt(question, answer), {original: 'string', replacement: 'string', question: 'string'}, 0.7, nextSeed(), 1, signal)
            if (!question.toLowerCase().includes(r.original.toLowerCase()) || !r.question.toLowerCase().includes(r.replacement.toLowerCase())) {
              fail('fuzz-not-applied')
              continue
            }
            newQuestion = r.question.trim()
            detail = `${r.original} → ${r.replacement}`
          }
        } catch (error) {
          if (error instanceof UnparseableReply) {
            fail('proposal-unparseable')
            continue
          }
          throw error
        }
        if (newQuestion === question) {
          fail('unchanged')
          continue
        }
        // 3. Checks.
        const candidate = await this.#check(seed, seedQa, newQuestion, newFacts, nextSeed, signal)
        const failed = ['validity', 'answerable', 'uniqueness'].filter((k) => candidate[k]?.verdict !== 'pass')
        if (failed.length > 0) {
          for (const k of failed) fail(k)
          continue
        }
        checks = candidate
        question = newQuestion
        facts = newFacts
        if (op === 'inject') hops++
        history.push({step, op, question, ...(factId ? {fact_id: factId} : {}), detail, checks})
        accepted = true
      }
      if (!accepted) {
        stop = 'no-valid-edit'
        break
      }
      if (checks.difficulty?.verdict === 'pass' && hops >= 2) {
        stop = 'model-fails'
        break
      }
      void rng
    }
    const edits = history.length - 1
    const item: SynthItem = {
      type: 'synth_item', version: 1, id: `${seed.id}~synth`, seed_id: seed.id, question, answers: [...seed.answers], source: 'synth', hops, facts, history, checks,
      meta: {engine: 'llm', model: this.#o.model.id, search: this.#o.search.id, attempts, failed_attempts: failures, stop, seed_difficulty: omitWrong(seedDifficulty)},
    }
    if (edits === 0) return {kind: 'reject', reasons: [{code: 'no-valid-edit', detail: `no proposed edit passed the checks (${attempts} tried: ${JSON.stringify(failures)})`}], partial: item}
    if (checks.difficulty?.verdict === 'fail') return {kind: 'reject', reasons: [{code: 'too-easy', detail: `after ${edits} edits ${checks.difficulty.detail}`}], partial: item}
    return {kind: 'item', item}
  }

  async #check(seed: Question, seedQa: {question: string; answer: string}, question: string, facts: Fact[], nextSeed: () => number, signal?: AbortSignal): Promise<Record<string, CheckVerdict>> {
    const answer = seedQa.answer
    const promptFacts = facts.map((f) => ({text: f.text, quote: f.source.quote}))
    let validity = validityCheck(question, seed.answers)
    if (validity.verdict === 'pass') {
      const v = await this.#judge<{valid: boolean; reason?: string}>('judge-validity', validityPrompt(question, answer), {valid: 'boolean', reason: 'string?'}, nextSeed(), signal)
      validity = v.valid ? {verdict: 'pass', detail: v.reason, method: 'rules+judge'} : {verdict: 'fail', detail: `judge: ${v.reason ?? 'not a valid question'}`, method: 'rules+judge'}
    }
    const a = await this.#judge<{answer: string | null}>('judge-answer-from-facts', answerFromFactsPrompt(question, seedQa, promptFacts), {answer: 'string|null'}, nextSeed(), signal)
    const answerable: CheckVerdict = matchesAnyGold(a.answer, seed.answers)
      ? {verdict: 'pass', detail: `from the facts alone the judge answers ${JSON.stringify(a.answer)}`, method: 'judge'}
      : {verdict: 'fail', detail: `from the facts alone the judge answers ${JSON.stringify(a.answer)}`, method: 'judge'}
    const difficulty = await difficultyCheck(this.#o.difficulty, seed.id, question, seed.answers, signal)
    // Every wrong answer the model produced is a candidate second answer: the judge rules on each.
    const alternatives = [...new Set([...(difficulty.wrong_answers ?? []), ...(a.answer && !matchesAnyGold(a.answer, seed.answers) ? [a.answer] : [])].map((x) => extractAnswer(x) ?? x))].slice(0, 4)
    const alsoCorrect: string[] = []
    for (const alt of alternatives) {
      const j = await this.#judge<{also_correct: boolean; reason?: string}>('judge-alternative', alternativePrompt(question, answer, alt, seedQa, promptFacts), {also_correct: 'boolean', reason: 'string?'}, nextSeed(), signal)
      if (j.also_correct) alsoCorrect.push(alt)
    }
    const uniqueness: CheckVerdict = alsoCorrect.length === 0
      ? {verdict: 'pass', detail: alternatives.length === 0 ? 'no alternative answer was produced to check' : `${alternatives.length} alternative answers ruled out`, method: 'judge', checked: alternatives}
      : {verdict: 'fail', detail: `also correct: ${alsoCorrect.map((x) => JSON.stringify(x)).join(', ')}`, method: 'judge', alternatives: alsoCorrect}
    return {validity, answerable, uniqueness, difficulty: omitWrong(difficulty)}
  }
}

function omitWrong(c: CheckVerdict & {wrong_answers?: string[]}): CheckVerdict {
  const {wrong_answers: _drop, ...rest} = c
  return rest
}
