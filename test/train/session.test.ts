// The training session both trainers share: a resume reopens the run at its checkpoint, metrics are appended with the
// run's name and handed on, a step is checkpointed once (the report rewritten with it), the stop signal's listeners
// go away on close.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readdirSync} from 'node:fs'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'
import type {TrainMetric} from '../../src/core/index.js'
import {tokenizerPreset} from '../../src/model/tokenizer.js'
import {fingerprint, modelConfigHash, type RunManifest} from '../../src/train/run-dir.js'
import {TrainingSession} from '../../src/train/session.js'
import {tinyConfig, tinyWeights} from '../helpers/tiny-model.js'

const config = tinyConfig({vocab_size: 269})
const tokenizer = tokenizerPreset('byte')
const manifest: RunManifest = {command: 'train sft', settings: {lr: 0.001}, model_config_hash: modelConfigHash(config), data_fingerprint: fingerprint([1])}

test('session: metrics handed on, one checkpoint per step, resume at it, stop listeners removed on close', async () => {
  const root = await mkdtemp(join(tmpdir(), 'ars-session-'))
  try {
    const out = join(root, 'run')
    const seen: TrainMetric[] = []
    const stop = new AbortController()
    let stops = 0
    const options = {model: 'unused', out, saveEvery: 2, saveEveryMinutes: 0, stopSignal: stop.signal, onMetric: (m: TrainMetric) => void seen.push(m)}
    const session = await TrainingSession.open(options, manifest)
    assert.equal(session.resumed, undefined)
    assert.equal(session.savedStep, undefined)
    assert.equal(session.due(2), false, 'no schedule before the loop begins')
    session.begin('train sft', 4, 0)
    const record = await session.appendMetric({step: 1, policy_version: 1, time_ms: 5, metrics: {loss: 2}})
    assert.equal(record.run, basename(out))
    assert.deepEqual(seen, [record])
    assert.equal((await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim(), JSON.stringify(record))
    assert.deepEqual([1, 2, 3, 4].map((s) => session.due(s)), [false, true, false, true])
    let snapshots = 0
    const snapshot = (step: number) => async () => {
      snapshots++
      return {checkpoint: {config, weights: tinyWeights(config), tokenizer}, trainerState: {step, policy_version: step, epoch: 0, cursor: step, elapsed_ms: 0}}
    }
    await session.save(2, snapshot(2))
    await session.save(2, snapshot(2))
    assert.equal(snapshots, 1, 'a step already saved is not saved again')
    assert.equal(session.savedStep, 2)
    assert.equal(session.checkpointDir, join(out, 'checkpoints', 'step-000002'))
    assert.ok(existsSync(join(out, 'report.html')), 'the report is rewritten with each checkpoint')
    session.onStop(() => stops++)
    session.close()
    stop.abort()
    assert.equal(stops, 0, 'close() removed the stop listener')
    assert.equal(session.stopped, true)

    const again = await TrainingSession.open({...options, resume: true}, manifest)
    assert.equal(again.resumed?.step, 2)
    assert.equal(again.savedStep, 2)
    await again.save(2, snapshot(2))
    assert.equal(snapshots, 1, 'the step resumed from counts as saved')
    assert.deepEqual(readdirSync(join(out, 'checkpoints')), ['step-000002'])
    again.close()
  } finally {
    await rm(root, {recursive: true, force: true})
  }
})
