// The frame every training run shares (`ars train sft`, `ars train`): the start model and its tokenizer, the run
// folder (settings a resume must repeat, the checkpoint it resumes from), metrics appended to metrics.jsonl and
// handed on, the save schedule (a step is saved once; the report is rewritten with each save), progress, the stop
// signal and teardown. Each trainer keeps only what is its own: its data plan or producer and its step body.
import {basename} from 'node:path'
import {ProgressTask, UsageError, type ProgressCallback, type TrainMetric} from '../core/index.js'
import {loadCheckpoint, type Checkpoint, type TfjsBackendChoice, type TokenizerFiles} from '../model/index.js'
import {RunDir, type LoadedRunCheckpoint, type RunManifest, type SaveRunCheckpointInput} from './run-dir.js'
import {SaveSchedule} from './save-schedule.js'
import {writeTrainReport} from './train-report.js'

/** The options `ars train sft` and `ars train` share (RlOptions and SftOptions extend it). */
export interface TrainingOptions {
  /** Starting model folder (config.json, tokenizer.json, model.safetensors). */
  model: string
  /** Run folder (run.json, metrics.jsonl, checkpoints/, latest). */
  out: string
  /** Peak AdamW learning rate (each trainer has its own default). */
  learningRate?: number
  /** AdamW decoupled weight decay (default 0). */
  weightDecay?: number
  /** Global gradient-norm clip (default 1; 0 disables). */
  maxGradNorm?: number
  /** Checkpoint every N steps (default 0: only at the end and on a stop). */
  saveEvery?: number
  /** Also checkpoint when this many minutes passed since the last one (default 10; 0: off). See save-schedule.ts. */
  saveEveryMinutes?: number
  /** Checkpoints kept (default 3; 0 = all). */
  keep?: number
  resume?: boolean
  force?: boolean
  /** Default 0. */
  seed?: number
  backend?: TfjsBackendChoice
  /** Ctrl-C: take no new work, finish the current step, checkpoint, return. */
  stopSignal?: AbortSignal
  /** Each metric, after it was appended to metrics.jsonl (commands write it to stdout). */
  onMetric?: (metric: TrainMetric) => void | Promise<void>
  progress?: ProgressCallback
  /** Default: `warning: …` on stderr. */
  warn?: (message: string) => void
}

/** The start model of a run, with the tokenizer every trainer needs. */
export async function loadStartModel(model: string): Promise<Checkpoint & {tokenizer: TokenizerFiles}> {
  const checkpoint = await loadCheckpoint(model)
  if (!checkpoint.tokenizer) throw new UsageError(`${model}: the model has no tokenizer`, {code: 'tokenizer', fix: 'Training needs tokenizer.json beside the weights (ars model init --tokenizer …).'})
  return checkpoint as Checkpoint & {tokenizer: TokenizerFiles}
}

export class TrainingSession {
  readonly run: RunDir
  /** The checkpoint a `--resume` continues from (undefined for a new run, or a resumed one with none yet). */
  readonly resumed: LoadedRunCheckpoint | undefined
  readonly warn: (message: string) => void
  readonly #options: TrainingOptions
  readonly #stopListeners: Array<() => void> = []
  #schedule: SaveSchedule | undefined
  #savedStep: number | undefined
  #checkpointDir: string | undefined

  private constructor(options: TrainingOptions, run: RunDir, resumed: LoadedRunCheckpoint | undefined, warn: (message: string) => void) {
    this.#options = options
    this.run = run
    this.resumed = resumed
    this.warn = warn
    this.#savedStep = resumed ? resumed.trainerState.step : undefined
    this.#checkpointDir = resumed?.dir
  }

  /** Opens (or, with `resume`, reopens) the run folder for `manifest` and loads the checkpoint a resume starts from. */
  static async open(options: TrainingOptions, manifest: RunManifest, settingLabels?: Record<string, string>): Promise<TrainingSession> {
    const warn = options.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`))
    const run = await RunDir.open(options.out, manifest, {resume: options.resume, force: options.force, keep: options.keep, warn, ...(settingLabels ? {settingLabels} : {})})
    const resumed = run.resumed ? await run.loadCheckpoint() : undefined
    return new TrainingSession(options, run, resumed, warn)
  }

  /** True once the stop signal fired. */
  get stopped(): boolean {
    return this.#options.stopSignal?.aborted ?? false
  }

  /** Calls `listener` once when the stop signal fires (until close()). */
  onStop(listener: () => void): void {
    const signal = this.#options.stopSignal
    if (!signal) return
    signal.addEventListener('abort', listener, {once: true})
    this.#stopListeners.push(() => signal.removeEventListener('abort', listener))
  }

  /** The loop begins: progress (advanced past a resumed run's steps) and the save clock start now. */
  begin(label: string, total: number, startStep: number, resumedNote?: string): ProgressTask {
    const task = new ProgressTask(this.#options.progress, label, total, 'steps')
    if (startStep > 0) task.advance(startStep, resumedNote)
    this.#schedule = new SaveSchedule({everySteps: this.#options.saveEvery ?? 0, everyMinutes: this.#options.saveEveryMinutes})
    return task
  }

  /** Appends a step's metric to metrics.jsonl (with the run's name) and hands it on. */
  async appendMetric(metric: Record<string, unknown>): Promise<TrainMetric> {
    const record = await this.run.appendMetric({...metric, run: basename(this.run.dir)})
    await this.handOn(record)
    return record
  }

  /** Hands on a metric already appended (held-out evaluations write their own line). */
  async handOn(record: TrainMetric): Promise<void> {
    await this.#options.onMetric?.(record)
  }

  /** True when the step just finished should be checkpointed (--save-every, --save-every-minutes). */
  due(step: number): boolean {
    return this.#schedule?.due(step) ?? false
  }

  /** Step of the last checkpoint written or resumed from (undefined when none). */
  get savedStep(): number | undefined {
    return this.#savedStep
  }

  get checkpointDir(): string | undefined {
    return this.#checkpointDir
  }

  /** Checkpoints `step` unless it already is; `snapshot` gives the weights, optimizer and trainer state. */
  async save(step: number, snapshot: () => Promise<SaveRunCheckpointInput>): Promise<void> {
    if (this.#savedStep === step) return
    const info = await this.run.saveCheckpoint(await snapshot())
    this.#savedStep = step
    this.#checkpointDir = info.dir
    this.report()
    this.#schedule?.saved()
  }

  /** Rewrites report.html / report.md from metrics.jsonl; a failure is a warning, never the end of a run. */
  report(): void {
    try {
      writeTrainReport(this.run.dir)
    } catch (error) {
      this.warn(`report not written: ${(error as Error).message}`)
    }
  }

  /** Stops listening to the stop signal. The trainers close their own engines first. */
  close(): void {
    for (const remove of this.#stopListeners.splice(0)) remove()
  }
}
