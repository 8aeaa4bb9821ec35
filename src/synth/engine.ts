// The synthesis engine interface: both engines (the knowledge-base engine for the embedded world and the LLM
// engine for any corpus) grow one seed Question into one SynthItem or reject it with reasons. The driver
// (run.ts) owns concurrency, retries, resume, rejects and statistics.
import type {Question, SynthItem} from '../core/index.js'
import type {Rng} from '../core/index.js'
import type {ClosedBookSolver} from '../answer/index.js'
import {matchesAnyGold} from '../answer/index.js'

export interface SynthReason {
  /** Stable code: seed-no-answer, seed-not-world, seed-mismatch, no-valid-edit, too-easy, judge-unparseable, tool-unavailable, … */
  code: string
  detail: string
  [extra: string]: unknown
}

export type SynthOutcome =
  | {kind: 'item'; item: SynthItem}
  | {kind: 'reject'; reasons: SynthReason[]; partial?: SynthItem}

export interface SynthContext {
  rng: Rng
  signal?: AbortSignal
}

export interface SynthEngine {
  /** `kb:<world dir>` or `llm:<model>`. */
  readonly id: string
  synthesize(seed: Question, context: SynthContext): Promise<SynthOutcome>
  close?(): Promise<void>
}

/** A tool the engine needs is down (search provider, model server): the driver retries the seed later. */
export class ToolUnavailableError extends Error {
  readonly tool: string
  constructor(tool: string, message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'ToolUnavailableError'
    this.tool = tool
  }
}

export interface SynthLimits {
  /** Edit rounds at most. Default 16. */
  maxEdits: number
  /** Without a difficulty model, stop once the question needs this many hops (and was fuzzed). Default 3. */
  targetHops: number
  /** Candidate edits tried per round before giving up on the item. Default 24. */
  attemptsPerRound: number
}

export const DEFAULT_LIMITS: SynthLimits = {maxEdits: 16, targetHops: 3, attemptsPerRound: 24}

export type CheckVerdict = {verdict: 'pass' | 'fail' | 'error' | 'skipped'; detail?: string; [extra: string]: unknown}

/** The difficulty probe: the model answers `samples` times without tools; pass = it failed every time. */
export interface DifficultyProbe {
  solver: ClosedBookSolver
  samples: number
}

export async function difficultyCheck(probe: DifficultyProbe | undefined, id: string, question: string, answers: readonly string[], signal?: AbortSignal): Promise<CheckVerdict & {wrong_answers?: string[]}> {
  if (!probe) return {verdict: 'skipped', detail: 'no --model given: difficulty not measured'}
  const predictions = await Promise.all(Array.from({length: probe.samples}, (_, sample) => probe.solver.solve({id, question, answers, sample, signal})))
  const correct = predictions.filter((p) => matchesAnyGold(p, answers)).length
  const wrong = [...new Set(predictions.filter((p): p is string => p !== null && !matchesAnyGold(p, answers)))]
  return {
    verdict: correct === 0 ? 'pass' : 'fail',
    detail: `${probe.solver.id} answered correctly without tools in ${correct}/${probe.samples} samples`,
    samples: probe.samples,
    correct,
    wrong_answers: wrong,
  }
}

/** Validity of the text: one well-formed question that does not give its answer away. */
export function validityCheck(question: string, answers: readonly string[]): CheckVerdict {
  const text = question.trim()
  const problems: string[] = []
  if (text.length < 8) problems.push('too short')
  if (text.length > 600) problems.push(`too long (${text.length} characters > 600)`)
  if (!text.endsWith('?')) problems.push('does not end with "?"')
  if ((text.match(/\?/g) ?? []).length > 1) problems.push('more than one question mark (several questions?)')
  if (/\{[a-z_]+\}|undefined|NaN/.test(text)) problems.push('contains an unfilled template slot')
  const lower = ` ${text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ')} `
  for (const a of answers) {
    const na = a.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim()
    if (na.length > 0 && lower.includes(` ${na} `)) problems.push(`states its own answer ${JSON.stringify(a)}`)
  }
  return problems.length === 0 ? {verdict: 'pass'} : {verdict: 'fail', detail: problems.join('; ')}
}
