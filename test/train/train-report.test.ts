// The training report from a synthetic metrics.jsonl: tables and plots computed from the lines (RL and SFT runs),
// a cut-off last line left out, the per-step episode metrics and held-out aggregates, `ars train report`, and the
// page as headless Chromium renders it.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import type {EvalResult, TrainMetric, Trajectory} from '../../src/core/records/index.js'
import {niceStep, seriesChart} from '../../src/core/svg-charts.js'
import {episodeMetrics} from '../../src/rl/episode-metrics.js'
import {checkHeldOutFlags, heldOutMetrics} from '../../src/train/held-out-eval.js'
import {readRunMetrics, sampleRows, trainReportData, writeTrainReport} from '../../src/train/train-report.js'
import {runCli} from '../helpers/cli.js'
import {evaluateInChromium, findChromium, NO_CHROMIUM} from '../helpers/chromium.js'

const line = (step: number, metrics: Record<string, number>, meta: Record<string, unknown> = {}): TrainMetric => ({type: 'train_metric', version: 1, run: 'r', step, policy_version: step, time_ms: 1000 * step, metrics, meta})

/** Six RL steps (staleness 0,1,2 counts; 2 groups a step, zero-variance on odd steps) and evals at 0, 3, 6. */
function rlMetrics(): TrainMetric[] {
  const out: TrainMetric[] = [line(0, {eval_em: 0.1, eval_f1: 0.2, eval_tool_calls: 1, eval_turns: 2, eval_answer_rate: 0.9, eval_questions: 10, eval_s: 3, eval_em_hops_1: 0.2, eval_n_hops_1: 5, eval_em_hops_2: 0, eval_n_hops_2: 5}, {kind: 'eval'})]
  for (let step = 1; step <= 6; step++) {
    out.push(line(step, {
      reward_mean: 0.1 * step, reward_std: 0.05, answer_rate: 0.5, tool_calls_mean: 1 + step / 2, turns_mean: 2 + step / 2, groups: 2, zero_variance_groups: step % 2, zero_variance_frac: (step % 2) / 2,
      staleness_mean: 1, staleness_max: 2, staleness_count_0: 2, staleness_count_1: 3, ...(step > 3 ? {staleness_count_2: 1} : {}), episodes: 8, loss: 0.5 - 0.05 * step, gen_tokens_per_s: 100 + step, train_tokens_per_s: 400,
    }))
    if (step % 3 === 0) out.push(line(step, {eval_em: 0.1 + 0.2 * (step / 3), eval_f1: 0.3 + 0.2 * (step / 3), eval_tool_calls: 1 + step / 3, eval_turns: 3, eval_answer_rate: 1, eval_questions: 10, eval_s: 2, eval_em_hops_1: 0.4, eval_n_hops_1: 5, eval_em_hops_2: 0.2, eval_n_hops_2: 5}, {kind: 'eval'}))
  }
  return out
}

function runFolder(metrics: TrainMetric[], manifest: object | undefined, tail = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'ars-train-report-'))
  if (manifest) writeFileSync(join(dir, 'run.json'), JSON.stringify(manifest))
  writeFileSync(join(dir, 'metrics.jsonl'), metrics.map((m) => `${JSON.stringify(m)}\n`).join('') + tail)
  return dir
}

const RL_MANIFEST = {version: 1, command: 'train', settings: {mode: 'async', samples: 4, lr: 0.001}, flags: {}, model_config_hash: 'x', data_fingerprint: ''}

test('RL report: summary, held-out table, staleness histogram and seven inline plots from metrics.jsonl', () => {
  // A line cut off by a kill (no newline) is left out.
  const dir = runFolder(rlMetrics(), RL_MANIFEST, '{"type":"train_metric","version":1,"run":"r","step":7,')
  const {markdown, html, data} = writeTrainReport(dir)
  assert.equal(data.kind, 'rl')
  assert.deepEqual(data.steps.map((m) => m.step), [1, 2, 3, 4, 5, 6])
  assert.deepEqual(data.evals.map((e) => [e.step, e.em]), [[0, 0.1], [3, 0.30000000000000004], [6, 0.5]])
  assert.deepEqual(data.staleness.map((b) => [b.label, b.value]), [['0', 12], ['1', 18], ['2', 3]])
  const md = readFileSync(markdown, 'utf8')
  assert.match(md, /^# ars train report: ars-train-report-/)
  assert.match(md, /`ars train` run `ars-train-report-\w+` — mode=async, samples=4, lr=0\.001\./)
  assert.match(md, /\| steps \| 6 \|/)
  assert.match(md, /\| reward \(first → last step\) \| 0\.1 → 0\.6 \|/)
  assert.match(md, /\| episodes \| 48 \|/)
  assert.match(md, /\| zero-variance groups \(all steps\) \| 3 of 12 \(25\.0 %\) \|/)
  assert.match(md, /\| held-out EM \(step 0 → 6, n=10\) \| 10\.0 → 50\.0 % \|/)
  assert.match(md, /\| best held-out EM \| 50\.0 % at step 6 \|/)
  assert.match(md, /\| step \| EM % \| F1 % \| tool calls \| turns \| answered % \| n \| EM 1-hop % \| EM 2-hop % \| seconds \|/)
  assert.match(md, /\| 3 \| 30\.0 \| 50\.0 \| 2 \| 3 \| 100\.0 \| 10 \| 40\.0 \(n=5\) \| 20\.0 \(n=5\) \| 2 \|/)
  assert.match(md, /\| versions behind \| samples \|\n\| --- \| ---: \|\n\| 0 \| 12 \|\n\| 1 \| 18 \|\n\| 2 \| 3 \|/)
  assert.match(md, /\| 6 \| 0\.6 \| 0\.05 \| 0\.5 \| 4 \| 5 \| 0 \| 1 \| 0\.2 \| 106 \| 400 \|/)
  const page = readFileSync(html, 'utf8')
  assert.equal((page.match(/<svg /g) ?? []).length, 7)
  for (const id of ['reward', 'eval', 'tools', 'zero-variance', 'staleness', 'throughput', 'loss']) assert.match(page, new RegExp(`id="chart-${id}"`))
  // Self-contained: no scripts, stylesheets, images or URLs other than the SVG namespace.
  assert.doesNotMatch(page, /<script|<link|<img|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/)
  // The reward band (mean ± std) is drawn, and the eval plot has both series.
  assert.match(page, /<polygon class="band"/)
  assert.match(page, /data-series="EM %"/)
  assert.match(page, /data-series="F1 %"/)
  assert.match(page, /<title>EM % at step 6: 50<\/title>/)
})

test('SFT report: loss, held-out EM, throughput and lr; no eval → the report says how to get one', () => {
  const steps = [1, 2, 3].map((s) => line(s, {loss: 3 - s / 2, lr: 1e-3, grad_norm: 1, tokens: 100, tokens_per_s: 500 + s, epoch: s / 3}))
  const dir = runFolder(steps, {version: 1, command: 'train sft', settings: {epochs: 1}, model_config_hash: 'x', data_fingerprint: 'y'})
  const {markdown, html, data} = writeTrainReport(dir, 'my title')
  assert.equal(data.kind, 'sft')
  const md = readFileSync(markdown, 'utf8')
  assert.match(md, /^# my title\n/)
  assert.match(md, /\| loss \(first → last step\) \| 2\.5 → 1\.5 \|/)
  assert.match(md, /None recorded \(pass `--eval-every N --eval-questions FILE`\)/)
  assert.match(md, /\| 3 \| 1\.5 \| 0\.001 \| 1 \| 100 \| 503 \| 1 \|/)
  const page = readFileSync(html, 'utf8')
  assert.equal((page.match(/<svg /g) ?? []).length, 4)
  assert.match(page, /Loss \(masked NLL per target token\)/)
  assert.match(page, /no data/) // the held-out plot, empty
})

test('per-step episode metrics and held-out aggregates', () => {
  const t = (reward: number | null, toolCalls: number, turns: number): Trajectory => ({reward, stats: {tool_calls: toolCalls, turns, tokens: 0, model_tokens: 0, wall_ms: 0}} as unknown as Trajectory)
  const m = episodeMetrics({episodes: [t(1, 2, 3), t(0, 0, 1), t(null, 1, 2), t(0.5, 1, 2)], staleness: [0, 0, 2, 1], groups: 4, zeroVarianceGroups: 1})
  assert.equal(m.reward_std, Math.sqrt(((1 - 0.5) ** 2 + 0.5 ** 2 + 0) / 3))
  assert.deepEqual([m.reward_min, m.reward_max, m.tool_calls_mean, m.turns_mean, m.zero_variance_frac, m.groups], [0, 1, 1, 2, 0.25, 4])
  assert.deepEqual([m.staleness_count_0, m.staleness_count_1, m.staleness_count_2], [2, 1, 1])
  const r = (em: number, hops: number, prediction: string | null, stats: Record<string, number>): EvalResult => ({scores: {em, f1: em / 2}, hops, prediction, stats} as unknown as EvalResult)
  const h = heldOutMetrics([r(1, 1, 'a', {tool_calls: 2, turns: 3}), r(0, 2, null, {turns: 1}), r(1, 2, ' b', {tool_calls: 1, turns: 2})], 4)
  assert.deepEqual(h, {eval_em: 2 / 3, eval_f1: 1 / 3, eval_tool_calls: 1, eval_turns: 2, eval_answer_rate: 2 / 3, eval_errors: 0, eval_questions: 3, eval_s: 4, eval_em_hops_1: 1, eval_n_hops_1: 1, eval_em_hops_2: 0.5, eval_n_hops_2: 2})
  assert.throws(() => checkHeldOutFlags(5, undefined), /--eval-every needs --eval-questions FILE/)
  assert.throws(() => checkHeldOutFlags(undefined, 'q.jsonl'), /--eval-questions needs --eval-every N/)
  assert.throws(() => checkHeldOutFlags(0, 'q.jsonl'), /--eval-every: expected an integer ≥ 1, got 0/)
})

test('helpers: metrics reading, row sampling, axis steps, empty charts', () => {
  const dir = runFolder([line(1, {loss: 1})], undefined, 'not json and no newline')
  assert.deepEqual(readRunMetrics(dir).map((m) => m.step), [1])
  assert.deepEqual(trainReportData(readRunMetrics(dir)).kind, 'sft')
  assert.deepEqual(sampleRows([...Array(100).keys()], 5), [0, 25, 50, 74, 99])
  assert.deepEqual([niceStep(0.013), niceStep(0.3), niceStep(22), niceStep(25), niceStep(70)], [0.02, 0.5, 25, 25, 100])
  assert.match(seriesChart([], {title: 't', xLabel: 'step', yLabel: 'y'}), /no data/)
  const svg = seriesChart([{name: 'a<b', points: [{x: 1, y: 2}, {x: 2, y: 3}]}], {title: 'T', xLabel: 'step', yLabel: 'y'})
  assert.match(svg, /a&lt;b/)
  assert.equal((svg.match(/<circle /g) ?? []).length, 2)
  // Points with n (eval's score against turns): the marker's radius grows with √n and the tooltip names n.
  const sized = seriesChart([{name: 'em', points: [{x: 1, y: 50, n: 4}, {x: 2, y: 25, n: 1}]}], {title: 'T', xLabel: 'turns', yLabel: 'em %', yMin: 0, yMax: 100})
  assert.deepEqual([...sized.matchAll(/r="([\d.]+)"/g)].map((m) => Number(m[1])), [9, 6])
  assert.match(sized, /em at turns 1: 50 \(n=4\)/)
})

test('ars train report RUN_DIR rewrites the report; a folder that is not a run is an error naming it', async () => {
  const dir = runFolder(rlMetrics(), RL_MANIFEST)
  const ok = await runCli(['train', 'report', dir, '--title', 'from the CLI'])
  assert.equal(ok.code, 0, ok.stderr)
  assert.equal(ok.stdout, '')
  assert.match(ok.stderr, /report: .*report\.html and .*report\.md \(6 steps, 3 held-out evaluations, last EM 50\.0 % at step 6\)/)
  assert.match(readFileSync(join(dir, 'report.md'), 'utf8'), /^# from the CLI/)
  const empty = mkdtempSync(join(tmpdir(), 'ars-not-a-run-'))
  const bad = await runCli(['train', 'report', empty])
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /is not a training run: no run\.json or metrics\.jsonl/)
  assert.match(bad.stderr, /fix: Pass the --out folder/)
})

test('headless Chromium renders the RL report: seven laid-out plots, their lines and bars, no requests, no errors', async (t) => {
  const chromium = findChromium()
  if (!chromium) return t.skip(NO_CHROMIUM)
  const dir = runFolder(rlMetrics(), RL_MANIFEST)
  const {html} = writeTrainReport(dir)
  const {value, errors} = await evaluateInChromium<{svgs: number[][]; polylines: number; bars: number; bands: number; resources: number; title: string; evalRows: number; ns: string[]}>(chromium, pathToFileURL(html).href, `({
    svgs: [...document.querySelectorAll('svg')].map((s) => { const r = s.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)] }),
    polylines: [...document.querySelectorAll('polyline.series')].filter((p) => p.getBBox().width > 0).length,
    bars: [...document.querySelectorAll('#chart-staleness rect')].filter((r) => r.getBBox().height > 0).length,
    bands: document.querySelectorAll('polygon.band').length,
    resources: performance.getEntriesByType('resource').length,
    title: document.title,
    evalRows: document.querySelectorAll('table.evals tbody tr').length,
    ns: [...new Set([...document.querySelectorAll('svg')].map((s) => s.namespaceURI))],
  })`)
  assert.deepEqual(errors, [])
  assert.equal(value.svgs.length, 7)
  for (const [w, h] of value.svgs) assert.ok(w >= 600 && h >= 280, `plot laid out at ${w}×${h}`)
  assert.deepEqual(value.ns, ['http://www.w3.org/2000/svg'])
  // reward, EM, F1, tool calls, turns, zero-variance, answer rate, gen tok/s, train tok/s, loss
  assert.equal(value.polylines, 10)
  assert.equal(value.bars, 3)
  assert.equal(value.bands, 1)
  assert.equal(value.resources, 0)
  assert.equal(value.evalRows, 3)
  assert.match(value.title, /ars train report/)
})
