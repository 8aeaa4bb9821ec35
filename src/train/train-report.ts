// The training report: report.md and a self-contained report.html (inline SVG, no scripts, no external assets)
// in a run folder, computed from metrics.jsonl (and run.json for the settings) alone, so any run — finished,
// running or killed — can be reported. `ars train` and `ars train sft` rewrite it at each checkpoint and at the
// end; `ars train report RUN_DIR` regenerates it.
import {existsSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {basename, join, resolve} from 'node:path'
import {DataError} from '../core/index.js'
import {parseRecord, TrainMetricType, type TrainMetric} from '../core/index.js'
import {barChart, esc, formatTick, REPORT_STYLE, seriesChart, type Bar, type Series} from '../core/index.js'
import {METRICS_FILE, RUN_FILE} from './run-dir.js'

export const REPORT_MARKDOWN = 'report.md'
export const REPORT_HTML = 'report.html'

/** A metrics.jsonl line written by a held-out evaluation (`--eval-every`), not by an optimiser step. */
export const isEvalMetric = (m: TrainMetric): boolean => m.meta?.kind === 'eval'

export interface EvalPoint {
  step: number
  em: number
  f1: number
  toolCalls: number | undefined
  turns: number | undefined
  answerRate: number | undefined
  questions: number
  seconds: number | undefined
  /** EM by hop count (hops → [em, n]). */
  byHops: {hops: number; em: number; n: number}[]
}

export interface TrainReportData {
  run: string
  command: string
  kind: 'rl' | 'sft'
  settings: Record<string, unknown>
  flags: Record<string, unknown>
  steps: TrainMetric[]
  evals: EvalPoint[]
  /** Samples by staleness (versions old), summed over every step. */
  staleness: Bar[]
  wallSeconds: number
}

/** Reads metrics.jsonl (a cut-off last line — a run being written or killed — is left out). */
export function readRunMetrics(dir: string): TrainMetric[] {
  const path = join(dir, METRICS_FILE)
  if (!existsSync(path)) return []
  const text = readFileSync(path, 'utf8')
  // The piece after the last newline is '' for a complete file, or a line still being written.
  const complete = text.split('\n').slice(0, -1)
  return complete.flatMap((line, i) => (line.trim() === '' ? [] : [parseRecord(TrainMetricType, JSON.parse(line) as unknown, `${path}:${i + 1}`)]))
}

function evalPoint(m: TrainMetric): EvalPoint {
  const v = m.metrics
  const byHops = Object.keys(v).flatMap((k) => {
    const match = /^eval_em_hops_(\d+)$/.exec(k)
    return match ? [{hops: Number(match[1]), em: v[k] as number, n: v[`eval_n_hops_${match[1]}`] ?? 0}] : []
  }).sort((a, b) => a.hops - b.hops)
  return {step: m.step, em: v.eval_em ?? 0, f1: v.eval_f1 ?? 0, toolCalls: v.eval_tool_calls, turns: v.eval_turns, answerRate: v.eval_answer_rate, questions: v.eval_questions ?? 0, seconds: v.eval_s, byHops}
}

export function trainReportData(metrics: readonly TrainMetric[], manifest: {command?: string; settings?: Record<string, unknown>; flags?: Record<string, unknown>} = {}, run = ''): TrainReportData {
  // One line per step: a resumed run rewrote the steps after its checkpoint, and RunDir cut the old ones; keep the
  // last of any duplicate anyway so a hand-concatenated file still plots.
  const byStep = new Map<number, TrainMetric>()
  const evalByStep = new Map<number, TrainMetric>()
  for (const m of metrics) (isEvalMetric(m) ? evalByStep : byStep).set(m.step, m)
  const steps = [...byStep.values()].sort((a, b) => a.step - b.step)
  const evals = [...evalByStep.values()].sort((a, b) => a.step - b.step).map(evalPoint)
  const command = manifest.command ?? (steps.some((m) => 'reward_mean' in m.metrics) ? 'train' : 'train sft')
  const counts = new Map<number, number>()
  for (const m of steps) {
    for (const [k, v] of Object.entries(m.metrics)) {
      const match = /^staleness_count_(\d+)$/.exec(k)
      if (match) counts.set(Number(match[1]), (counts.get(Number(match[1])) ?? 0) + v)
    }
  }
  const maxStale = Math.max(-1, ...counts.keys())
  const staleness: Bar[] = []
  for (let k = 0; k <= maxStale; k++) staleness.push({label: String(k), value: counts.get(k) ?? 0})
  const last = [...steps, ...metrics].reduce((a, m) => Math.max(a, m.time_ms), 0)
  return {
    run, command, kind: command === 'train sft' ? 'sft' : 'rl', settings: manifest.settings ?? {}, flags: manifest.flags ?? {},
    steps, evals, staleness, wallSeconds: last / 1000,
  }
}

const series = (steps: readonly TrainMetric[], name: string, key: string, scale = 1): Series => ({
  name, points: steps.filter((m) => typeof m.metrics[key] === 'number').map((m) => ({x: m.step, y: (m.metrics[key] as number) * scale})),
})

/** The charts of the report, in order; each is [id, svg]. */
export function trainCharts(d: TrainReportData): [string, string][] {
  const s = d.steps
  const charts: [string, string][] = []
  const evalSeries: Series[] = [
    {name: 'EM %', points: d.evals.map((e) => ({x: e.step, y: 100 * e.em})), markersOnly: d.evals.length < 2},
    {name: 'F1 %', points: d.evals.map((e) => ({x: e.step, y: 100 * e.f1})), markersOnly: d.evals.length < 2},
  ]
  if (d.kind === 'rl') {
    const reward = series(s, 'reward mean', 'reward_mean')
    reward.band = s.filter((m) => typeof m.metrics.reward_std === 'number').map((m) => ({x: m.step, lo: (m.metrics.reward_mean ?? 0) - (m.metrics.reward_std as number), hi: (m.metrics.reward_mean ?? 0) + (m.metrics.reward_std as number)}))
    charts.push(['reward', seriesChart([reward], {title: 'Reward per step: mean ± std over episodes', xLabel: 'step', yLabel: 'reward'})])
    charts.push(['eval', seriesChart(evalSeries, {title: 'Held-out EM / F1 (greedy, tools on)', xLabel: 'step', yLabel: '%', yMin: 0, yMax: 100})])
    charts.push(['tools', seriesChart([series(s, 'tool calls / episode', 'tool_calls_mean'), series(s, 'turns / episode', 'turns_mean')], {title: 'Tool calls and turns per episode', xLabel: 'step', yLabel: 'per episode', yMin: 0})])
    charts.push(['zero-variance', seriesChart([series(s, 'zero-variance groups %', 'zero_variance_frac', 100), series(s, 'answer rate %', 'answer_rate', 100)], {title: 'Zero-variance GRPO groups and answer rate', xLabel: 'step', yLabel: '%', yMin: 0, yMax: 100})])
    charts.push(['staleness', barChart(d.staleness, {title: 'Staleness of trained samples (versions behind)', yLabel: 'samples', format: (v) => v.toFixed(0)})])
    charts.push(['throughput', seriesChart([series(s, 'generation tokens/s', 'gen_tokens_per_s'), series(s, 'training tokens/s', 'train_tokens_per_s')], {title: 'Throughput', xLabel: 'step', yLabel: 'tokens/s', yMin: 0})])
    charts.push(['loss', seriesChart([series(s, 'PPO loss', 'loss')], {title: 'Loss', xLabel: 'step', yLabel: 'loss'})])
  } else {
    charts.push(['loss', seriesChart([series(s, 'loss', 'loss')], {title: 'Loss (masked NLL per target token)', xLabel: 'step', yLabel: 'loss'})])
    charts.push(['eval', seriesChart(evalSeries, {title: 'Held-out EM / F1 (greedy, tools on)', xLabel: 'step', yLabel: '%', yMin: 0, yMax: 100})])
    charts.push(['throughput', seriesChart([series(s, 'training tokens/s', 'tokens_per_s')], {title: 'Training throughput', xLabel: 'step', yLabel: 'tokens/s', yMin: 0})])
    charts.push(['lr', seriesChart([series(s, 'learning rate', 'lr')], {title: 'Learning rate', xLabel: 'step', yLabel: 'lr', yMin: 0})])
  }
  return charts
}

const num = (v: number | undefined, digits = 3): string => {
  if (v === undefined || !Number.isFinite(v)) return '—'
  if (Number.isInteger(v) || Math.abs(v) >= 1e4) return formatTick(v)
  return String(Number(v.toPrecision(digits)))
}
const pct = (v: number | undefined): string => (v === undefined ? '—' : (100 * v).toFixed(1))

/** Columns of the per-step table: the ones this kind of run records. */
function stepColumns(kind: 'rl' | 'sft'): [string, string][] {
  return kind === 'rl'
    ? [['reward_mean', 'reward'], ['reward_std', 'reward std'], ['answer_rate', 'answer rate'], ['tool_calls_mean', 'tool calls'], ['turns_mean', 'turns'], ['zero_variance_frac', 'zero-var'], ['staleness_mean', 'staleness'], ['loss', 'loss'], ['gen_tokens_per_s', 'gen tok/s'], ['train_tokens_per_s', 'train tok/s']]
    : [['loss', 'loss'], ['lr', 'lr'], ['grad_norm', 'grad norm'], ['tokens', 'tokens'], ['tokens_per_s', 'tok/s'], ['epoch', 'epoch']]
}

/** At most `n` rows, evenly spaced, always with the first and the last. */
export function sampleRows<T>(rows: readonly T[], n = 20): T[] {
  if (rows.length <= n) return [...rows]
  const out = new Set<number>()
  for (let i = 0; i < n; i++) out.add(Math.round((i * (rows.length - 1)) / (n - 1)))
  return [...out].sort((a, b) => a - b).map((i) => rows[i] as T)
}

interface Table {
  head: string[]
  rows: string[][]
}

function summaryTable(d: TrainReportData): Table {
  const first = d.steps[0]?.metrics
  const last = d.steps.at(-1)?.metrics
  const rows: string[][] = [['steps', String(d.steps.at(-1)?.step ?? 0)], ['training time', `${d.wallSeconds.toFixed(1)} s`]]
  if (d.kind === 'rl') {
    rows.push(['reward (first → last step)', `${num(first?.reward_mean)} → ${num(last?.reward_mean)}`])
    const episodes = d.steps.reduce((a, m) => a + (m.metrics.episodes ?? 0), 0)
    const zero = d.steps.reduce((a, m) => a + (m.metrics.zero_variance_groups ?? 0), 0)
    const groups = d.steps.reduce((a, m) => a + (m.metrics.groups ?? 0), 0)
    rows.push(['episodes', String(episodes)])
    rows.push(['zero-variance groups (all steps)', groups > 0 ? `${zero} of ${groups} (${((100 * zero) / groups).toFixed(1)} %)` : String(zero)])
  }
  rows.push(['loss (first → last step)', `${num(first?.loss, 4)} → ${num(last?.loss, 4)}`])
  if (d.evals.length > 0) {
    const e0 = d.evals[0] as EvalPoint
    const e1 = d.evals.at(-1) as EvalPoint
    const best = d.evals.reduce((a, e) => (e.em > a.em ? e : a), e0)
    rows.push([`held-out EM (step ${e0.step} → ${e1.step}, n=${e1.questions})`, `${pct(e0.em)} → ${pct(e1.em)} %`], ['best held-out EM', `${pct(best.em)} % at step ${best.step}`])
  }
  return {head: ['figure', 'value'], rows}
}

function evalTable(d: TrainReportData): Table {
  const hops = [...new Set(d.evals.flatMap((e) => e.byHops.map((h) => h.hops)))].sort((a, b) => a - b)
  return {
    head: ['step', 'EM %', 'F1 %', 'tool calls', 'turns', 'answered %', 'n', ...hops.map((h) => `EM ${h}-hop %`), 'seconds'],
    rows: d.evals.map((e) => [String(e.step), pct(e.em), pct(e.f1), num(e.toolCalls), num(e.turns), pct(e.answerRate), String(e.questions), ...hops.map((h) => {
      const x = e.byHops.find((b) => b.hops === h)
      return x ? `${pct(x.em)} (n=${x.n})` : '—'
    }), num(e.seconds)]),
  }
}

function stepTable(d: TrainReportData): Table {
  const cols = stepColumns(d.kind).filter(([k]) => d.steps.some((m) => k in m.metrics))
  return {head: ['step', ...cols.map(([, name]) => name)], rows: sampleRows(d.steps).map((m) => [String(m.step), ...cols.map(([k]) => num(m.metrics[k]))])}
}

function settingsLine(d: TrainReportData): string {
  return Object.entries(d.settings).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')
}

function markdownTable(t: Table, lines: string[], numericFrom = 1): void {
  lines.push(`| ${t.head.join(' | ')} |`, `|${t.head.map((_, i) => (i >= numericFrom ? ' ---: ' : ' --- ')).join('|')}|`, ...t.rows.map((r) => `| ${r.join(' | ')} |`), '')
}

export function renderTrainMarkdown(d: TrainReportData, title: string): string {
  const lines: string[] = [`# ${title}`, '', `\`ars ${d.command}\` run \`${d.run}\`${settingsLine(d) ? ` — ${settingsLine(d)}` : ''}.`, '']
  markdownTable(summaryTable(d), lines)
  lines.push('## Held-out evaluation', '')
  if (d.evals.length > 0) markdownTable(evalTable(d), lines)
  else lines.push('None recorded (pass `--eval-every N --eval-questions FILE`).', '')
  if (d.kind === 'rl' && d.staleness.length > 0) {
    lines.push('## Staleness of trained samples', '')
    markdownTable({head: ['versions behind', 'samples'], rows: d.staleness.map((b) => [b.label, String(b.value)])}, lines)
  }
  lines.push(`## Steps${d.steps.length > 20 ? ` (20 of ${d.steps.length}, evenly spaced)` : ''}`, '')
  markdownTable(stepTable(d), lines)
  lines.push('Plots: see report.html.', '')
  return lines.join('\n')
}

function htmlTable(t: Table, cls = ''): string {
  const head = `<thead><tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>`
  return `<table${cls ? ` class="${cls}"` : ''}>${head}<tbody>\n${t.rows.map((r) => `<tr>${r.map((c, i) => `<td${i > 0 ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('\n')}\n</tbody></table>`
}

export function renderTrainHtml(d: TrainReportData, title: string): string {
  const charts = trainCharts(d)
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
${REPORT_STYLE}</head><body>
<h1>${esc(title)}</h1>
<p><code>ars ${esc(d.command)}</code> run <code>${esc(d.run)}</code>${settingsLine(d) ? `: ${esc(settingsLine(d))}` : ''}.</p>
${htmlTable(summaryTable(d), 'summary')}
<div class="charts">
${charts.map(([id, svg]) => `<figure id="chart-${id}" style="margin:0">${svg}</figure>`).join('\n')}
</div>
<h2>Held-out evaluation</h2>
${d.evals.length > 0 ? htmlTable(evalTable(d), 'evals') : '<p>None recorded (pass <code>--eval-every N --eval-questions FILE</code>).</p>'}
<h2>Steps${d.steps.length > 20 ? ` (20 of ${d.steps.length}, evenly spaced)` : ''}</h2>
${htmlTable(stepTable(d), 'steps')}
</body></html>
`
}

function writeAtomic(path: string, text: string): void {
  const temp = `${path}.tmp-${process.pid}`
  writeFileSync(temp, text)
  renameSync(temp, path)
}

/** Writes report.md and report.html into the run folder from its metrics.jsonl and run.json; returns their paths. */
export function writeTrainReport(dir: string, title?: string): {markdown: string; html: string; data: TrainReportData} {
  const runFile = join(dir, RUN_FILE)
  if (!existsSync(runFile) && !existsSync(join(dir, METRICS_FILE))) {
    throw new DataError(`${dir} is not a training run: no ${RUN_FILE} or ${METRICS_FILE}`, {where: dir, code: 'run-missing', fix: 'Pass the --out folder of an `ars train` or `ars train sft` run.'})
  }
  let manifest: {command?: string; settings?: Record<string, unknown>; flags?: Record<string, unknown>} = {}
  if (existsSync(runFile)) {
    try {
      manifest = JSON.parse(readFileSync(runFile, 'utf8')) as typeof manifest
    } catch (error) {
      throw new DataError(`not valid JSON: ${(error as Error).message}`, {where: runFile, code: 'run-json', fix: 'Restore run.json, or start the run over with --force.'})
    }
  }
  const run = basename(resolve(dir))
  const data = trainReportData(readRunMetrics(dir), manifest, run)
  const heading = title ?? `ars ${data.command} report: ${run}`
  const markdown = join(dir, REPORT_MARKDOWN)
  const html = join(dir, REPORT_HTML)
  writeAtomic(markdown, renderTrainMarkdown(data, heading))
  writeAtomic(html, renderTrainHtml(data, heading))
  return {markdown, html, data}
}
