// Admission: which groups the RL producer may start, and which finished groups enter the buffer.
// - Start: a new group starts only while the live groups (started − wasted − evicted as stale) are fewer than the
//   batches the trainer may run ahead (`lag`: sync 0, one-step-off 1, async η) allow, and fewer than the steps left
//   need.
// - Enter: a group enters the buffer only when all its samples finished; with --drop-zero-variance (dynamic
//   sampling, DAPO; ASearcher filters the same way) a group whose rewards are all equal takes no place in a batch,
//   and a long run of such groups is an error (no batch can ever form).
// Run-level counters (groups finished, zero-variance groups) continue from a checkpoint; those of groups at or after
// the saved cursor are left out of it, because a resume generates those groups again.
import {UsageError} from '../core/index.js'
import type {Trajectory} from '../core/index.js'

/** How many batches generation may run ahead of the trainer: sync 0, one-step-off 1, async η. */
export function admissionLag(mode: 'sync' | 'one-step-off' | 'async', maxStaleness: number): number {
  return mode === 'sync' ? 0 : mode === 'one-step-off' ? 1 : maxStaleness
}

export interface AdmissionCounters {
  groups_finished: number
  groups_zero_variance: number
}

export interface AdmissionOptions {
  groupsPerStep: number
  samples: number
  lag: number
  /** Steps this session still has to run. */
  stepsLeft: number
  /** --drop-zero-variance. */
  dropZeroVariance: boolean
  /** Questions in the data (bounds a run of zero-variance groups). */
  questions: number
  /** Counters from the checkpoint a run resumes. */
  counters?: Partial<AdmissionCounters>
}

/** What became of a finished group: `enter` the buffer, `wasted` (incomplete, or dropped by dynamic sampling), or `no-signal` (fatal). */
export type GroupVerdict = {kind: 'enter'; trajectories: Trajectory[]} | {kind: 'wasted'} | {kind: 'no-signal'; error: UsageError}

export class Admission {
  #started = 0
  #wasted = 0
  #finished: number
  #zeroVariance: number
  #zeroVarianceRun = 0
  /** Finished groups at or after the last saved cursor (index → zero variance). */
  readonly #finishedAhead = new Map<number, boolean>()
  #waiters: Array<() => void> = []

  constructor(readonly o: AdmissionOptions) {
    this.#finished = o.counters?.groups_finished ?? 0
    this.#zeroVariance = o.counters?.groups_zero_variance ?? 0
  }

  get groupsFinished(): number {
    return this.#finished
  }

  get groupsZeroVariance(): number {
    return this.#zeroVariance
  }

  /**
   * Whether a new group may start after `stepsDone` steps of this session. A group the buffer evicted as stale
   * (`evictedGroups`) is no longer live: counting it kept admission closed while the trainer waited for groups that
   * would never come (a hang at the end of async runs with dynamic sampling).
   */
  canStart(stepsDone: number, evictedGroups: number): boolean {
    const live = this.#started - this.#wasted - evictedGroups
    return live < (stepsDone + this.o.lag + 1) * this.o.groupsPerStep && live < this.o.stepsLeft * this.o.groupsPerStep
  }

  started(): void {
    this.#started++
  }

  /** Groups that will never train (taken in a batch without a trainable episode): their places free up. */
  wasted(groups: number): void {
    this.#wasted += groups
    this.wake()
  }

  /** Resolves at the next wake (a step, a wasted group, an eviction, the end). */
  waitForChange(): Promise<void> {
    return new Promise<void>((resolve) => this.#waiters.push(resolve))
  }

  wake(): void {
    const w = this.#waiters
    this.#waiters = []
    w.forEach((f) => f())
  }

  /** Judges group `index` once all its episodes settled (`done`: those that finished, not aborted). */
  judge(index: number, done: Trajectory[]): GroupVerdict {
    if (done.length < this.o.samples) {
      this.wasted(1)
      return {kind: 'wasted'}
    }
    this.#finished++
    const rewards = done.map((t) => t.reward).filter((r): r is number => r !== null)
    const zeroVariance = rewards.length < 2 || rewards.every((r) => r === rewards[0])
    if (zeroVariance) this.#zeroVariance++
    this.#finishedAhead.set(index, zeroVariance)
    this.#zeroVarianceRun = zeroVariance ? this.#zeroVarianceRun + 1 : 0
    if (zeroVariance && this.o.dropZeroVariance) {
      // Without a bound, a policy that solves every question (or none) would sample forever.
      if (this.#zeroVarianceRun >= Math.max(64, 2 * this.o.questions)) {
        return {kind: 'no-signal', error: new UsageError(`--drop-zero-variance: the last ${this.#zeroVarianceRun} groups all had equal rewards, so no batch can form`, {code: 'no-signal', fix: 'The policy solves all of these questions or none: keep those with 0 < pass rate < 1 (ars filter --difficulty --pass-range), or use more --samples.'})}
      }
      this.wasted(1)
      return {kind: 'wasted'}
    }
    return {kind: 'enter', trajectories: done}
  }

  /** The counters a checkpoint at `cursor` records: groups at or after the cursor are generated again on resume. */
  checkpointCounters(cursor: number): AdmissionCounters {
    for (const g of this.#finishedAhead.keys()) if (g < cursor) this.#finishedAhead.delete(g)
    const ahead = [...this.#finishedAhead.values()]
    return {groups_finished: this.#finished - ahead.length, groups_zero_variance: this.#zeroVariance - ahead.filter(Boolean).length}
  }
}
