// `ars train` through the real bin/run.js: bad input (file:line, flags), Ctrl-C (checkpoint, exit 130), and a run
// killed with SIGKILL mid-way that resumes from its last checkpoint without repeating or losing a step.
import {before, test} from 'node:test'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {cpSync, readFileSync, realpathSync, rmSync, writeFileSync} from 'node:fs'
import {basename, join} from 'node:path'
import {BIN, ROOT, runCli} from '../helpers/cli.js'
import {validateRlOptions} from '../../src/rl/controller.js'
import {initTinyModel, tmp, worldWithIndex} from './rl-setup.js'

let model: string
let world: string
let questions: string

before(async () => {
  ;[model, world] = await Promise.all([initTinyModel(), worldWithIndex()])
  const lines = readFileSync(join(ROOT, 'datasets', 'world-small', 'questions', 'train.jsonl'), 'utf8').split('\n').slice(0, 4)
  // Line 3 has no answers: an error unless --skip-unanswerable.
  const unanswerable = {...JSON.parse(lines[2]!), id: 'no-answer', answers: []}
  questions = join(tmp('questions'), 'q.jsonl')
  writeFileSync(questions, [lines[0], lines[1], JSON.stringify(unanswerable), lines[3]].join('\n') + '\n')
})

/** Flags for a small fast run; `extra` entries replace same-named ones (a bare flag maps to true). */
const common = (out: string, extra: Record<string, string | true> = {}): string[] => {
  const flags: Record<string, string | true> = {model, questions, search: world, out, samples: '2', 'batch-questions': '2', 'max-turns': '1', 'max-tokens-per-turn': '8',
    concurrency: '4', lr: '1e-3', backend: 'wasm', 'save-every': '1', quiet: true, ...extra}
  return Object.entries(flags).flatMap(([k, v]) => (v === true ? [`--${k}`] : [`--${k}`, v]))
}

test('flag combinations that make no sense are refused before anything loads', () => {
  assert.throws(() => validateRlOptions({mode: 'async', maxStaleness: 0, steps: 1}), /it is --mode sync/)
  assert.throws(() => validateRlOptions({samples: 2, batchQuestions: 2, minibatches: 9, steps: 1}), /--minibatches 9 exceeds the 4 episodes/)
  assert.throws(() => validateRlOptions({steps: 0}), /--steps: expected an integer ≥ 1/)
  assert.throws(() => validateRlOptions({steps: 1, ppoEpochs: 0}), /--ppo-epochs: expected an integer ≥ 1/)
  assert.throws(() => validateRlOptions({mode: 'fast' as never, steps: 1}), /--mode: expected one of sync, one-step-off, async/)
  assert.doesNotThrow(() => validateRlOptions({mode: 'sync', maxStaleness: 0, steps: 1}))
})

test('bad input: unanswerable questions (file:line), a model without tokenizer, senseless mode/sample flags', async () => {
  const out = join(tmp('bad'), 'run')
  const r = await runCli(['train', ...common(out, {steps: '1'})])
  assert.equal(r.code, 1, r.stderr)
  assert.match(r.stderr, new RegExp(`${basename(questions)}:3: question "no-answer" has no answers`))
  assert.match(r.stderr, /--skip-unanswerable/)
  const bare = join(tmp('bare'), 'model')
  cpSync(model, bare, {recursive: true})
  rmSync(join(bare, 'tokenizer.json'))
  const t = await runCli(['train', ...common(out, {model: bare, steps: '1', 'skip-unanswerable': true})])
  assert.equal(t.code, 2, t.stderr)
  assert.match(t.stderr, /no tokenizer\.json/)
  for (const [args, pattern] of [
    [{samples: '1'}, /--samples 1: a GRPO group of one/],
    [{mode: 'one-step-off', 'max-staleness': '0'}, /one-step-off.*--max-staleness 0/],
    [{resume: true, force: true}, /contradict/],
  ] as const) {
    const u = await runCli(['train', ...common(out, {steps: '1', 'skip-unanswerable': true, ...args})])
    assert.equal(u.code, 2, `${JSON.stringify(args)}: ${u.stderr}`)
    assert.match(u.stderr, pattern)
  }
})

/** Spawns `ars train`, calls `onLine` for each stdout line (it may signal the child), resolves on exit. */
function train(args: string[], onLine: (line: string, child: ReturnType<typeof spawn>) => void = () => {}): Promise<{code: number | null; signal: NodeJS.Signals | null; stdout: string[]; stderr: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'train', ...args], {cwd: ROOT, env: {...process.env, ARS_CONFIG: ''}, stdio: ['ignore', 'pipe', 'pipe']})
    const stdout: string[] = []
    let buffered = ''
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString()
      let nl
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        stdout.push(line)
        onLine(line, child)
      }
    })
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({code, signal, stdout, stderr})
    })
  })
}

const steps = (path: string): number[] => readFileSync(path, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as {step: number}).step)

test('Ctrl-C checkpoints and exits 130; a SIGKILLed run resumes from its last checkpoint', async () => {
  const out = join(tmp('resume'), 'run')
  const args = common(out, {'skip-unanswerable': true, mode: 'async', 'max-staleness': '2'})
  // 1. SIGINT after the first step: stop intake, finish the step, checkpoint, exit 130.
  const first = await train([...args, '--steps', '20'], (line, child) => {
    if ((JSON.parse(line) as {step: number}).step === 1) child.kill('SIGINT')
  })
  assert.equal(first.code, 130, first.stderr)
  assert.match(first.stderr, /interrupted/)
  const saved = Number(/step-(\d+)/.exec(realpathSync(join(out, 'latest')))![1])
  assert.ok(saved >= 1)
  assert.deepEqual(steps(join(out, 'metrics.jsonl')), Array.from({length: saved}, (_, i) => i + 1))
  // 2. Resume, and SIGKILL right after the next step's metric line (its checkpoint may be half written).
  let killedAfter = 0
  const second = await train([...args, '--steps', '20', '--resume'], (line, child) => {
    killedAfter = (JSON.parse(line) as {step: number}).step
    child.kill('SIGKILL')
  })
  assert.equal(second.signal, 'SIGKILL')
  assert.equal(killedAfter, saved + 1, 'the resumed run did not continue at the next step')
  // 3. Resume again to the end: no step is repeated or missing, latest is the final checkpoint.
  const target = killedAfter + 1
  const third = await train([...args, '--steps', String(target), '--resume'])
  assert.equal(third.code, 0, third.stderr)
  const resumedFrom = (JSON.parse(third.stdout[0]!) as {step: number}).step - 1
  assert.ok(resumedFrom === killedAfter || resumedFrom === killedAfter - 1, `resumed from ${resumedFrom}`)
  assert.deepEqual(steps(join(out, 'metrics.jsonl')), Array.from({length: target}, (_, i) => i + 1))
  assert.equal(basename(realpathSync(join(out, 'latest'))), `step-${String(target).padStart(6, '0')}`)
  // A finished run asked for the same number of steps has nothing to do.
  const again = await runCli(['train', ...args, '--steps', String(target), '--resume'])
  assert.equal(again.code, 0, again.stderr)
  assert.equal(again.stdout, '')
})
