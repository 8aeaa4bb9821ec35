// Build the engine a `synthesize` command line asks for: resolves the world, model and search provider and
// checks the combination eagerly (exit 2 with the fix before any seed is read).
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {UsageError} from '../core/index.js'
import type {ProgressCallback} from '../core/index.js'
import {loadWorld} from '../world/index.js'
import {KbEngine} from './kb/kb-engine.js'
import type {DifficultyProbe, SynthEngine} from './engine.js'
import type {LanguageModel} from '../llm/index.js'
import {ClosedBookSolver} from '../answer/index.js'
import {isWorldDir} from '../core/index.js'

export const SYNTH_ENGINES = ['kb', 'llm'] as const
export type SynthEngineName = (typeof SYNTH_ENGINES)[number]

export interface EngineFlags {
  engine: SynthEngineName
  world?: string
  model?: string
  search?: string
  maxEdits: number
  difficultySamples: number
  targetHops: number
  judgeRetries: number
  seed: number
  baseUrl?: string | readonly string[]
  /** Let the page reader open loopback/private addresses (a local `ars serve web`). */
  readAllowPrivate?: boolean
  progress?: ProgressCallback
}

async function modelAndProbe(flags: EngineFlags): Promise<{model: LanguageModel | undefined; probe: DifficultyProbe | undefined; close(): Promise<void>}> {
  if (!flags.model) return {model: undefined, probe: undefined, close: async () => {}}
  const {resolveModel} = await import('../llm/index.js')
  const model = await resolveModel(flags.model, {baseUrl: flags.baseUrl})
  return {model, probe: {solver: new ClosedBookSolver(model, {seed: flags.seed}), samples: flags.difficultySamples}, close: async () => model.close?.()}
}

export async function createEngine(flags: EngineFlags): Promise<SynthEngine> {
  if (flags.engine === 'kb') {
    if (!flags.world) throw new UsageError('--engine kb needs --world DIR', {code: 'flag', fix: 'Pass --world datasets/world-small (or a directory from `ars world build`), or use --engine llm.'})
    if (!isWorldDir(flags.world)) throw new UsageError(`--world ${flags.world}: not a world directory (no world.json)`, {code: 'world-missing', fix: 'Build one with `ars world build --out DIR`, or use datasets/world-small.'})
    if (flags.search) throw new UsageError('--search is used by --engine llm; the kb engine reads facts from the knowledge base', {code: 'flag', fix: 'Drop --search, or use --engine llm.'})
    const {probe, close} = await modelAndProbe(flags)
    const {world} = await loadWorld(flags.world, {onProgress: flags.progress})
    const engine = new KbEngine({world, worldDir: flags.world, difficulty: probe, limits: {maxEdits: flags.maxEdits, targetHops: flags.targetHops}})
    return Object.assign(engine, {close})
  }
  if (flags.world) throw new UsageError('--world is used by --engine kb', {code: 'flag', fix: 'Drop --world, or use --engine kb.'})
  if (!flags.model) throw new UsageError('--engine llm needs --model (it proposes and judges the edits)', {code: 'flag', fix: 'Pass --model openai:ID (with --base-url) or --model onnx:DIR, or use --engine kb --world DIR.'})
  if (!flags.search) throw new UsageError('--engine llm needs --search (injected facts are looked up)', {code: 'flag', fix: 'Pass --search with an index folder, world folder, retrieval-server URL, serper: or searxng:URL.'})
  // The agent's own tools, so a world folder searches its index and reads its pages offline, as rollout does.
  const {resolveAgentTools} = await import('../agent/index.js')
  const tools = await resolveAgentTools({search: flags.search, readAllowPrivate: flags.readAllowPrivate ?? false})
  const {search, reader} = tools
  const {model, probe, close} = await modelAndProbe(flags).catch(async (e: unknown) => {
    await tools.close()
    throw e
  })
  const {LlmEngine} = await import('./llm/llm-engine.js')
  const engine = new LlmEngine({model: model as LanguageModel, search, reader, difficulty: probe, judgeRetries: flags.judgeRetries, limits: {maxEdits: flags.maxEdits}})
  return Object.assign(engine, {close: async () => {
    await close()
    await tools.close()
  }})
}
