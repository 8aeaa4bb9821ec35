// When a training loop writes a checkpoint: every N steps, and — by default — whenever M minutes have passed
// since the last one, so a kill -9 (even during the final save) loses at most M minutes, never the whole run.
import {UsageError} from '../core/index.js'

/** Minutes between time-based checkpoints unless --save-every-minutes says otherwise (0 turns them off). */
export const DEFAULT_SAVE_EVERY_MINUTES = 10

export interface SaveScheduleOptions {
  /** Checkpoint every N steps (0: off). */
  everySteps?: number
  /** Checkpoint when this many minutes passed since the last checkpoint or the start (0: off). Default 10. */
  everyMinutes?: number
  /** Clock in ms (tests inject one). Default performance.now. */
  now?: () => number
}

export class SaveSchedule {
  readonly #everySteps: number
  readonly #everyMs: number
  readonly #now: () => number
  #last: number

  constructor(options: SaveScheduleOptions = {}) {
    this.#everySteps = options.everySteps ?? 0
    this.#everyMs = (options.everyMinutes ?? DEFAULT_SAVE_EVERY_MINUTES) * 60_000
    this.#now = options.now ?? (() => performance.now())
    this.#last = this.#now()
  }

  /** True when the step just finished should be checkpointed. */
  due(step: number): boolean {
    if (this.#everySteps > 0 && step % this.#everySteps === 0) return true
    return this.#everyMs > 0 && this.#now() - this.#last >= this.#everyMs
  }

  /** Call after each checkpoint written (whatever triggered it). */
  saved(): void {
    this.#last = this.#now()
  }
}

/** --save-every-minutes must be a finite number ≥ 0 (fractions allowed: 0.5 is every 30 s). */
export function checkSaveEveryMinutes(value: number | undefined): void {
  if (value === undefined || (Number.isFinite(value) && value >= 0)) return
  throw new UsageError(`--save-every-minutes: expected a number ≥ 0, got ${value}`, {fix: `Pass --save-every-minutes ${DEFAULT_SAVE_EVERY_MINUTES} (0 turns time-based checkpoints off).`})
}

/** The --help sentence both training commands share. */
export const SAVE_EVERY_MINUTES_HELP = `Also checkpoint whenever this many minutes passed since the last checkpoint (default ${DEFAULT_SAVE_EVERY_MINUTES}; 0: off), so a kill -9 loses at most that much work and --resume continues from there.`
