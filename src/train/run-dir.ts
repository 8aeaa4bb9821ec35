// A training run's folder, shared by `ars train sft` and `ars train` (RL): run.json (what the run is, checked on
// resume), metrics.jsonl (append-only, repaired after a kill), checkpoints/step-NNNNNN/ (complete HF model folders
// plus optimizer and trainer state, each written staged and renamed) and a `latest` symlink swapped atomically.
import {createHash} from 'node:crypto'
import {existsSync, lstatSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {appendFile, mkdir, readFile, readlink, rename, rm, symlink, truncate, writeFile} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import {stageDir} from '../core/index.js'
import {DataError, UsageError} from '../core/index.js'
import {parseRecord, TrainMetricType, type TrainMetric} from '../core/index.js'
import {loadCheckpoint, writeModelFiles, type Checkpoint} from '../model/index.js'
import {toHfConfig, type ModelConfig} from '../model/index.js'
import {saveWeights} from '../model/index.js'
import type {OptimizerState} from '../model/index.js'
import {OPTIMIZER_FILE, readOptimizerState, writeOptimizerState} from './optimizer-file.js'

export const RUN_FILE = 'run.json'
export const METRICS_FILE = 'metrics.jsonl'
export const CHECKPOINTS_DIR = 'checkpoints'
export const LATEST_LINK = 'latest'
export const TRAINER_STATE_FILE = 'trainer_state.json'

/** What a run is: written once to run.json; a resume must present the same `settings`, config hash and data. */
export interface RunManifest {
  /** `train sft`, `train`, … */
  command: string
  /** Settings a resume must repeat exactly (flag name → value), e.g. `{lr: 1e-3, epochs: 2, seed: 0}`. */
  settings: Record<string, unknown>
  /** Recorded for the reader only (never compared): flags that may change on resume (`save-every`, `quiet`…). */
  flags?: Record<string, unknown>
  /** `modelConfigHash(config)` of the starting model. */
  model_config_hash: string
  /** A hash of the training data (`fingerprint(...)`); '' when the data is not fixed (RL rollouts). */
  data_fingerprint: string
}

interface StoredManifest extends RunManifest {
  version: 1
  created: string
}

/** Everything besides weights that a resume needs; written as trainer_state.json inside each checkpoint. */
export interface TrainerState {
  step: number
  policy_version: number
  epoch: number
  /** Position in the current epoch's data order (examples consumed). */
  cursor: number
  /** Milliseconds of training so far (TrainMetric.time_ms continues from it). */
  elapsed_ms: number
  /** `Rng.state` of any generator the run draws from. */
  rng?: Record<string, number[]>
  [key: string]: unknown
}

export interface CheckpointInfo {
  step: number
  /** Absolute path of the checkpoint folder. */
  dir: string
}

export interface LoadedRunCheckpoint extends CheckpointInfo {
  checkpoint: Checkpoint
  optimizerState: OptimizerState | undefined
  trainerState: TrainerState
}

export interface OpenRunOptions {
  /** Continue the run in `dir` (default false). A missing or empty folder starts a new run. */
  resume?: boolean
  /** Delete an existing run in `dir` and start over (default false). */
  force?: boolean
  /** Checkpoints to keep (default 3; 0 keeps all). The one `latest` points at is never deleted. */
  keep?: number
  /** The flag that names the folder, for messages (default `--out`). */
  flagName?: string
  /**
   * How a setting is named in a resume-mismatch message when it is not the flag `--` + the key with `_` as `-`
   * (e.g. `ars train`'s `scale_by_std`, set by `--no-std`).
   */
  settingLabels?: Record<string, string>
  /** Warnings (repairs) go here; default stderr. */
  warn?: (message: string) => void
}

export interface SaveRunCheckpointInput {
  checkpoint: Checkpoint
  optimizerState?: OptimizerState
  trainerState: TrainerState
}

/** sha256 of a value's canonical JSON (object keys sorted), for run.json fingerprints. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex')
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    }
    if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>)
    return v
  })
}

export function modelConfigHash(config: ModelConfig): string {
  return fingerprint(toHfConfig(config)).slice(0, 16)
}

export function checkpointName(step: number): string {
  return `step-${String(step).padStart(6, '0')}`
}

const CHECKPOINT_PATTERN = /^step-(\d{6,})$/

function isEmptyDir(dir: string): boolean {
  return readdirSync(dir).length === 0
}

export class RunDir {
  /** Absolute path of the run folder. */
  readonly dir: string
  readonly manifest: StoredManifest
  /** True when this run continues an earlier one (run.json existed and matched). */
  readonly resumed: boolean
  readonly #keep: number
  readonly #warn: (message: string) => void

  private constructor(dir: string, manifest: StoredManifest, resumed: boolean, keep: number, warn: (message: string) => void) {
    this.dir = dir
    this.manifest = manifest
    this.resumed = resumed
    this.#keep = keep
    this.#warn = warn
  }

  /**
   * Create or reopen a run folder. New: `dir` missing or empty, or `force` (an existing run is deleted first;
   * a non-empty folder without run.json is never deleted). Existing without `resume`/`force`: UsageError.
   * Resume: run.json must match `manifest` (command, every setting, model config hash, data fingerprint); the
   * metrics file is cut back to the last complete line and to the newest checkpoint's step, and leftovers
   * of interrupted checkpoint writes are removed.
   */
  static async open(dir: string, manifest: RunManifest, options: OpenRunOptions = {}): Promise<RunDir> {
    const flag = options.flagName ?? '--out'
    const keep = options.keep ?? 3
    const warn = options.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`))
    if (!(Number.isInteger(keep) && keep >= 0)) throw new UsageError(`--keep: expected an integer ≥ 0, got ${keep}`, {fix: 'Pass --keep 3 (0 keeps every checkpoint).'})
    const target = resolve(dir)
    const exists = existsSync(target)
    if (exists && !statSync(target).isDirectory()) throw new UsageError(`${dir}: exists and is not a folder`, {code: 'run-dir', fix: `Choose another ${flag}.`})
    const runFile = join(target, RUN_FILE)
    const hasRun = exists && existsSync(runFile)
    if (exists && !hasRun && !isEmptyDir(target)) {
      throw new UsageError(`${dir}: exists and is not an ars run folder (no ${RUN_FILE})`, {code: 'run-dir', fix: `Choose a new ${flag} (this folder is never deleted, even with --force).`})
    }
    if (hasRun && options.resume && !options.force) {
      const stored = readManifest(runFile)
      compareManifest(dir, stored, manifest, flag, options.settingLabels ?? {})
      const run = new RunDir(target, stored, true, keep, warn)
      await run.#repair()
      return run
    }
    if (hasRun && !options.force) {
      throw new UsageError(`${dir}: a run already exists here`, {code: 'run-exists', fix: `Pass --resume to continue it, --force to start over, or choose a new ${flag}.`})
    }
    if (hasRun) await rm(target, {recursive: true, force: true})
    await mkdir(join(target, CHECKPOINTS_DIR), {recursive: true})
    const stored: StoredManifest = {version: 1, created: new Date().toISOString(), ...manifest}
    await writeFileAtomic(runFile, `${JSON.stringify(stored, null, 2)}\n`)
    return new RunDir(target, stored, false, keep, warn)
  }

  get metricsPath(): string {
    return join(this.dir, METRICS_FILE)
  }

  get checkpointsDir(): string {
    return join(this.dir, CHECKPOINTS_DIR)
  }

  get latestPath(): string {
    return join(this.dir, LATEST_LINK)
  }

  /** Complete checkpoints (those with trainer_state.json), oldest first. */
  checkpoints(): CheckpointInfo[] {
    if (!existsSync(this.checkpointsDir)) return []
    const list: CheckpointInfo[] = []
    for (const name of readdirSync(this.checkpointsDir)) {
      const match = CHECKPOINT_PATTERN.exec(name)
      const path = join(this.checkpointsDir, name)
      if (match && existsSync(join(path, TRAINER_STATE_FILE))) list.push({step: Number(match[1]), dir: path})
    }
    return list.sort((a, b) => a.step - b.step)
  }

  /** The newest complete checkpoint, or undefined when the run has none yet. */
  latestCheckpoint(): CheckpointInfo | undefined {
    return this.checkpoints().at(-1)
  }

  /** Model, optimizer state and trainer state of a checkpoint (default the newest). */
  async loadCheckpoint(info: CheckpointInfo | undefined = this.latestCheckpoint()): Promise<LoadedRunCheckpoint | undefined> {
    if (!info) return undefined
    const checkpoint = await loadCheckpoint(info.dir)
    const statePath = join(info.dir, TRAINER_STATE_FILE)
    let trainerState: TrainerState
    try {
      trainerState = JSON.parse(await readFile(statePath, 'utf8')) as TrainerState
    } catch (error) {
      throw new DataError(`not valid JSON (${(error as Error).message})`, {code: 'trainer-state', where: statePath, fix: 'Delete this checkpoint folder to resume from the one before, or start over with --force.'})
    }
    if (!Number.isInteger(trainerState.step) || trainerState.step !== info.step) {
      throw new DataError(`step is ${String(trainerState.step)}, expected ${info.step} (the folder name)`, {code: 'trainer-state', where: statePath, fix: 'Delete this checkpoint folder to resume from the one before, or start over with --force.'})
    }
    const optimizerPath = join(info.dir, OPTIMIZER_FILE)
    const optimizerState = existsSync(optimizerPath) ? await readOptimizerState(optimizerPath) : undefined
    return {...info, checkpoint, optimizerState, trainerState}
  }

  /**
   * Write checkpoints/step-NNNNNN/ (config, tokenizer, model.safetensors, optimizer.safetensors, and
   * trainer_state.json last) in a staged temp folder, rename it into place, point `latest` at it, prune old ones.
   */
  async saveCheckpoint(input: SaveRunCheckpointInput): Promise<CheckpointInfo> {
    const {step} = input.trainerState
    if (!(Number.isInteger(step) && step >= 0)) throw new RangeError(`Expected trainerState.step to be an integer ≥ 0, got ${step}`)
    const target = join(this.checkpointsDir, checkpointName(step))
    await mkdir(this.checkpointsDir, {recursive: true})
    const staged = stageDir(target)
    await mkdir(staged.temp)
    try {
      await writeModelFiles(staged.temp, input.checkpoint)
      await saveWeights(staged.temp, input.checkpoint.weights)
      if (input.optimizerState) await writeOptimizerState(join(staged.temp, OPTIMIZER_FILE), input.optimizerState)
      await writeFile(join(staged.temp, TRAINER_STATE_FILE), `${JSON.stringify(input.trainerState, null, 2)}\n`)
      await staged.commit()
    } catch (error) {
      await staged.discard()
      throw error
    }
    await this.#pointLatestAt(target)
    await this.#prune()
    return {step, dir: target}
  }

  /** Append one TrainMetric line (validated) to metrics.jsonl. */
  async appendMetric(metric: TrainMetric | Record<string, unknown>): Promise<TrainMetric> {
    const record = parseRecord(TrainMetricType, metric, METRICS_FILE)
    await appendFile(this.metricsPath, `${JSON.stringify(record)}\n`)
    return record
  }

  /** The metrics written so far (complete lines). */
  async readMetrics(): Promise<TrainMetric[]> {
    if (!existsSync(this.metricsPath)) return []
    const text = await readFile(this.metricsPath, 'utf8')
    return text.split('\n').filter((l) => l.length > 0).map((l, i) => parseRecord(TrainMetricType, JSON.parse(l), `${this.metricsPath}:${i + 1}`))
  }

  async #pointLatestAt(checkpointDir: string): Promise<void> {
    // rename() over an existing symlink replaces it in one step, so readers see the old or the new target.
    const relative = join(CHECKPOINTS_DIR, checkpointDir.slice(this.checkpointsDir.length + 1))
    const temp = join(this.dir, `.${LATEST_LINK}.tmp-${process.pid}-${Date.now()}`)
    await symlink(relative, temp, 'dir')
    await rename(temp, this.latestPath)
  }

  async #latestTarget(): Promise<string | undefined> {
    try {
      return resolve(this.dir, await readlink(this.latestPath))
    } catch {
      return undefined
    }
  }

  async #prune(): Promise<void> {
    if (this.#keep === 0) return
    const list = this.checkpoints()
    const latest = await this.#latestTarget()
    for (const info of list.slice(0, Math.max(0, list.length - this.#keep))) {
      if (info.dir === latest) continue
      await rm(info.dir, {recursive: true, force: true})
    }
  }

  /** After a kill: drop half-written checkpoint folders, re-point `latest`, cut metrics back to the checkpoint. */
  async #repair(): Promise<void> {
    if (existsSync(this.checkpointsDir)) {
      for (const name of readdirSync(this.checkpointsDir)) {
        if (name.startsWith('.')) await rm(join(this.checkpointsDir, name), {recursive: true, force: true})
      }
    } else await mkdir(this.checkpointsDir, {recursive: true})
    for (const name of readdirSync(this.dir)) {
      if (name.startsWith(`.${LATEST_LINK}.tmp-`) || name.startsWith(`.${RUN_FILE}.tmp-`)) await rm(join(this.dir, name), {force: true})
    }
    const newest = this.latestCheckpoint()
    if (newest && (await this.#latestTarget()) !== newest.dir) await this.#pointLatestAt(newest.dir)
    if (!newest && existsSync(this.latestPath) && lstatSync(this.latestPath).isSymbolicLink()) await rm(this.latestPath, {force: true})
    await this.#repairMetrics(newest?.step ?? 0)
  }

  async #repairMetrics(upToStep: number): Promise<void> {
    const path = this.metricsPath
    if (!existsSync(path)) return
    const text = await readFile(path, 'utf8')
    const complete = text.endsWith('\n') || text.length === 0 ? text : text.slice(0, text.lastIndexOf('\n') + 1)
    if (complete.length !== text.length) this.#warn(`${path}: removed a cut-off last line (${text.length - complete.length} bytes) left by an interrupted run`)
    // Steps after the checkpoint are redone by the resumed run; keep only what it will not write again.
    const kept: string[] = []
    let dropped = 0
    for (const line of complete.split('\n')) {
      if (line.length === 0) continue
      let step: unknown
      try {
        step = (JSON.parse(line) as {step?: unknown}).step
      } catch {
        step = undefined
      }
      if (typeof step === 'number' && step > upToStep) dropped++
      else kept.push(line)
    }
    if (dropped === 0) {
      if (complete.length !== text.length) await truncate(path, Buffer.byteLength(complete))
      return
    }
    await writeFileAtomic(path, kept.map((l) => `${l}\n`).join(''))
  }
}

function readManifest(path: string): StoredManifest {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as StoredManifest
    if (!value || typeof value !== 'object' || typeof value.command !== 'string' || typeof value.settings !== 'object') throw new Error('missing command or settings')
    return value
  } catch (error) {
    throw new DataError(`not a valid run manifest (${(error as Error).message})`, {code: 'run-manifest', where: path, fix: 'Start over with --force, or choose a new --out.'})
  }
}

function show(value: unknown): string {
  return value === undefined ? '(unset)' : JSON.stringify(value)
}

/** The first difference between a stored run and the one being resumed, as a UsageError naming the setting. */
function compareManifest(dir: string, stored: StoredManifest, wanted: RunManifest, flag: string, labels: Record<string, string>): void {
  const fix = (setting: string) => `Resume with the same ${setting}, pass --force to start over, or choose a new ${flag}.`
  if (stored.command !== wanted.command) {
    throw new UsageError(`${dir}: is a \`ars ${stored.command}\` run, cannot resume it with \`ars ${wanted.command}\``, {code: 'run-mismatch', fix: `Pass --force to start over, or choose a new ${flag}.`})
  }
  const keys = [...new Set([...Object.keys(stored.settings), ...Object.keys(wanted.settings)])].sort()
  for (const key of keys) {
    const a = canonicalJson(stored.settings[key])
    const b = canonicalJson(wanted.settings[key])
    if (a !== b) {
      // Settings are stored under their keys (ars train's are snake_case since its first runs); messages name the flag.
      const label = labels[key] ?? `--${key.replaceAll('_', '-')}`
      throw new UsageError(`${dir}: ${label} is ${show(wanted.settings[key])} but the run being resumed used ${show(stored.settings[key])}`, {code: 'run-mismatch', fix: fix(label)})
    }
  }
  if (stored.model_config_hash !== wanted.model_config_hash) {
    throw new UsageError(`${dir}: --model has a different config.json (hash ${wanted.model_config_hash}) than the run being resumed (${stored.model_config_hash})`, {code: 'run-mismatch', fix: fix('--model')})
  }
  if (stored.data_fingerprint !== wanted.data_fingerprint) {
    throw new UsageError(`${dir}: the training data differs from the run being resumed (fingerprint ${wanted.data_fingerprint.slice(0, 12)}, run.json has ${stored.data_fingerprint.slice(0, 12)})`, {code: 'run-mismatch', fix: fix('input files')})
  }
}

async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temp = join(resolve(path, '..'), `.${path.split('/').at(-1) ?? 'file'}.tmp-${process.pid}-${Date.now()}`)
  await writeFile(temp, text)
  await rename(temp, path)
}
