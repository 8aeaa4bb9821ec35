// Aggregates EvalResult lines into per-benchmark, per-metric figures: Avg@k (mean over samples, then over
// questions), Pass@k (any of k samples fully correct; the unbiased estimator when more samples than k exist),
// and the counts that make a number trustworthy: rows without gold and rows the judge could not judge.
import type {EvalResult} from '../core/index.js'

/** Unbiased pass@k (Chen et al. 2021): 1 − C(n−c, k) / C(n, k), for n samples of which c are correct. */
export function passAtK(n: number, c: number, k: number): number {
  if (!(k >= 1 && k <= n)) throw new RangeError(`Expected 1 <= k <= n (${n}), got ${k}`)
  if (c < 0 || c > n) throw new RangeError(`Expected 0 <= c <= n (${n}), got ${c}`)
  if (n - c < k) return 1
  let prod = 1
  for (let i = n - c + 1; i <= n; i++) prod *= 1 - k / i
  return 1 - prod
}

/** A sample counts as correct for Pass@k when it scores 1 (F1 counts only when perfect). */
export const PASS_THRESHOLD = 1 - 1e-9

export interface MetricSummary {
  benchmark: string
  metric: string
  version: string
  /** Questions with at least one scored sample. */
  questions: number
  /** Samples per question (max seen). */
  k: number
  /** Avg@k: mean over questions of the mean over their samples. */
  avg: number | null
  /** Pass@k with k = passK (default: samples per question). */
  pass: number | null
  passK: number
  /** Rows not scored: no gold answer. */
  noGold: number
  /** Rows not scored for another reason (judge failed). */
  unscored: number
}

export interface BenchSummary {
  benchmark: string
  split: string
  model: string
  search: string
  rows: number
  errors: number
  metrics: MetricSummary[]
  /** Mean of stats over rows that have them (turns, tokens, …). */
  stats: Record<string, number>
}

function mean(xs: readonly number[]): number | null {
  if (xs.length === 0) return null
  let s = 0
  for (const x of xs) s += x
  return s / xs.length
}

export function summarize(results: readonly EvalResult[], options: {passK?: number} = {}): BenchSummary[] {
  const byBench = new Map<string, EvalResult[]>()
  for (const r of results) {
    const list = byBench.get(r.benchmark) ?? []
    list.push(r)
    byBench.set(r.benchmark, list)
  }
  const out: BenchSummary[] = []
  for (const [benchmark, rows] of byBench) {
    const metricNames: string[] = []
    for (const r of rows) for (const m of Object.keys(r.scores)) if (!metricNames.includes(m)) metricNames.push(m)
    const metrics: MetricSummary[] = metricNames.map((metric) => {
      const perQuestion = new Map<string, number[]>()
      let noGold = 0
      let unscored = 0
      let k = 0
      const samples = new Map<string, number>()
      for (const r of rows) {
        samples.set(r.id, (samples.get(r.id) ?? 0) + 1)
        const s = r.scores[metric]
        if (s === null || s === undefined) {
          if (r.gold.length === 0) noGold++
          else unscored++
          continue
        }
        const list = perQuestion.get(r.id) ?? []
        list.push(s)
        perQuestion.set(r.id, list)
      }
      for (const n of samples.values()) k = Math.max(k, n)
      const passK = Math.min(options.passK ?? k, k)
      const avgs: number[] = []
      const passes: number[] = []
      for (const scores of perQuestion.values()) {
        avgs.push(mean(scores) as number)
        const c = scores.filter((s) => s >= PASS_THRESHOLD).length
        if (scores.length >= passK && passK >= 1) passes.push(passAtK(scores.length, c, passK))
      }
      const version = rows.find((r) => r.metrics[metric])?.metrics[metric] ?? ''
      return {benchmark, metric, version, questions: perQuestion.size, k, avg: mean(avgs), pass: mean(passes), passK, noGold, unscored}
    })
    const statSums: Record<string, number[]> = {}
    for (const r of rows) for (const [key, v] of Object.entries(r.stats)) (statSums[key] ??= []).push(v)
    const stats: Record<string, number> = {}
    for (const [key, vs] of Object.entries(statSums)) stats[key] = mean(vs) as number
    const first = rows[0] as EvalResult
    out.push({benchmark, split: first.split, model: first.model, search: first.search, rows: rows.length, errors: rows.filter((r) => r.error).length, metrics, stats})
  }
  return out
}

const pct = (x: number | null): string => (x === null ? '—' : (100 * x).toFixed(1))

/** A plain-text table for stderr: one line per benchmark × metric. */
export function formatSummaryTable(summaries: readonly BenchSummary[]): string {
  const header = ['benchmark', 'metric', 'n', 'k', 'avg@k', 'pass@k', 'no-gold', 'unscored', 'turns', 'tokens']
  const lines: string[][] = [header]
  for (const s of summaries) {
    for (const m of s.metrics) {
      lines.push([s.benchmark, m.metric, String(m.questions), String(m.k), pct(m.avg), m.k > 1 ? `${pct(m.pass)}@${m.passK}` : pct(m.pass), String(m.noGold), String(m.unscored), s.stats.turns === undefined ? '—' : s.stats.turns.toFixed(1), s.stats.tokens === undefined ? '—' : s.stats.tokens.toFixed(0)])
    }
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => (l[i] as string).length)))
  return lines.map((l) => l.map((c, i) => (i < 2 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ')).join('\n')
}
