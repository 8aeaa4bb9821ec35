// Builds the Answerer `ars eval` runs: the search agent (src/agent `runEpisode`) over --model and --search,
// closed-book when --search is "none". Agent, model and tool modules are imported lazily: they load model
// runtimes, and `ars eval score|compare|list` must stay instant.
import {UsageError} from '../core/index.js'
import {defaultWorldDir} from './benchmarks.js'
import type {Trajectory} from '../core/index.js'
import type {LanguageModel} from '../llm/index.js'
import type {AgentTools} from '../agent/index.js'
import type {EpisodeOptions} from '../agent/index.js'
import type {ToolName} from '../agent/index.js'
import {worldTools} from '../agent/index.js'
import {isWorldDir} from '../core/index.js'
import {resolveLanguageModel} from './agent-bridge.js'
import {closedBookAnswerer} from './answerers.js'
import type {AnswerResult, Answerer} from './run.js'

export interface AnswererSpec {
  model: string
  /** openai: server roots (several: a load-balanced pool). Default OPENAI_BASE_URL. */
  baseUrl?: readonly string[]
  search: string
  temperature: number
  maxTurns?: number
  /** Agent format (asearcher, deepresearcher, search-r1); default the agent's. */
  format?: string
  /** Let `access` open loopback/private addresses (a local world web server). */
  readAllowPrivate?: boolean
  worldDir?: string | undefined
  /** Tools the agent may call (default: the format's own). */
  tools?: readonly ToolName[]
  /** Folder of question attachments for the file tool. */
  attachmentsDir?: string
}

export interface OpenAnswerer {
  answer: Answerer
  close(): Promise<void>
}

/** Trajectory → the eval's view of it: answer, numeric stats for the report, and the finish reason. */
export function answerFromTrajectory(t: Trajectory): AnswerResult {
  const stats: Record<string, number> = {}
  for (const [k, v] of Object.entries(t.stats)) if (typeof v === 'number' && Number.isFinite(v)) stats[k] = v
  const error = t.finish_reason === 'error' ? String((t.meta as {error?: unknown}).error ?? 'episode failed') : undefined
  return {answer: t.answer, stats, ...(error ? {error} : {}), meta: {finish_reason: t.finish_reason}}
}

/**
 * `--model oracle`: the world's scripted oracle (src/world/oracle.ts), which solves a world question by
 * following its KB path with real searches and page reads over the world's tools. Only world questions (with
 * meta.path) can be solved.
 */
async function oracleAnswerer(spec: AnswererSpec): Promise<OpenAnswerer> {
  const worldDir = isWorldDir(spec.search) ? spec.search : spec.worldDir ?? defaultWorldDir()
  if (!isWorldDir(worldDir)) throw new UsageError(`--model oracle needs a world directory: ${worldDir} has no world.json`, {code: 'world-missing', fix: 'Pass --search DIR (or --world DIR) naming a world built by `ars world build`.'})
  const {loadWorld, Oracle} = await import('../world/index.js')
  const {world} = await loadWorld(worldDir)
  const tools = await worldTools(worldDir)
  const answer: Answerer = async (question, sample) => {
    const oracle = new Oracle({world, search: tools.search, reader: tools.reader, signal: sample.signal})
    return answerFromTrajectory(await oracle.solve(question, sample.index))
  }
  return {answer, close: () => tools.close()}
}

/**
 * The agent over a model and tools that are already open (the caller owns and closes them): `ars eval` uses it
 * through makeAnswerer, and training (`--eval-every`) with its in-process engine on the current weights.
 */
export async function agentAnswerer(model: LanguageModel, tools: AgentTools, episode: Omit<EpisodeOptions, 'model' | 'tools' | 'seed' | 'sampleIndex' | 'signal' | 'reward'>, onTrajectory?: (t: Trajectory) => void): Promise<Answerer> {
  const {runEpisode} = await import('../agent/index.js')
  return async (question, sample) => {
    const t = await runEpisode(question, {...episode, model, tools, seed: sample.seed, sampleIndex: sample.index, signal: sample.signal, reward: null})
    onTrajectory?.(t)
    return answerFromTrajectory(t)
  }
}

export async function makeAnswerer(spec: AnswererSpec): Promise<OpenAnswerer> {
  if (spec.model === 'oracle') return oracleAnswerer(spec)
  if (spec.search === 'none') {
    const model = await resolveLanguageModel(spec.model, '--model', spec.baseUrl)
    return {answer: closedBookAnswerer(model, {temperature: spec.temperature}), close: async () => model.close?.()}
  }
  const {resolveAgentTools, agentFormat} = await import('../agent/index.js')
  const model: LanguageModel = await resolveLanguageModel(spec.model, '--model', spec.baseUrl)
  let tools: AgentTools
  try {
    tools = await resolveAgentTools({search: spec.search, ...(spec.readAllowPrivate ? {readAllowPrivate: true} : {}), ...(spec.tools ? {enabled: spec.tools} : {}), ...(spec.attachmentsDir ? {attachmentsDir: spec.attachmentsDir} : {}), onNote: () => {}})
  } catch (error) {
    await model.close?.()
    throw error
  }
  const format = spec.format || spec.tools ? agentFormat(spec.format ?? 'asearcher', spec.tools ? {tools: spec.tools} : {}) : undefined
  const answer = await agentAnswerer(model, tools, {temperature: spec.temperature, ...(format ? {format} : {}), ...(spec.maxTurns ? {maxTurns: spec.maxTurns} : {})})
  return {
    answer,
    close: async () => {
      await model.close?.()
      await tools.close()
    },
  }
}
