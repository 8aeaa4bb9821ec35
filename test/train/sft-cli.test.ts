// Golden runs of the real `ars train sft`: kill -9 mid-run then --resume gives the same weights and metrics as an
// uninterrupted run; Ctrl-C finishes the step, checkpoints and exits 130; stdout holds TrainMetric records only.
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {existsSync, readFileSync, readlinkSync} from 'node:fs'
import {readFile, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {BIN, lines, ROOT, runCli} from '../helpers/cli.js'
import {sftFixture} from '../helpers/sft-fixture.js'

let root: string
let model: string
let data: string

const NAMES = ['Veltria', 'Brenn', 'Osk', 'Pell', 'Quell', 'Marrow', 'Ister', 'Caldera', 'Tovin', 'Seray', 'Umber', 'Wick']

before(async () => {
  ;({root, model, data} = await sftFixture('ars-sft-cli-', 1, 'data.jsonl', NAMES.map((name, i) => [`Where is ${name}?`, NAMES[(i + 5) % NAMES.length]!])))
})

after(async () => {
  await rm(root, {recursive: true, force: true})
})

/** Training flags shared by these runs; `overrides` replace some of them. */
function train(overrides: Record<string, string> = {}): string[] {
  const flags: Record<string, string> = {epochs: '4', 'batch-tokens': '40', 'micro-batch-tokens': '64', 'max-seq-len': '64', lr: '5e-3', warmup: '3', 'save-every': '4', backend: 'auto', seed: '7', ...overrides}
  return Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v])
}
const TRAIN = train()

/** Spawn `ars train sft`, call `onLine` with each stdout line; resolves with the exit code/signal and output. */
function spawnTrain(args: string[], onLine: (line: string, child: ReturnType<typeof spawn>) => void = () => {}): Promise<{code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'train', 'sft', ...args], {cwd: ROOT, env: {...process.env, ARS_CONFIG: ''}, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    let pending = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8')
      pending += d.toString('utf8')
      let nl
      while ((nl = pending.indexOf('\n')) >= 0) {
        onLine(pending.slice(0, nl), child)
        pending = pending.slice(nl + 1)
      }
    })
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({code, signal, stdout, stderr})
    })
  })
}

function stepOf(line: string): number {
  return (JSON.parse(line) as {step: number}).step
}

/** Metrics without wall-clock figures, for comparing runs. */
function comparable(path: string): unknown[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((l) => {
    const m = JSON.parse(l) as {step: number; metrics: Record<string, number>}
    const {tokens_per_s: _speed, ...rest} = m.metrics
    return {step: m.step, ...rest}
  })
}

test('kill -9 mid-run, then --resume: same final weights and metrics as an uninterrupted run', async () => {
  const straight = join(root, 'straight')
  const full = await spawnTrain(['--model', model, '--out', straight, '--quiet', ...TRAIN, data])
  assert.equal(full.code, 0, full.stderr)
  const metrics = lines(full.stdout) as {type: string; step: number}[]
  assert.ok(metrics.length >= 20, `expected a run of ≥ 20 steps, got ${metrics.length}`)
  assert.ok(metrics.every((m) => m.type === 'train_metric'))
  assert.match(full.stderr, /onnxruntime-node cpu/) // --backend auto on a machine without tfjs-node

  const killed = join(root, 'killed')
  let killedAt = 0
  const first = await spawnTrain(['--model', model, '--out', killed, '--quiet', ...TRAIN, data], (line, child) => {
    if (killedAt === 0 && stepOf(line) >= 10) {
      killedAt = stepOf(line)
      child.kill('SIGKILL')
    }
  })
  assert.equal(first.signal, 'SIGKILL')
  assert.ok(killedAt >= 10 && killedAt < metrics.length, `killed at step ${killedAt}`)

  const resumed = await spawnTrain(['--model', model, '--out', killed, '--quiet', '--resume', ...TRAIN, data])
  assert.equal(resumed.code, 0, resumed.stderr)
  const resumedSteps = (lines(resumed.stdout) as {step: number}[]).map((m) => m.step)
  assert.ok(resumedSteps[0]! > 1 && resumedSteps[0]! <= killedAt + 1, `resumed from step ${resumedSteps[0]}`)
  assert.equal(resumedSteps.at(-1), metrics.length)
  assert.match(resumed.stderr, /resumed at \d+/)

  const a = await readFile(join(straight, 'latest', 'model.safetensors'))
  const b = await readFile(join(killed, 'latest', 'model.safetensors'))
  assert.ok(a.equals(b), 'final weights are bit-identical')
  assert.ok((await readFile(join(straight, 'latest', 'optimizer.safetensors'))).equals(await readFile(join(killed, 'latest', 'optimizer.safetensors'))), 'optimizer state too')
  assert.deepEqual(comparable(join(killed, 'metrics.jsonl')), comparable(join(straight, 'metrics.jsonl')), 'metrics.jsonl has each step once, with the same losses')
})

test('Ctrl-C finishes the step, saves a checkpoint at it and exits 130; --resume then completes the run', async () => {
  const out = join(root, 'interrupted')
  let sent = false
  const run = await spawnTrain(['--model', model, '--out', out, '--quiet', ...train({'save-every': '0'}), data], (line, child) => {
    if (!sent && stepOf(line) >= 3) {
      sent = true
      child.kill('SIGINT')
    }
  })
  assert.equal(run.code, 130, run.stderr)
  const last = (lines(run.stdout) as {step: number}[]).at(-1)!.step
  assert.match(run.stderr, new RegExp(`interrupted at step ${last}: continue with --resume`))
  assert.equal(readlinkSync(join(out, 'latest')), join('checkpoints', `step-${String(last).padStart(6, '0')}`))
  const rest = await spawnTrain(['--model', model, '--out', out, '--quiet', '--resume', ...train({'save-every': '0'}), data])
  assert.equal(rest.code, 0, rest.stderr)
  assert.equal((lines(rest.stdout) as {step: number}[])[0]?.step, last + 1)
})

test('without --save-every, time-based checkpoints keep a kill -9 from losing the run', async () => {
  // --save-every-minutes defaults to 10; a run this short needs a fraction of a second to show the same promise.
  const out = join(root, 'timed')
  let killedAt = 0
  // Killed at the first step after a time-based checkpoint exists (not at a fixed step: an idle machine trains a
  // handful of tiny steps faster than any save interval).
  const first = await spawnTrain(['--model', model, '--out', out, '--quiet', ...train({epochs: '2', 'save-every': '0', 'save-every-minutes': '0.001'}), data], (line, child) => {
    if (killedAt === 0 && stepOf(line) >= 1 && existsSync(join(out, 'latest'))) {
      killedAt = stepOf(line)
      child.kill('SIGKILL')
    }
  })
  assert.equal(first.signal, 'SIGKILL')
  const saved = Number(/step-(\d+)$/.exec(readlinkSync(join(out, 'latest')))?.[1])
  assert.ok(saved >= 1 && saved <= killedAt, `a checkpoint at step ${saved} survived the kill at step ${killedAt}`)
  const rest = await spawnTrain(['--model', model, '--out', out, '--quiet', '--resume', ...train({epochs: '2', 'save-every': '0'}), data])
  assert.equal(rest.code, 0, rest.stderr)
  assert.equal((lines(rest.stdout) as {step: number}[])[0]?.step, saved + 1)
  const bad = await spawnTrain(['--model', model, '--out', join(root, 'bad-minutes'), ...train({'save-every-minutes': '-1'}), data])
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /--save-every-minutes: expected a number ≥ 0, got "-1"/)
})

test('errors: exit 2 with a fix for a bad folder, exit 1 naming file:line for bad data', async () => {
  // the first test's finished run: refused before any training (a mismatched --resume is checked in sft.test.ts)
  const again = await runCli(['train', 'sft', '--model', model, '--out', join(root, 'straight'), '--quiet', ...TRAIN, data])
  assert.equal(again.code, 2)
  assert.match(again.stderr, /error: .*straight: a run already exists here\n {2}fix: Pass --resume to continue it, --force to start over, or choose a new --out/)
  const bad = await runCli(['train', 'sft', '--model', model, '--out', join(root, 'bad'), '--quiet', ...TRAIN], {input: '{"messages": [{"role": "assistant", "content": "hi"}]}\n{"type": "sft_example", "messages": []}\n'})
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /error: stdin:2: invalid SftExample: messages/)
  const noModel = await runCli(['train', 'sft', '--model', join(root, 'nope'), '--out', join(root, 'x'), data])
  assert.equal(noModel.code, 2)
  assert.match(noModel.stderr, /not a model folder\n {2}fix: /)
})
