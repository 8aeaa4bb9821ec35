// End-of-run statistics for synthesize: kept, rejected by reason, retried, mean edits and hops of kept items.
import type {SynthItem} from '../core/index.js'

export class SynthStats {
  seeds = 0
  kept = 0
  rejected = 0
  retried = 0
  skippedResume = 0
  readonly byReason = new Map<string, number>()
  #edits = 0
  #hops = 0
  readonly #started = Date.now()

  keep(item: SynthItem): void {
    this.kept++
    this.#edits += item.history.length - 1
    this.#hops += item.hops ?? 0
  }

  reject(codes: readonly string[]): void {
    this.rejected++
    for (const c of new Set(codes)) this.byReason.set(c, (this.byReason.get(c) ?? 0) + 1)
  }

  get meanEdits(): number {
    return this.kept === 0 ? 0 : this.#edits / this.kept
  }

  get meanHops(): number {
    return this.kept === 0 ? 0 : this.#hops / this.kept
  }

  summary(): string {
    const secs = (Date.now() - this.#started) / 1000
    const reasons = [...this.byReason.entries()].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`)
    return `synthesize: ${this.seeds} seeds, ${this.kept} kept, ${this.rejected} rejected${reasons.length ? ` (${reasons.join(', ')})` : ''}` +
      `${this.retried ? `, ${this.retried} retries` : ''}${this.skippedResume ? `, ${this.skippedResume} already done (--resume)` : ''}; ` +
      `mean edits ${this.meanEdits.toFixed(2)}, mean hops ${this.meanHops.toFixed(2)}; ${secs > 0 ? (this.seeds / secs).toFixed(1) : '0'} seeds/s`
  }

  toJSON(): Record<string, unknown> {
    return {seeds: this.seeds, kept: this.kept, rejected: this.rejected, retried: this.retried, by_reason: Object.fromEntries(this.byReason), mean_edits: this.meanEdits, mean_hops: this.meanHops}
  }
}
