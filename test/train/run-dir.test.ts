// The run folder: run.json checks on resume, metrics.jsonl repair, atomic checkpoints with `latest`, pruning.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, lstatSync, readdirSync, readlinkSync} from 'node:fs'
import {appendFile, mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {UsageError} from '../../src/core/errors.js'
import {Rng} from '../../src/core/rng.js'
import {loadCheckpoint} from '../../src/model/checkpoint.js'
import {tokenizerPreset} from '../../src/model/tokenizer.js'
import {fingerprint, modelConfigHash, RunDir, type RunManifest, type TrainerState} from '../../src/train/run-dir.js'
import {tinyConfig, tinyWeights} from '../helpers/tiny-model.js'

const config = tinyConfig({vocab_size: 269})
const tokenizer = tokenizerPreset('byte')
const manifest: RunManifest = {command: 'train sft', settings: {lr: 0.001, epochs: 1, seed: 0}, flags: {'save-every': 5}, model_config_hash: modelConfigHash(config), data_fingerprint: fingerprint([[1, 2, 3]])}

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ars-run-'))
  try {
    await fn(dir)
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

function state(step: number): TrainerState {
  return {step, policy_version: step, epoch: 0, cursor: step * 2, elapsed_ms: step * 10, rng: {shuffle: new Rng(step + 1).state}}
}

function metric(step: number) {
  return {step, policy_version: step, time_ms: step, metrics: {loss: 1 / (step + 1)}}
}

test('new run: run.json, checkpoints with every file, `latest` symlink loadable as a model folder, pruning keeps K', async () => {
  await withTemp(async (root) => {
    const dir = join(root, 'r1')
    const run = await RunDir.open(dir, manifest, {keep: 2})
    assert.equal(run.resumed, false)
    const stored = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as Record<string, unknown>
    assert.equal(stored.command, 'train sft')
    assert.deepEqual(stored.settings, manifest.settings)
    assert.equal(run.latestCheckpoint(), undefined)
    const weights = tinyWeights(config)
    for (const step of [1, 2, 3, 4]) await run.saveCheckpoint({checkpoint: {config, weights, tokenizer}, trainerState: state(step)})
    assert.deepEqual(readdirSync(join(dir, 'checkpoints')), ['step-000003', 'step-000004'])
    assert.ok(lstatSync(join(dir, 'latest')).isSymbolicLink())
    assert.equal(readlinkSync(join(dir, 'latest')), join('checkpoints', 'step-000004'), 'relative link, so the run folder can be moved')
    assert.deepEqual(readdirSync(join(dir, 'latest')).sort(), ['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'trainer_state.json'])
    const model = await loadCheckpoint(join(dir, 'latest'))
    assert.deepEqual(model.weights.get('model.norm.weight')?.data, weights.get('model.norm.weight')?.data)
    const loaded = await run.loadCheckpoint()
    assert.equal(loaded?.step, 4)
    assert.deepEqual(loaded?.trainerState, state(4))
    assert.equal(loaded?.optimizerState, undefined)
    assert.deepEqual(new Rng(0).restore(loaded?.trainerState.rng?.shuffle ?? []).nextU32(), (() => {
      const r = new Rng(5)
      return r.nextU32()
    })(), 'the rng position round-trips')
  })
})

test('an existing run needs --resume or --force; --force never deletes a folder that is not a run', async () => {
  await withTemp(async (root) => {
    const dir = join(root, 'r1')
    await RunDir.open(dir, manifest)
    await assert.rejects(RunDir.open(dir, manifest), (e: unknown) => e instanceof UsageError && /a run already exists/.test(e.message) && /--resume.*--force.*new --out/.test(e.fix ?? ''))
    const run = await RunDir.open(dir, manifest, {resume: true})
    assert.equal(run.resumed, true)
    const again = await RunDir.open(dir, {...manifest, settings: {...manifest.settings, lr: 0.5}}, {force: true})
    assert.equal(again.resumed, false)
    assert.equal((JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as {settings: {lr: number}}).settings.lr, 0.5)
    const other = join(root, 'photos')
    await mkdir(other)
    await writeFile(join(other, 'cat.jpg'), 'x')
    await assert.rejects(RunDir.open(other, manifest, {force: true}), /not an ars run folder/)
    assert.ok(existsSync(join(other, 'cat.jpg')))
    await assert.rejects(RunDir.open(join(other, 'cat.jpg'), manifest), /not a folder/)
  })
})

test('resume with different settings names the setting and the fix', async () => {
  await withTemp(async (root) => {
    const dir = join(root, 'r1')
    await RunDir.open(dir, manifest)
    await assert.rejects(RunDir.open(dir, {...manifest, settings: {...manifest.settings, lr: 0.002}}, {resume: true}), (e: unknown) => {
      assert.ok(e instanceof UsageError)
      assert.match(e.message, /--lr is 0\.002 but the run being resumed used 0\.001/)
      assert.match(e.fix ?? '', /same --lr.*--force.*new --out/)
      return true
    })
    await assert.rejects(RunDir.open(dir, {...manifest, settings: {...manifest.settings, schedule: 'cosine'}}, {resume: true}), /--schedule is "cosine" but the run being resumed used \(unset\)/)
    // Snake-case keys (ars train's) are named as their flags; a setting with another flag has its own label.
    await assert.rejects(RunDir.open(dir, {...manifest, settings: {...manifest.settings, kl_coef: 0.5}}, {resume: true}), (e: unknown) => {
      assert.match((e as Error).message, /: --kl-coef is 0\.5 but the run being resumed used \(unset\)/)
      assert.match((e as UsageError).fix ?? '', /same --kl-coef,/)
      return true
    })
    await assert.rejects(RunDir.open(dir, {...manifest, settings: {...manifest.settings, scale_by_std: false}}, {resume: true, settingLabels: {scale_by_std: 'scale_by_std (--no-std)'}}), /: scale_by_std \(--no-std\) is false but/)
    await assert.rejects(RunDir.open(dir, {...manifest, model_config_hash: 'abc'}, {resume: true}), /--model has a different config\.json/)
    await assert.rejects(RunDir.open(dir, {...manifest, data_fingerprint: fingerprint([[1, 2]])}, {resume: true}), /training data differs/)
    await assert.rejects(RunDir.open(dir, {...manifest, command: 'train'}, {resume: true}), /is a `ars train sft` run/)
    // flags are recorded, not compared
    const run = await RunDir.open(dir, {...manifest, flags: {'save-every': 50}}, {resume: true})
    assert.equal(run.resumed, true)
  })
})

test('resume after a kill: cut-off metrics line repaired, steps after the checkpoint dropped, temp leftovers removed, latest re-pointed', async () => {
  await withTemp(async (root) => {
    const dir = join(root, 'r1')
    const run = await RunDir.open(dir, manifest)
    const weights = tinyWeights(config)
    for (const step of [1, 2, 3]) await run.appendMetric(metric(step))
    await run.saveCheckpoint({checkpoint: {config, weights, tokenizer}, trainerState: state(3)})
    for (const step of [4, 5]) await run.appendMetric(metric(step))
    await appendFile(run.metricsPath, '{"type":"train_metric","step":6,"poli')
    // a checkpoint write interrupted before its rename, and `latest` left on an older checkpoint
    await mkdir(join(dir, 'checkpoints', '.step-000005.tmp-1-2'))
    await writeFile(join(dir, 'checkpoints', '.step-000005.tmp-1-2', 'config.json'), '{')
    await run.saveCheckpoint({checkpoint: {config, weights, tokenizer}, trainerState: state(2)})
    assert.equal(readlinkSync(join(dir, 'latest')), join('checkpoints', 'step-000002'))
    const warnings: string[] = []
    const resumed = await RunDir.open(dir, manifest, {resume: true, warn: (m) => warnings.push(m)})
    assert.equal(resumed.latestCheckpoint()?.step, 3)
    assert.equal(readlinkSync(join(dir, 'latest')), join('checkpoints', 'step-000003'))
    assert.deepEqual(readdirSync(join(dir, 'checkpoints')), ['step-000002', 'step-000003'])
    assert.deepEqual((await resumed.readMetrics()).map((m) => m.step), [1, 2, 3])
    assert.match(warnings.join('\n'), /cut-off last line/)
    await resumed.appendMetric(metric(4))
    assert.deepEqual((await resumed.readMetrics()).map((m) => m.step), [1, 2, 3, 4])
  })
})

test('a run that never checkpointed resumes from step 0 with its metrics cleared', async () => {
  await withTemp(async (root) => {
    const dir = join(root, 'r1')
    const run = await RunDir.open(dir, manifest)
    await run.appendMetric(metric(1))
    const resumed = await RunDir.open(dir, manifest, {resume: true})
    assert.equal(resumed.latestCheckpoint(), undefined)
    assert.equal(await resumed.loadCheckpoint(), undefined)
    assert.deepEqual(await resumed.readMetrics(), [])
    // --resume on a folder that does not exist yet starts a new run
    const fresh = await RunDir.open(join(root, 'new'), manifest, {resume: true})
    assert.equal(fresh.resumed, false)
    await assert.rejects(fresh.appendMetric({step: -1}), /step/)
  })
})
