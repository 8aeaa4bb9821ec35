// `eval compare`: two result files matched by (benchmark, id, sample_index); per benchmark and metric the
// mean of each, the delta B − A and a paired bootstrap 95% interval (resampling matched rows, seeded), and how many
// matched rows moved each way: a +4 delta from 26 questions gained and 10 lost is a different change from 14 and 0.
import type {EvalResult} from '../core/index.js'
import {Rng} from '../core/index.js'

export interface CompareRow {
  benchmark: string
  metric: string
  pairs: number
  a: number
  b: number
  delta: number
  low: number
  high: number
  /** Matched rows where B scored higher than A (for EM: questions B gets right and A wrong). */
  better: number
  /** Matched rows where B scored lower than A. */
  worse: number
  /** Rows present in only one file (or scored null in either). */
  unmatched: number
  /** Metric versions differ between the files: the delta compares different rules. */
  versionMismatch: boolean
}

export interface CompareOptions {
  resamples?: number
  seed?: number
  /** Interval level, default 0.95. */
  level?: number
}

const key = (r: EvalResult): string => `${r.benchmark}\u0000${r.id}\u0000${r.sample_index}`

/** Paired bootstrap percentile interval of mean(b − a). */
export function pairedBootstrap(diffs: readonly number[], rng: Rng, resamples = 1000, level = 0.95): {low: number; high: number} {
  const n = diffs.length
  if (n === 0) return {low: Number.NaN, high: Number.NaN}
  const means = new Float64Array(resamples)
  for (let r = 0; r < resamples; r++) {
    let s = 0
    for (let i = 0; i < n; i++) s += diffs[rng.int(n)] as number
    means[r] = s / n
  }
  means.sort()
  const alpha = (1 - level) / 2
  const at = (q: number): number => means[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))] as number
  return {low: at(alpha), high: at(1 - alpha)}
}

export function compareResults(a: readonly EvalResult[], b: readonly EvalResult[], options: CompareOptions = {}): CompareRow[] {
  const rng = new Rng(options.seed ?? 0)
  const bByKey = new Map(b.map((r) => [key(r), r]))
  const groups = new Map<string, {benchmark: string; metric: string; da: number[]; db: number[]; unmatched: number; mismatch: boolean}>()
  const group = (benchmark: string, metric: string) => {
    const k = `${benchmark}\u0000${metric}`
    let g = groups.get(k)
    if (!g) groups.set(k, (g = {benchmark, metric, da: [], db: [], unmatched: 0, mismatch: false}))
    return g
  }
  const matchedB = new Set<string>()
  for (const ra of a) {
    const rb = bByKey.get(key(ra))
    if (rb) matchedB.add(key(ra))
    const metrics = new Set([...Object.keys(ra.scores), ...Object.keys(rb?.scores ?? {})])
    for (const m of metrics) {
      const g = group(ra.benchmark, m)
      const sa = ra.scores[m]
      const sb = rb?.scores[m]
      if (sa === null || sa === undefined || sb === null || sb === undefined) {
        g.unmatched++
        continue
      }
      if (rb && ra.metrics[m] !== undefined && rb.metrics[m] !== undefined && ra.metrics[m] !== rb.metrics[m]) g.mismatch = true
      g.da.push(sa)
      g.db.push(sb)
    }
  }
  for (const rb of b) if (!matchedB.has(key(rb))) for (const m of Object.keys(rb.scores)) group(rb.benchmark, m).unmatched++
  const rows: CompareRow[] = []
  for (const g of groups.values()) {
    const n = g.da.length
    const ma = n ? g.da.reduce((s, x) => s + x, 0) / n : Number.NaN
    const mb = n ? g.db.reduce((s, x) => s + x, 0) / n : Number.NaN
    const diffs = g.da.map((x, i) => (g.db[i] as number) - x)
    const ci = pairedBootstrap(diffs, rng, options.resamples ?? 1000, options.level ?? 0.95)
    const better = diffs.filter((d) => d > 0).length
    const worse = diffs.filter((d) => d < 0).length
    rows.push({benchmark: g.benchmark, metric: g.metric, pairs: n, a: ma, b: mb, delta: mb - ma, low: ci.low, high: ci.high, better, worse, unmatched: g.unmatched, versionMismatch: g.mismatch})
  }
  rows.sort((x, y) => x.benchmark.localeCompare(y.benchmark) || x.metric.localeCompare(y.metric))
  return rows
}

export function formatCompareTable(rows: readonly CompareRow[], level = 0.95): string {
  const p = (x: number): string => (Number.isNaN(x) ? '—' : (100 * x).toFixed(1))
  const sp = (x: number): string => (Number.isNaN(x) ? '—' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`)
  const header = ['benchmark', 'metric', 'pairs', 'A', 'B', 'B−A', `${Math.round(level * 100)}% CI`, 'B>A', 'A>B', 'unmatched', '']
  const lines = [header, ...rows.map((r) => [r.benchmark, r.metric, String(r.pairs), p(r.a), p(r.b), sp(r.delta), `[${sp(r.low)}, ${sp(r.high)}]`, String(r.better), String(r.worse), String(r.unmatched), (r.versionMismatch ? 'metric versions differ! ' : '') + (r.low > 0 || r.high < 0 ? '*' : '')])]
  const last = header.length - 1
  const widths = header.map((_, i) => Math.max(...lines.map((l) => (l[i] as string).length)))
  return lines.map((l) => l.map((c, i) => (i < 2 || i === last ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ').trimEnd()).join('\n')
}
