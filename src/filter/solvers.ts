// Build the difficulty check's solvers from flags: the closed-book model for --no-tool-fail and the agent
// (model + search + page reader) for --difficulty. Models and search providers are resolved by their registries.
import type {ToolName} from '../agent/index.js'
import {UsageError} from '../core/index.js'
import type {DifficultyOptions} from './difficulty.js'
import type {PassRange} from './pass-range.js'

export interface DifficultyFlags {
  difficulty: boolean
  noToolFail: boolean
  model?: string
  search?: string
  samples: number
  range: PassRange
  maxTurns: number
  /** Agent format of the --difficulty rollouts (default asearcher). */
  agentFormat?: string
  seed: number
  /** openai: server root ending in /v1. */
  baseUrl?: string | readonly string[]
  /** Let the agent's `access` open loopback/private addresses (a local `ars serve web`). */
  readAllowPrivate?: boolean
  /** Tools of the --difficulty agent (default search, access); file is not offered (filter carries no attachments). */
  tools?: readonly ToolName[]
}

export interface DifficultySetup {
  options: DifficultyOptions
  close(): Promise<void>
}

export async function createDifficulty(flags: DifficultyFlags): Promise<DifficultySetup | undefined> {
  if (!flags.difficulty && !flags.noToolFail) {
    if (flags.model || flags.search) throw new UsageError('--model/--search are only used with --difficulty or --no-tool-fail', {code: 'flag', fix: 'Add --difficulty (agent pass rate) or --no-tool-fail (closed-book), or drop --model/--search.'})
    return undefined
  }
  if (!flags.model) throw new UsageError(`--${flags.difficulty ? 'difficulty' : 'no-tool-fail'} needs --model`, {code: 'flag', fix: 'Pass --model provider:id, e.g. --model onnx:DIR or --model openai:qwen2.5-7b.'})
  if (flags.difficulty && !flags.search) throw new UsageError('--difficulty needs --search (the agent rolls out with tools)', {code: 'flag', fix: 'Pass --search world/ (an index folder, world folder, retrieval URL, serper: or searxng:URL), or use --no-tool-fail for a closed-book check.'})
  const {resolveModel} = await import('../llm/index.js')
  const model = await resolveModel(flags.model, {baseUrl: flags.baseUrl})
  const options: DifficultyOptions = {}
  const closers: (() => Promise<void>)[] = [async () => model.close?.()]
  if (flags.noToolFail) {
    const {ClosedBookSolver} = await import('../answer/index.js')
    options.noTools = {solver: new ClosedBookSolver(model, {seed: flags.seed}), samples: flags.samples}
  }
  if (flags.difficulty) {
    const {resolveAgentTools} = await import('../agent/index.js')
    const {AgentSolver} = await import('./agent-solver.js')
    const {agentFormat} = await import('../agent/index.js')
    const tools = await resolveAgentTools({search: flags.search as string, readAllowPrivate: flags.readAllowPrivate, ...(flags.tools ? {enabled: flags.tools} : {})})
    closers.push(() => tools.close())
    const format = flags.agentFormat || flags.tools ? agentFormat(flags.agentFormat ?? 'asearcher', flags.tools ? {tools: flags.tools} : {}) : undefined
    options.withTools = {solver: new AgentSolver({model, tools, maxTurns: flags.maxTurns, seed: flags.seed, ...(format ? {format} : {})}), samples: flags.samples, range: flags.range}
  }
  return {options, close: async () => {
    for (const c of closers) await c()
  }}
}
