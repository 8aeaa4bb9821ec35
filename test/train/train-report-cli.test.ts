// A short real `ars train sft` on the committed tiny policy with `--eval-every` on world dev questions: eval lines
// in metrics.jsonl at step 0, every N steps and the end, sampled by the step's own weights; per-question results;
// report.html/report.md in the run folder (checked in headless Chromium when one is installed); the trained
// weights byte-identical to a run without evaluations; a resume of the finished run adds nothing.
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {spawn} from 'node:child_process'
import {BIN, lines as jsonLines, runCli, ROOT} from '../helpers/cli.js'
import {evaluateInChromium, findChromium, NO_CHROMIUM} from '../helpers/chromium.js'

const POLICY = join(ROOT, 'datasets', 'policy-tiny')
const WORLD = join(ROOT, 'datasets', 'world-small')
const DEV = join(WORLD, 'questions', 'dev.jsonl')
const NAMES = ['Veltria', 'Brenn', 'Osk', 'Pell', 'Quell', 'Marrow', 'Ister', 'Caldera']

let root: string
let data: string
let withEval: {code: number | null; stdout: string; stderr: string}
const TRAIN = ['--model', POLICY, '--epochs', '2', '--batch-tokens', '60', '--micro-batch-tokens', '128', '--max-seq-len', '128', '--warmup', '1', '--backend', 'wasm', '--seed', '3']
const EVAL = ['--eval-every', '3', '--eval-questions', DEV, '--eval-limit', '3', '--search', WORLD, '--max-turns', '3', '--max-tokens-per-turn', '48']

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'ars-train-report-cli-'))
  data = join(root, 'data.jsonl')
  await writeFile(data, NAMES.map((n, i) => JSON.stringify({messages: [{role: 'user', content: `Where is ${n}?`}, {role: 'assistant', content: `<answer>${NAMES[(i + 3) % NAMES.length]}</answer>`}]})).join('\n') + '\n')
  withEval = await runCli(['train', 'sft', ...TRAIN, ...EVAL, '--out', join(root, 'eval'), data], {timeoutMs: 120_000})
})

after(async () => {
  await rm(root, {recursive: true, force: true})
})

const metricLines = (dir: string): {step: number; policy_version: number; metrics: Record<string, number>; meta: Record<string, unknown>}[] =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))

test('train sft --eval-every: eval lines at step 0, every 3 steps and the end, answered by that step\'s weights', () => {
  assert.equal(withEval.code, 0, withEval.stderr)
  const dir = join(root, 'eval')
  const lines = metricLines(dir)
  const steps = lines.filter((m) => m.meta.kind !== 'eval').map((m) => m.step)
  assert.deepEqual(steps, [1, 2, 3, 4, 5, 6, 7, 8])
  const evals = lines.filter((m) => m.meta.kind === 'eval')
  assert.deepEqual(evals.map((m) => m.step), [0, 3, 6, 8])
  for (const e of evals) {
    assert.equal(e.metrics.eval_questions, 3)
    for (const k of ['eval_em', 'eval_f1', 'eval_tool_calls', 'eval_turns', 'eval_answer_rate', 'eval_s']) assert.equal(typeof e.metrics[k], 'number', k)
    assert.ok(e.metrics.eval_turns! >= 1 && e.metrics.eval_turns! <= 3)
    // Greedy episodes on the engine holding exactly this step's weights.
    assert.equal(e.metrics.eval_version_min, e.step)
    assert.equal(e.metrics.eval_version_max, e.step)
    assert.equal(e.meta.questions, DEV)
    const results = readFileSync(join(dir, 'evals', `step-${String(e.step).padStart(6, '0')}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    assert.equal(results.length, 3)
    assert.equal(results[0].type, 'eval_result')
    const em = results.reduce((a: number, r: {scores: {em: number}}) => a + r.scores.em, 0) / 3
    assert.equal(e.metrics.eval_em, em)
  }
  // Every line went to stdout as well, in the same order.
  assert.deepEqual((jsonLines(withEval.stdout) as {step: number}[]).map((m) => m.step), lines.map((m) => m.step))
  assert.match(withEval.stderr, /report: .*report\.html, report\.md/)
})

test('the report is written into the run folder with the held-out table and the SFT plots', () => {
  const dir = join(root, 'eval')
  const md = readFileSync(join(dir, 'report.md'), 'utf8')
  assert.match(md, /^# ars train sft report: eval/)
  assert.match(md, /\| held-out EM \(step 0 → 8, n=3\) \|/)
  for (const step of [0, 3, 6, 8]) assert.match(md, new RegExp(`\\n\\| ${step} \\| \\d+\\.\\d \\| \\d+\\.\\d \\| [\\d.]+ \\| [\\d.]+ \\| \\d+\\.\\d \\| 3 \\|`))
  const html = readFileSync(join(dir, 'report.html'), 'utf8')
  assert.equal((html.match(/<svg /g) ?? []).length, 4)
  assert.doesNotMatch(html, /<script|<link|<img|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/)
})

test('evaluations leave training untouched: same weights as a run without them; resuming the finished run adds nothing', async () => {
  const plain = await runCli(['train', 'sft', ...TRAIN, '--out', join(root, 'plain'), data], {timeoutMs: 120_000})
  assert.equal(plain.code, 0, plain.stderr)
  const a = readFileSync(join(root, 'eval', 'latest', 'model.safetensors'))
  const b = readFileSync(join(root, 'plain', 'latest', 'model.safetensors'))
  assert.ok(a.equals(b), 'final weights differ with --eval-every')
  const losses = (dir: string) => metricLines(dir).filter((m) => m.meta.kind !== 'eval').map((m) => m.metrics.loss)
  assert.deepEqual(losses(join(root, 'eval')), losses(join(root, 'plain')))
  assert.ok(existsSync(join(root, 'plain', 'report.html')), 'a run without evaluations gets a report too')
  const before = readFileSync(join(root, 'eval', 'metrics.jsonl'), 'utf8')
  const again = await runCli(['train', 'sft', ...TRAIN, ...EVAL, '--out', join(root, 'eval'), '--resume', data], {timeoutMs: 120_000})
  assert.equal(again.code, 0, again.stderr)
  assert.equal(readFileSync(join(root, 'eval', 'metrics.jsonl'), 'utf8'), before)
})

test('kill -9 after a checkpoint, then --resume: each evaluation once, same weights and losses as the run never killed', async () => {
  const out = join(root, 'killed')
  const killed = await new Promise<{signal: NodeJS.Signals | null; stderr: string}>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'train', 'sft', ...TRAIN, ...EVAL, '--save-every', '3', '--out', out, data], {cwd: ROOT, env: {...process.env, ARS_CONFIG: ''}, stdio: ['ignore', 'pipe', 'pipe']})
    let pending = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString('utf8')
      // Step 4's line comes after the evaluation and the checkpoint of step 3.
      if (pending.split('\n').some((l) => l.startsWith('{') && JSON.parse(l).step === 4)) child.kill('SIGKILL')
    })
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
    child.on('error', reject)
    child.on('close', (_code, signal) => {
      clearTimeout(timer)
      resolve({signal, stderr})
    })
  })
  assert.equal(killed.signal, 'SIGKILL', killed.stderr)
  const resumed = await runCli(['train', 'sft', ...TRAIN, ...EVAL, '--out', out, '--resume', data], {timeoutMs: 120_000})
  assert.equal(resumed.code, 0, resumed.stderr)
  const lines = metricLines(out)
  assert.deepEqual(lines.filter((m) => m.meta.kind === 'eval').map((m) => m.step), [0, 3, 6, 8])
  const losses = (dir: string) => metricLines(dir).filter((m) => m.meta.kind !== 'eval').map((m) => [m.step, m.metrics.loss])
  assert.deepEqual(losses(out), losses(join(root, 'eval')))
  assert.ok(readFileSync(join(out, 'latest', 'model.safetensors')).equals(readFileSync(join(root, 'eval', 'latest', 'model.safetensors'))), 'resumed weights differ')
})

test('bad --eval-* flags are usage errors naming the flag and the fix', async () => {
  const noFile = await runCli(['train', 'sft', ...TRAIN, '--eval-every', '2', '--out', join(root, 'x'), data])
  assert.equal(noFile.code, 2)
  assert.match(noFile.stderr, /--eval-every needs --eval-questions FILE/)
  const noSearch = await runCli(['train', 'sft', ...TRAIN, '--eval-every', '2', '--eval-questions', DEV, '--out', join(root, 'x'), data])
  assert.equal(noSearch.code, 2)
  assert.match(noSearch.stderr, /--eval-every needs --search/)
  const missing = await runCli(['train', 'sft', ...TRAIN, '--eval-every', '2', '--eval-questions', join(root, 'nope.jsonl'), '--search', WORLD, '--out', join(root, 'x'), data])
  assert.equal(missing.code, 2)
  assert.match(missing.stderr, /--eval-questions .*nope\.jsonl: no such file/)
  assert.ok(!existsSync(join(root, 'x', 'run.json')), 'nothing was started')
})

test('headless Chromium renders the real run\'s report: four plots, the held-out rows, no requests, no errors', async (t) => {
  const chromium = findChromium()
  if (!chromium) return t.skip(NO_CHROMIUM)
  const {value, errors} = await evaluateInChromium<{svgs: number; laidOut: number; evalRows: string[]; resources: number; lossPoints: number}>(chromium, pathToFileURL(join(root, 'eval', 'report.html')).href, `({
    svgs: document.querySelectorAll('svg').length,
    laidOut: [...document.querySelectorAll('svg')].filter((s) => s.getBoundingClientRect().width >= 600).length,
    evalRows: [...document.querySelectorAll('table.evals tbody tr')].map((r) => r.cells[0].textContent),
    resources: performance.getEntriesByType('resource').length,
    lossPoints: document.querySelectorAll('#chart-loss circle').length,
  })`)
  assert.deepEqual(errors, [])
  assert.equal(value.svgs, 4)
  assert.equal(value.laidOut, 4)
  assert.deepEqual(value.evalRows, ['0', '3', '6', '8'])
  assert.equal(value.lossPoints, 8)
  assert.equal(value.resources, 0)
})
