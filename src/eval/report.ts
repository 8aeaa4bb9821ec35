// `--report DIR`: a Markdown report and a self-contained HTML page (inline SVG, no scripts, no CDN) with the
// tables and plots users read first: score by benchmark, by hop count, turns and tokens per question, and
// score against turns. Everything is computed from EvalResult lines, so any result file can be reported.
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {EvalResult} from '../core/index.js'
import {summarize, type BenchSummary} from './summary.js'
import {barChart, esc, REPORT_STYLE, seriesChart, type Bar} from '../core/index.js'

export {barChart, type Bar}

/** Counts of a numeric stat in up to `bins` equal-width bins. */
export function histogram(values: readonly number[], bins = 10): Bar[] {
  if (values.length === 0) return []
  const min = Math.min(...values)
  const max = Math.max(...values)
  const integral = values.every(Number.isInteger) && max - min + 1 <= bins
  if (integral) {
    const out: Bar[] = []
    for (let v = min; v <= max; v++) out.push({label: String(v), value: values.filter((x) => x === v).length})
    return out
  }
  const width = (max - min) / bins || 1
  const counts = new Array<number>(bins).fill(0)
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - min) / width))]++
  return counts.map((c, i) => ({label: `${Math.round(min + i * width)}–${Math.round(min + (i + 1) * width)}`, value: c}))
}

/** The metric a report leads with: judge when present, else the benchmark's first metric. */
export function primaryMetric(rows: readonly EvalResult[]): string {
  const names = new Set(rows.flatMap((r) => Object.keys(r.scores)))
  if (names.has('judge')) return 'judge'
  return rows[0] ? (Object.keys(rows[0].scores)[0] ?? 'em') : 'em'
}

export interface ReportData {
  summaries: BenchSummary[]
  byBenchmark: Bar[]
  byHops: Bar[]
  turns: Bar[]
  tokens: Bar[]
  scoreVsTurns: {x: number; y: number; n: number}[]
  primary: string
}

function meanOf(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length
}

export function reportData(results: readonly EvalResult[]): ReportData {
  const summaries = summarize(results)
  const primary = primaryMetric(results)
  const scored = results.filter((r) => typeof r.scores[primary] === 'number')
  const byBenchmark = summaries.map((s) => {
    const m = s.metrics.find((x) => x.metric === primary) ?? s.metrics[0]
    return {label: s.benchmark, value: 100 * (m?.avg ?? 0), note: `n=${m?.questions ?? 0}`}
  })
  const hopGroups = new Map<number, number[]>()
  for (const r of scored) if (r.hops !== undefined) (hopGroups.get(r.hops) ?? hopGroups.set(r.hops, []).get(r.hops))?.push(r.scores[primary] as number)
  const byHops = [...hopGroups.entries()].sort((a, b) => a[0] - b[0]).map(([h, xs]) => ({label: `${h} hop${h === 1 ? '' : 's'}`, value: 100 * meanOf(xs), note: `n=${xs.length}`}))
  const turnValues = results.map((r) => r.stats.turns).filter((v): v is number => typeof v === 'number')
  const tokenValues = results.map((r) => r.stats.tokens).filter((v): v is number => typeof v === 'number')
  const turnGroups = new Map<number, number[]>()
  for (const r of scored) if (typeof r.stats.turns === 'number') (turnGroups.get(r.stats.turns) ?? turnGroups.set(r.stats.turns, []).get(r.stats.turns))?.push(r.scores[primary] as number)
  const scoreVsTurns = [...turnGroups.entries()].map(([x, ys]) => ({x, y: 100 * meanOf(ys), n: ys.length}))
  return {summaries, byBenchmark, byHops, turns: histogram(turnValues, 12), tokens: histogram(tokenValues, 10), scoreVsTurns, primary}
}

const pct = (x: number | null): string => (x === null ? '—' : (100 * x).toFixed(1))

function summaryRows(data: ReportData): string[][] {
  const rows: string[][] = []
  for (const s of data.summaries) for (const m of s.metrics) rows.push([s.benchmark, s.split, m.metric, m.version, String(m.questions), String(m.k), pct(m.avg), pct(m.pass), String(m.noGold), String(m.unscored), s.stats.turns?.toFixed(1) ?? '—', s.stats.tokens?.toFixed(0) ?? '—'])
  return rows
}

const SUMMARY_HEADER = ['benchmark', 'split', 'metric', 'version', 'n', 'k', 'avg@k', 'pass@k', 'no gold', 'unscored', 'turns', 'tokens']

export function renderMarkdown(data: ReportData, title: string): string {
  const lines: string[] = [`# ${title}`, '']
  const first = data.summaries[0]
  if (first) lines.push(`Model \`${first.model || '—'}\`, search \`${first.search || '—'}\`. Scores in %. Primary metric: **${data.primary}**.`, '')
  lines.push(`| ${SUMMARY_HEADER.join(' | ')} |`, `|${SUMMARY_HEADER.map((_, i) => (i < 4 ? ' --- ' : ' ---: ')).join('|')}|`)
  for (const r of summaryRows(data)) lines.push(`| ${r.join(' | ')} |`)
  lines.push('')
  const table = (head: string[], rows: string[][]): void => {
    lines.push(`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`), '')
  }
  if (data.byHops.length > 0) {
    lines.push(`## ${data.primary} by hop count`, '')
    table(['hops', data.primary, 'n'], data.byHops.map((b) => [b.label, b.value.toFixed(1), b.note?.replace('n=', '') ?? '']))
  }
  if (data.scoreVsTurns.length > 0) {
    lines.push(`## ${data.primary} by number of turns`, '')
    table(['turns', data.primary, 'n'], [...data.scoreVsTurns].sort((a, b) => a.x - b.x).map((p) => [String(p.x), p.y.toFixed(1), String(p.n)]))
  }
  lines.push('Plots: see report.html.', '')
  return lines.join('\n')
}

export function renderHtml(data: ReportData, title: string): string {
  const head = SUMMARY_HEADER.map((h) => `<th>${esc(h)}</th>`).join('')
  const body = summaryRows(data).map((r) => `<tr>${r.map((c, i) => `<td${i >= 4 ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('\n')
  const first = data.summaries[0]
  const charts = [
    barChart(data.byBenchmark, {title: `${data.primary} by benchmark (%)`, yLabel: `${data.primary} %`, yMax: 100}),
    barChart(data.byHops, {title: `${data.primary} by hop count (%)`, yLabel: `${data.primary} %`, yMax: 100}),
    barChart(data.turns, {title: 'Turns per question', yLabel: 'episodes', format: (v) => v.toFixed(0)}),
    barChart(data.tokens, {title: 'Tokens per question', yLabel: 'episodes', format: (v) => v.toFixed(0)}),
    seriesChart([{name: data.primary, points: data.scoreVsTurns}], {title: `${data.primary} vs turns (%)`, xLabel: 'turns', yLabel: `${data.primary} %`, yMin: 0, yMax: 100}),
  ]
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
${REPORT_STYLE}</head><body>
<h1>${esc(title)}</h1>
<p>Model <code>${esc(first?.model || '—')}</code>, search <code>${esc(first?.search || '—')}</code>. Scores in %. Primary metric: <b>${esc(data.primary)}</b>.</p>
<table><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table>
<div class="charts">
${charts.join('\n')}
</div>
</body></html>
`
}

/** Write report.md and report.html into `dir`; returns their paths. */
export function writeReport(results: readonly EvalResult[], dir: string, title = 'ars eval report'): {markdown: string; html: string} {
  mkdirSync(dir, {recursive: true})
  const data = reportData(results)
  const markdown = join(dir, 'report.md')
  const html = join(dir, 'report.html')
  writeFileSync(markdown, renderMarkdown(data, title))
  writeFileSync(html, renderHtml(data, title))
  return {markdown, html}
}
