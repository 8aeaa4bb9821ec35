// The agent solver for `filter --difficulty`: one full agent episode (search, access, answer) per sample, with
// the episode seed derived from (--seed, question id, sample) exactly as `ars rollout` does.
import type {LanguageModel} from '../llm/index.js'
import type {AgentTools} from '../agent/index.js'
import type {AgentFormat} from '../agent/index.js'
import {runEpisode} from '../agent/index.js'
import {episodeSeed} from '../core/index.js'
import {parseRecord, QuestionType} from '../core/index.js'
import type {SolveRequest, Solver} from '../answer/index.js'

export interface AgentSolverOptions {
  model: LanguageModel
  tools: AgentTools
  maxTurns?: number
  seed?: number
  temperature?: number
  /** Agent format (default ASearcher with search and access); `--tools` builds one declaring more tools. */
  format?: AgentFormat
}

export class AgentSolver implements Solver {
  readonly id: string
  readonly #o: AgentSolverOptions

  constructor(options: AgentSolverOptions) {
    this.#o = options
    this.id = `agent:${options.model.id}`
  }

  async solve(request: SolveRequest): Promise<string | null> {
    const question = parseRecord(QuestionType, {id: request.id, question: request.question, answers: [...request.answers]})
    const trajectory = await runEpisode(question, {
      model: this.#o.model,
      tools: this.#o.tools,
      ...(this.#o.format ? {format: this.#o.format} : {}),
      maxTurns: this.#o.maxTurns ?? 32,
      temperature: this.#o.temperature ?? 1,
      seed: episodeSeed(this.#o.seed ?? 0, request.id, request.sample),
      sampleIndex: request.sample,
      reward: null,
      logprobs: false,
      signal: request.signal,
    })
    return trajectory.answer
  }
}
