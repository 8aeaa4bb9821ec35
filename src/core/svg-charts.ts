// Inline SVG charts for self-contained HTML reports (no scripts, no external assets): bars (eval's scores,
// histograms) and lines over a numeric x with an optional band (training curves; eval's score against turns, markers
// sized by n). Shared by src/eval and src/rl.

export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
export const COLORS = ['#3b6ea5', '#e07b39', '#5a9e6f', '#b0503f', '#7b62a8', '#8c6d3f']

export interface Bar {
  label: string
  value: number
  /** Shown above the bar, e.g. n. */
  note?: string
}

/** A bar chart as an SVG string. Values are drawn against [0, yMax]. */
export function barChart(bars: readonly Bar[], options: {title: string; yLabel: string; yMax?: number; format?: (v: number) => string}): string {
  const width = 640
  const height = 300
  const left = 56
  const bottom = 64
  const top = 36
  const plotW = width - left - 16
  const plotH = height - top - bottom
  const max = options.yMax ?? Math.max(1e-9, ...bars.map((b) => b.value)) * 1.1
  const fmt = options.format ?? ((v: number) => v.toFixed(1))
  const slot = bars.length > 0 ? plotW / bars.length : plotW
  const barW = Math.max(4, Math.min(60, slot * 0.7))
  const parts: string[] = []
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(options.title)}" font-family="sans-serif" font-size="11">`)
  parts.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(options.title)}</text>`)
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4
    const y = top + plotH - (plotH * i) / 4
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#ddd"/>`)
    parts.push(`<text x="${left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" fill="#555">${esc(fmt(v))}</text>`)
  }
  parts.push(`<text x="14" y="${top + plotH / 2}" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle" fill="#333">${esc(options.yLabel)}</text>`)
  if (bars.length === 0) parts.push(`<text x="${left + plotW / 2}" y="${top + plotH / 2}" text-anchor="middle" fill="#888">no data</text>`)
  bars.forEach((b, i) => {
    const h = Math.max(0, (plotH * Math.min(b.value, max)) / max)
    const x = left + slot * i + (slot - barW) / 2
    const y = top + plotH - h
    parts.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[i % COLORS.length]}"><title>${esc(`${b.label}: ${fmt(b.value)}${b.note ? ` (${b.note})` : ''}`)}</title></rect>`)
    parts.push(`<text x="${(x + barW / 2).toFixed(1)}" y="${(y - 4).toFixed(1)}" text-anchor="middle" fill="#222">${esc(fmt(b.value))}</text>`)
    const lx = x + barW / 2
    const ly = top + plotH + 14
    parts.push(`<text x="${lx.toFixed(1)}" y="${ly}" text-anchor="${bars.length > 6 ? 'end' : 'middle'}"${bars.length > 6 ? ` transform="rotate(-35 ${lx.toFixed(1)} ${ly})"` : ''} fill="#222">${esc(b.label)}</text>`)
    if (b.note && bars.length <= 6) parts.push(`<text x="${lx.toFixed(1)}" y="${ly + 14}" text-anchor="middle" fill="#777">${esc(b.note)}</text>`)
  })
  parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`)
  parts.push('</svg>')
  return parts.join('\n')
}


export interface Series {
  name: string
  /** `n`, where given, sizes the point's marker (√n) and is named in its tooltip: a mean over n questions. */
  points: readonly {x: number; y: number; n?: number}[]
  /** A shaded band around the line (e.g. mean ± standard deviation), one entry per point, same x. */
  band?: readonly {x: number; lo: number; hi: number}[]
  /** Draw markers only (sparse series such as held-out evaluations). Default: line + small markers. */
  markersOnly?: boolean
}

/** A readable tick label: integers as is, small numbers with 2–3 significant digits, large ones with k/M. */
export function formatTick(v: number): string {
  const a = Math.abs(v)
  if (a === 0) return '0'
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3).replace(/\.?0+$/, '')}M`
  if (a >= 1e4) return `${(v / 1e3).toPrecision(3).replace(/\.?0+$/, '')}k`
  if (Number.isInteger(v)) return String(v)
  if (a >= 100) return v.toFixed(0)
  return v.toPrecision(2).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '')
}

/** The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1
  const power = 10 ** Math.floor(Math.log10(raw))
  const m = raw / power
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * power
}

/**
 * Lines over a numeric x (training steps) as an SVG string: one or more series, each with an optional band,
 * a legend, and y from `yMin` (default min(0, data)) to `yMax` (default data max + 10 %). Every point carries a
 * <title> tooltip with its exact value.
 */
export function seriesChart(series: readonly Series[], options: {title: string; xLabel: string; yLabel: string; yMin?: number; yMax?: number}): string {
  const width = 640
  const height = 300
  const left = 64
  const bottom = 48
  const top = 48
  const plotW = width - left - 24
  const plotH = height - top - bottom
  const all = series.flatMap((s) => [...s.points.map((p) => ({x: p.x, y: p.y})), ...(s.band ?? []).flatMap((b) => [{x: b.x, y: b.lo}, {x: b.x, y: b.hi}])]).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
  const xs = all.map((p) => p.x)
  const ys = all.map((p) => p.y)
  const xMin = xs.length ? Math.min(...xs) : 0
  const xMax = xs.length ? Math.max(xMin + 1, ...xs) : 1
  const dataMin = ys.length ? Math.min(...ys) : 0
  const dataMax = ys.length ? Math.max(...ys) : 1
  // Round the axis out to a 1-2-5 step so the four gridlines read as round numbers.
  const rawMin = options.yMin ?? Math.min(0, dataMin)
  let rawMax = options.yMax ?? dataMax
  if (!(rawMax > rawMin)) rawMax = rawMin + (Math.abs(rawMin) || 1)
  const tick = niceStep((rawMax - rawMin) / 4)
  const yMin = options.yMin ?? Math.floor(rawMin / tick) * tick
  let yMax = options.yMax ?? Math.max(yMin + 4 * tick, Math.ceil(rawMax / tick) * tick)
  if (!(yMax > yMin)) yMax = yMin + 1
  const px = (x: number): number => left + ((x - xMin) / (xMax - xMin)) * plotW
  const py = (y: number): number => top + plotH - (plotH * (Math.min(yMax, Math.max(yMin, y)) - yMin)) / (yMax - yMin)
  const parts: string[] = []
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(options.title)}" font-family="sans-serif" font-size="11">`)
  parts.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(options.title)}</text>`)
  const gridStep = (yMax - yMin) / tick <= 10 ? tick : (yMax - yMin) / 4
  for (let i = 0; yMin + i * gridStep <= yMax + gridStep * 1e-6; i++) {
    const v = yMin + i * gridStep
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${py(v).toFixed(1)}" y2="${py(v).toFixed(1)}" stroke="#ddd"/>`)
    parts.push(`<text x="${left - 6}" y="${(py(v) + 4).toFixed(1)}" text-anchor="end" fill="#555">${esc(formatTick(Number(v.toPrecision(3))))}</text>`)
  }
  const xTicks = Math.max(1, Math.min(8, Math.round(xMax - xMin)))
  for (let i = 0; i <= xTicks; i++) {
    const v = xMin + ((xMax - xMin) * i) / xTicks
    parts.push(`<text x="${px(v).toFixed(1)}" y="${top + plotH + 16}" text-anchor="middle" fill="#555">${esc(formatTick(Number.isInteger(v) ? v : Number(v.toFixed(1))))}</text>`)
  }
  parts.push(`<text x="${left + plotW / 2}" y="${height - 8}" text-anchor="middle" fill="#333">${esc(options.xLabel)}</text>`)
  parts.push(`<text x="14" y="${top + plotH / 2}" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle" fill="#333">${esc(options.yLabel)}</text>`)
  if (all.length === 0) parts.push(`<text x="${left + plotW / 2}" y="${top + plotH / 2}" text-anchor="middle" fill="#888">no data</text>`)
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length] as string
    const band = [...(s.band ?? [])].filter((b) => Number.isFinite(b.lo) && Number.isFinite(b.hi)).sort((a, b) => a.x - b.x)
    if (band.length > 1) {
      const upper = band.map((b) => `${px(b.x).toFixed(1)},${py(b.hi).toFixed(1)}`)
      const lower = [...band].reverse().map((b) => `${px(b.x).toFixed(1)},${py(b.lo).toFixed(1)}`)
      parts.push(`<polygon class="band" points="${[...upper, ...lower].join(' ')}" fill="${color}" fill-opacity="0.18" stroke="none"/>`)
    }
    const pts = [...s.points].filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).sort((a, b) => a.x - b.x)
    if (pts.length > 1 && !s.markersOnly) parts.push(`<polyline class="series" data-series="${esc(s.name)}" fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ')}"/>`)
    const r = s.markersOnly || pts.length <= 40 ? (s.markersOnly ? 4 : 2.5) : 0
    const maxN = Math.max(1, ...pts.map((p) => p.n ?? 0))
    for (const p of r > 0 ? pts : []) {
      const radius = p.n === undefined ? r : 3 + 6 * Math.sqrt(p.n / maxN)
      const tip = `${s.name} at ${options.xLabel} ${p.x}: ${formatTick(Number(p.y.toPrecision(4)))}${p.n === undefined ? '' : ` (n=${p.n})`}`
      parts.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="${radius.toFixed(1)}" fill="${color}"${p.n === undefined ? '' : ' fill-opacity="0.8"'}><title>${esc(tip)}</title></circle>`)
    }
    // Legend: one row above the plot.
    const lx = left + i * 150
    parts.push(`<rect x="${lx}" y="28" width="12" height="4" fill="${color}"/><text x="${lx + 16}" y="33" fill="#333">${esc(s.name)}</text>`)
  })
  parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`)
  parts.push('</svg>')
  return parts.join('\n')
}

/** The stylesheet of ars's self-contained HTML reports (eval's and training's), so both pages look alike. */
export const REPORT_STYLE = `<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1320px;color:#222;padding:0 1rem}
table{border-collapse:collapse;margin:1rem 0;font-size:13px}th,td{border:1px solid #ccc;padding:4px 8px}th{background:#f3f3f3}
td.num{text-align:right;font-variant-numeric:tabular-nums}.charts{display:flex;flex-wrap:wrap;gap:16px}.charts svg{border:1px solid #eee;background:#fff}
</style>`
