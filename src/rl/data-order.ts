// The RL run's data order: group g trains on the question at position g of a seeded sequence of epochs, each a
// fresh permutation of the questions, so group g's question depends only on (seed, g). The cursor is the first
// group a resume must start again: groups started but not yet consumed by a step (or abandoned) are generated
// again after a resume, so no question of the order is skipped.
import type {Question} from '../core/index.js'
import {hashString, Rng} from '../core/index.js'

export class DataOrder {
  #orders = new Map<number, number[]>()
  #next: number
  readonly #open = new Set<number>()

  /** `cursor`: the group to start next (a checkpoint's trainer_state.cursor; 0 for a fresh run). */
  constructor(readonly questions: readonly Question[], readonly seed: number, cursor = 0) {
    this.#next = cursor
  }

  /** The question group g trains on. */
  questionAt(g: number): Question {
    const n = this.questions.length
    const epoch = Math.floor(g / n)
    let order = this.#orders.get(epoch)
    if (!order) {
      order = new Rng(hashString(`${this.seed}/epoch/${epoch}`)).shuffle([...Array(n).keys()])
      // One epoch kept: groups move forward, an epoch is never revisited.
      this.#orders.clear()
      this.#orders.set(epoch, order)
    }
    return this.questions[order[g % n] as number] as Question
  }

  /** Starts the next group: it stays open until `close(g)` (consumed by a step, or abandoned). */
  take(): {group: number; question: Question} {
    const group = this.#next++
    this.#open.add(group)
    return {group, question: this.questionAt(group)}
  }

  close(group: number): void {
    this.#open.delete(group)
  }

  /** Where a resume starts: the oldest open group, or the next one when none is open. */
  cursor(): number {
    return Math.min(this.#next, ...this.#open)
  }

  epochOf(cursor: number): number {
    return Math.floor(cursor / this.questions.length)
  }
}
