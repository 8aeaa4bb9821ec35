// Where `ars train` generates: the in-process ONNX engine (default), or a pool of generation servers
// (`--generation URL,…`: `ars serve model`, SGLang, vLLM). Either way the controller sees a LanguageModel for the
// agent loop and one `publish(version, weights)`: in process it swaps the engine's weights (interrupt mode); with
// servers it writes the version as a model folder (OUT/generation/v-N/ unless --generation-dir) and has every
// server load it.
import {rm, readdir, rename, symlink} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import type {LanguageModel} from '../llm/index.js'
import type {GenerationServer} from '../llm/index.js'
import type {Checkpoint} from '../model/index.js'
import type {ModelConfig, Weights} from '../model/index.js'
import type {HfTokenizer} from '../model/index.js'

export interface PolicyGeneration {
  readonly lm: LanguageModel
  /** Resolves once `version` is what new generations use (servers: every healthy one loaded it). */
  publish(version: number, weights: Weights): Promise<void>
  close(): Promise<void>
  /** Servers: their state at the end (episodes served, health), for the run's log. */
  describe?(): string
}

export interface GenerationSetup {
  /** The model spec recorded as the LanguageModel id. */
  model: string
  checkpoint: Checkpoint
  config: ModelConfig
  tokenizer: HfTokenizer
  version: number
  /** Episodes in flight (the engine's batch size). */
  concurrency: number
  threads?: number
  /** Servers: where published versions are written (v-N/ and a `current` link to the newest). */
  dir: string
  servers?: readonly GenerationServer[]
  warn: (message: string) => void
}

export async function openGeneration(s: GenerationSetup): Promise<PolicyGeneration> {
  return s.servers?.length ? openServerGeneration(s, s.servers) : openLocalGeneration(s)
}

async function openLocalGeneration(s: GenerationSetup): Promise<PolicyGeneration> {
  const [{GenerationEngine}, {OnnxModel}] = await Promise.all([import('../model/onnx/engine.js'), import('../llm/index.js')])
  const engine = await GenerationEngine.create({config: s.config, model: s.checkpoint.weights, version: s.version, decoder: s.tokenizer, maxBatchSize: Math.max(1, s.concurrency), swapMode: 'interrupt', intraOpNumThreads: s.threads ?? 1})
  const lm = new OnnxModel(`onnx:${s.model}`, engine, s.tokenizer, s.config)
  return {lm, publish: (version, weights) => engine.publish(version, weights), close: () => lm.close()}
}

/** Versions kept on disk: a server that is still loading an older one must find it. */
const KEEP_VERSIONS = 3

async function openServerGeneration(s: GenerationSetup, servers: readonly GenerationServer[]): Promise<PolicyGeneration> {
  const [{GenerationPool}, {saveCheckpoint}] = await Promise.all([import('../llm/index.js'), import('../model/index.js')])
  const pool = await GenerationPool.open({
    servers, tokenizer: s.tokenizer,
    onEvent: (e) => s.warn(`generation server ${e.url} ${e.kind === 'down' ? `is out: ${e.reason}` : `is back (${e.reason})`}`),
  })
  const folder = resolve(s.dir)
  const written: string[] = []
  const publish = async (version: number, weights: Weights): Promise<void> => {
    const dir = join(folder, `v-${String(version).padStart(6, '0')}`)
    await saveCheckpoint(dir, {...s.checkpoint, config: s.config, weights}, {overwrite: true})
    // vLLM reloads the folder it was started on: keep OUT/generation/current pointing at the newest version.
    const link = join(folder, 'current')
    await rm(`${link}.tmp`, {force: true})
    await symlink(dir, `${link}.tmp`)
    await rename(`${link}.tmp`, link)
    await pool.publish(dir, version)
    written.push(dir)
    for (const old of written.splice(0, Math.max(0, written.length - KEEP_VERSIONS))) await rm(old, {recursive: true, force: true})
  }
  // Versions left by an earlier (killed) run of this folder: never loaded again.
  for (const name of await readdir(folder).catch(() => [] as string[])) if (/^v-\d+$/.test(name)) await rm(join(folder, name), {recursive: true, force: true})
  try {
    // Every server starts from the trainer's weights, whatever folder it was started with (a resumed run's too).
    await publish(s.version, s.checkpoint.weights)
  } catch (error) {
    await pool.close()
    throw error
  }
  return {
    lm: pool,
    publish,
    close: () => pool.close(),
    describe: () => pool.servers.map((m) => `${m.url}: ${m.served} generations, ${m.healthy ? `healthy at version ${m.version}` : 'out'}`).join('; '),
  }
}
