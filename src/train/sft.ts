// Supervised fine-tuning (`ars train sft`): samples → a fixed, seeded plan of optimiser steps (shuffled per epoch,
// batched by real tokens) → PolicyTrainer steps on micro-batches (weighted masked NLL) → metrics and checkpoints
// in a RunDir. The plan depends only on the data and settings, so a resumed run replays exactly the same steps.
import {checkSaveEveryMinutes} from './save-schedule.js'
import {DataError, UsageError} from '../core/index.js'
import {readJsonl, type InvalidPolicy} from '../core/index.js'
import {Rng} from '../core/index.js'
import type {ModelConfig, Weights} from '../model/index.js'
import type {TfjsBackendChoice} from '../model/index.js'
import type {OptimizerState, StepResult} from '../model/index.js'
import {resolveTrainBackend} from '../model/index.js'
import {HfTokenizer} from '../model/index.js'
import {fingerprint, modelConfigHash, type TrainerState} from './run-dir.js'
import {readSftSamples, type SftDataStats, type SftSample} from './sft-data.js'
import {packMicroBatches, type MicroBatch} from './sequences.js'
import {learningRateAt, type Schedule} from './schedule.js'
import {HeldOutEvaluator, PublishedPolicy, type HeldOutSpec} from './held-out-eval.js'
import {loadStartModel, TrainingSession, type TrainingOptions} from './session.js'
import type {EpisodeOptions} from '../agent/index.js'
import type {AgentTools} from '../agent/index.js'

/** `ars train sft`'s own options; model, run folder, optimiser, saving, seed, backend, stop signal, metrics and
 * progress are the TrainingOptions both trainers share (a stop finishes the step, checkpoints and returns
 * `interrupted: true`). */
export interface SftOptions extends TrainingOptions {
  /** JSONL inputs; empty = stdin. */
  inputs: string[]
  /** Default 1. */
  epochs?: number
  /** Linear warm-up steps (default 20). */
  warmup?: number
  /** Default cosine (to 0 at the last step). */
  schedule?: Schedule
  /** Real tokens per optimiser step (default 4096). */
  batchTokens?: number
  /** Padded tokens per micro-batch (default 2048). */
  microBatchTokens?: number
  /** Longer samples are dropped (default 1024). */
  maxSeqLen?: number
  allowEmpty?: boolean
  policy: InvalidPolicy
  /** Stop after this many steps of this process (tests; default no limit). */
  maxSteps?: number
  /** `--eval-every`: greedy agent episodes on held-out questions with these tools, on the current weights. */
  heldOut?: {spec: HeldOutSpec & {tools: AgentTools}; episode: Omit<EpisodeOptions, 'model' | 'tools' | 'seed' | 'sampleIndex' | 'signal' | 'reward'>}
}

export interface SftPlanStep {
  epoch: number
  /** Positions [start, end) in the epoch's order. */
  start: number
  end: number
}

export interface SftSummary {
  run: string
  steps: number
  totalSteps: number
  /** Steps taken by this process (fewer than steps − resumed step after a resume). */
  stepsThisRun: number
  resumedFrom: number
  interrupted: boolean
  finalLoss: number | undefined
  tokens: number
  tokensPerSecond: number
  seconds: number
  backend: string
  checkpoint: string | undefined
  data: SftDataStats & {samples: number; droppedTooLong: number; noTargets: number}
}

const DEFAULTS = {epochs: 1, learningRate: 1e-3, warmup: 20, schedule: 'cosine' as Schedule, batchTokens: 4096, microBatchTokens: 2048, maxSeqLen: 1024, weightDecay: 0, maxGradNorm: 1, saveEvery: 0, keep: 3, seed: 0}

/** The order of samples in an epoch: a shuffle seeded by (seed, epoch) alone, so any epoch can be recomputed. */
export function epochOrder(count: number, seed: number, epoch: number): number[] {
  return new Rng(seed).fork(`sft-epoch-${epoch}`).shuffle(Array.from({length: count}, (_, i) => i))
}

/** Steps of every epoch: consecutive samples of the epoch order until adding one would pass `batchTokens`. */
export function planSteps(lengths: readonly number[], options: {epochs: number; batchTokens: number; seed: number}): SftPlanStep[] {
  const steps: SftPlanStep[] = []
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const order = epochOrder(lengths.length, options.seed, epoch)
    let start = 0
    let tokens = 0
    order.forEach((index, position) => {
      const length = lengths[index] as number
      if (position > start && tokens + length > options.batchTokens) {
        steps.push({epoch, start, end: position})
        start = position
        tokens = 0
      }
      tokens += length
    })
    if (start < order.length) steps.push({epoch, start, end: order.length})
  }
  return steps
}

function checkPositiveInteger(name: string, value: number, min = 1): void {
  if (!(Number.isInteger(value) && value >= min)) throw new UsageError(`--${name}: expected an integer ≥ ${min}, got ${value}`, {fix: `Pass --${name} ${Math.max(min, 1)} or more.`})
}

export async function runSft(options: SftOptions): Promise<SftSummary> {
  const o = {...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined))} as typeof DEFAULTS & SftOptions
  const warn = options.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`))
  checkPositiveInteger('epochs', o.epochs)
  checkPositiveInteger('batch-tokens', o.batchTokens)
  checkPositiveInteger('micro-batch-tokens', o.microBatchTokens, 2)
  checkPositiveInteger('max-seq-len', o.maxSeqLen, 2)
  checkPositiveInteger('warmup', o.warmup, 0)
  checkPositiveInteger('save-every', o.saveEvery, 0)
  checkSaveEveryMinutes(o.saveEveryMinutes)
  if (!(o.learningRate > 0 && Number.isFinite(o.learningRate))) throw new UsageError(`--lr: expected a number > 0, got ${o.learningRate}`, {fix: 'Pass --lr 1e-3 or similar.'})
  if (o.maxSeqLen > o.microBatchTokens) {
    throw new UsageError(`--max-seq-len ${o.maxSeqLen} exceeds --micro-batch-tokens ${o.microBatchTokens}: the longest example would not fit in a micro-batch`, {fix: 'Raise --micro-batch-tokens or lower --max-seq-len.'})
  }

  // The model: its config, and the tokenizer that renders the data (required).
  const source = await loadStartModel(o.model)
  const config: ModelConfig = source.config
  if (o.maxSeqLen > config.maxPositions) {
    throw new UsageError(`--max-seq-len ${o.maxSeqLen} exceeds the model's max_position_embeddings ${config.maxPositions}`, {fix: `Pass --max-seq-len ${config.maxPositions} or less.`})
  }
  const tokenizer = new HfTokenizer(source.tokenizer, `${o.model}/tokenizer.json`)

  // The data, buffered: the plan needs every length, and epochs revisit it.
  const {samples: all, stats: dataStats} = await readSftSamples(readJsonl(o.inputs, {policy: o.policy}), {tokenizer, vocabSize: config.vocabSize, policy: o.policy})
  const inputNames = o.inputs.length === 0 ? 'stdin' : o.inputs.map((i) => (i === '-' ? 'stdin' : i)).join(', ')
  let droppedTooLong = 0
  let noTargets = 0
  const samples: SftSample[] = []
  for (const s of all) {
    if (s.tokenIds.length > o.maxSeqLen) droppedTooLong++
    else if (!s.lossMask.some((m, i) => i > 0 && m)) noTargets++
    else samples.push(s)
  }
  if (droppedTooLong > 0) warn(`dropped ${droppedTooLong} of ${all.length} examples longer than --max-seq-len ${o.maxSeqLen} tokens`)
  if (noTargets > 0) warn(`skipped ${noTargets} examples with no tokens to train on`)
  if (dataStats.trajectoryFallbacks > 0) warn(`${dataStats.trajectoryFallbacks} trajectories had no token ids or ids beyond the model's vocabulary (${config.vocabSize}); rendered from their messages instead`)
  if (dataStats.zeroWeight > 0) warn(`skipped ${dataStats.zeroWeight} examples with weight 0`)
  if (dataStats.records === 0 && !o.allowEmpty) {
    if (o.policy.invalid > 0) throw new DataError(`no valid records: all ${o.policy.invalid} input lines were invalid`, {where: inputNames, code: 'empty'})
    throw new DataError('empty input: no records', {where: inputNames, code: 'empty', fix: 'Check the previous stage of the pipeline, or pass --allow-empty (the model is saved unchanged).'})
  }
  if (samples.length === 0 && dataStats.records > 0) {
    const reason = droppedTooLong > 0 ? `all ${droppedTooLong + noTargets} examples were dropped (${droppedTooLong} longer than --max-seq-len ${o.maxSeqLen})` : `none of the ${dataStats.records} examples has a token to train on`
    throw new DataError(`nothing to train on: ${reason}`, {where: inputNames, code: 'sft-empty', fix: droppedTooLong > 0 ? 'Raise --max-seq-len (and --micro-batch-tokens), or shorten the examples.' : 'Check train_on and the assistant messages.'})
  }

  const dataFingerprint = fingerprint(samples.map((s) => [s.tokenIds, s.lossMask, s.weight]))
  const settings = {epochs: o.epochs, lr: o.learningRate, warmup: o.warmup, schedule: o.schedule, 'batch-tokens': o.batchTokens, 'micro-batch-tokens': o.microBatchTokens, 'max-seq-len': o.maxSeqLen, 'weight-decay': o.weightDecay, 'max-grad-norm': o.maxGradNorm, seed: o.seed}
  const session = await TrainingSession.open({...o, warn}, {command: 'train sft', settings, flags: {model: o.model, inputs: o.inputs, 'save-every': o.saveEvery, keep: o.keep, backend: o.backend ?? 'auto'}, model_config_hash: modelConfigHash(config), data_fingerprint: dataFingerprint})
  const {run, resumed} = session
  const plan = planSteps(samples.map((s) => s.tokenIds.length), {epochs: o.epochs, batchTokens: o.batchTokens, seed: o.seed})

  if (resumed && resumed.step > plan.length) throw new DataError(`checkpoint step ${resumed.step} is past the plan's ${plan.length} steps`, {where: resumed.dir, code: 'trainer-state', fix: 'Start over with --force.'})
  if (resumed && resumed.step > 0) {
    const done = plan[resumed.step - 1] as SftPlanStep
    if (resumed.trainerState.epoch !== done.epoch || resumed.trainerState.cursor !== done.end) {
      throw new DataError(`data cursor (epoch ${resumed.trainerState.epoch}, position ${resumed.trainerState.cursor}) does not match step ${resumed.step} of the plan (epoch ${done.epoch}, position ${done.end})`, {where: resumed.dir, code: 'trainer-state', fix: 'Start over with --force.'})
    }
  }
  const startStep = resumed?.step ?? 0
  const trainer = await createSftTrainer(config, resumed?.checkpoint.weights ?? source.weights, {
    backend: o.backend,
    optimizer: {learningRate: o.learningRate, weightDecay: o.weightDecay},
    maxGradNorm: o.maxGradNorm,
    optimizerState: resumed?.optimizerState,
  })
  const modelFiles = {config, tokenizer: source.tokenizer, generationConfig: source.generationConfig}
  const orders = new Map<number, number[]>()
  const orderOf = (epoch: number) => {
    let order = orders.get(epoch)
    if (!order) orders.set(epoch, (order = epochOrder(samples.length, o.seed, epoch)))
    return order
  }
  let elapsedMs = resumed?.trainerState.elapsed_ms ?? 0
  let step = startStep
  let finalLoss: number | undefined
  let tokensThisRun = 0
  let trainSeconds = 0
  const save = () => session.save(step, async () => {
    const done = step > 0 ? (plan[step - 1] as SftPlanStep) : {epoch: 0, end: 0}
    const state: TrainerState = {step, policy_version: step, epoch: done.epoch, cursor: done.end, elapsed_ms: elapsedMs, seed: o.seed, total_steps: plan.length, samples: samples.length}
    return {checkpoint: {...modelFiles, weights: trainer.exportWeights()}, optimizerState: trainer.exportOptimizerState(), trainerState: state}
  })
  const heldOut = o.heldOut ? await HeldOutEvaluator.open(o.heldOut.spec, run) : undefined
  const policy = heldOut ? new PublishedPolicy({config, tokenizer, id: `onnx:${o.out}`, maxBatchSize: o.heldOut?.spec.concurrency}) : undefined
  // Before the checkpoint of the same step: a kill between the two cuts the eval line with the step, so a resume redoes it.
  const evaluate = async (final = false): Promise<void> => {
    if (!heldOut || !o.heldOut || !policy || !heldOut.due(step, final)) return
    const model = await policy.at(step, trainer.exportWeights())
    await session.handOn(await heldOut.evaluate({step, policyVersion: step, timeMs: Math.round(elapsedMs)}, model, o.heldOut.spec.tools, o.heldOut.episode))
  }
  const task = session.begin('train sft', plan.length, startStep, `resumed at step ${startStep}`)
  let interrupted = false
  try {
    if (samples.length === 0 && session.savedStep === undefined) await save() // --allow-empty: the unchanged model, so `latest` exists
    let stepsThisRun = 0
    if (samples.length > 0) await evaluate()
    while (step < plan.length) {
      if (session.stopped || (o.maxSteps !== undefined && stepsThisRun >= o.maxSteps)) {
        interrupted = session.stopped
        break
      }
      const planned = plan[step] as SftPlanStep
      const order = orderOf(planned.epoch)
      const batch = order.slice(planned.start, planned.end).map((i) => samples[i] as SftSample)
      const {microBatches} = packMicroBatches(batch, {maxTokensPerMicroBatch: o.microBatchTokens, maxSeqLen: o.maxSeqLen})
      const learningRate = learningRateAt(step, {peak: o.learningRate, warmup: o.warmup, total: plan.length, schedule: o.schedule})
      const result = await trainer.step(microBatches, learningRate)
      step++
      stepsThisRun++
      elapsedMs += result.seconds * 1000
      trainSeconds += result.seconds
      const tokens = microBatches.reduce((a, mb) => a + mb.realTokens, 0)
      tokensThisRun += tokens
      finalLoss = result.loss
      await session.appendMetric({
        step,
        policy_version: step,
        time_ms: Math.round(elapsedMs),
        metrics: {
          loss: result.loss,
          lr: learningRate,
          grad_norm: result.gradNorm,
          tokens,
          loss_tokens: microBatches.reduce((a, mb) => a + mb.lossTokens, 0),
          padded_tokens: microBatches.reduce((a, mb) => a + mb.paddedTokens, 0),
          samples: batch.length,
          micro_batches: microBatches.length,
          tokens_per_s: result.seconds > 0 ? tokens / result.seconds : 0,
          epoch: planned.epoch + planned.end / samples.length,
        },
      })
      task.advance(1, `loss ${result.loss.toFixed(4)}`)
      await evaluate()
      if (session.due(step)) await save()
    }
    if (samples.length > 0 && step === plan.length && !session.stopped) await evaluate(true)
    if (samples.length > 0 && step > 0) await save()
    session.report()
    if (session.stopped) interrupted = true
    task.done(`${step}/${plan.length} steps`)
    return {
      run: run.dir,
      steps: step,
      totalSteps: plan.length,
      stepsThisRun,
      resumedFrom: startStep,
      interrupted,
      finalLoss,
      tokens: tokensThisRun,
      tokensPerSecond: trainSeconds > 0 ? tokensThisRun / trainSeconds : 0,
      seconds: trainSeconds,
      backend: trainer.backendDescription,
      checkpoint: session.checkpointDir,
      data: {...dataStats, samples: samples.length, droppedTooLong, noTargets},
    }
  } finally {
    await policy?.close()
    await trainer.dispose()
    session.close()
  }
}

/** The SFT step on either trainer: the weighted masked NLL of each micro-batch, micro-batches weighted by their targets. */
interface SftTrainer {
  step(microBatches: MicroBatch[], learningRate: number): Promise<StepResult>
  exportWeights(): Weights
  exportOptimizerState(): OptimizerState
  backendDescription: string
  dispose(): Promise<void>
}

async function createSftTrainer(config: ModelConfig, weights: Weights, options: {backend?: TfjsBackendChoice; optimizer: {learningRate: number; weightDecay: number}; maxGradNorm: number; optimizerState?: OptimizerState}): Promise<SftTrainer> {
  if ((await resolveTrainBackend(options.backend)) === 'onnx') {
    const {OnnxPolicyTrainer} = await import('../model/onnx/trainer.js')
    const trainer = await OnnxPolicyTrainer.create(config, weights, options)
    return {
      // −Σ w·logp / W: its gradient −w/W does not depend on logp, so each micro-batch is one graph run.
      step: (microBatches, learningRate) => trainer.trainStep(microBatches, (logp, mb) => {
        let sum = 0
        const dlogp = new Float32Array(logp.length)
        for (let i = 0; i < logp.length; i++) {
          const w = mb.targetWeights[i] as number
          sum += w * (logp[i] as number)
          dlogp[i] = -w / mb.targetWeight
        }
        return {loss: -sum / mb.targetWeight, dlogp}
      }, {weightOf: (mb) => mb.targetWeight, learningRate, constantGradient: true}),
      exportWeights: () => trainer.exportWeights(),
      exportOptimizerState: () => trainer.exportOptimizerState(),
      backendDescription: trainer.backendDescription,
      dispose: () => trainer.dispose(),
    }
  }
  const {PolicyTrainer} = await import('../model/index.js')
  const trainer = await PolicyTrainer.create(config, weights, options)
  const tf = trainer.tf
  return {
    step: (microBatches, learningRate) => trainer.trainStep(microBatches, (model, mb: MicroBatch) => tf.tidy(() => {
      const logp = model.tokenLogProbs(mb.tokens)
      const w = tf.tensor2d(mb.targetWeights, [mb.tokens.batch, mb.tokens.seqLen - 1])
      return tf.neg(tf.div(tf.sum(tf.mul(logp, w)), mb.targetWeight)) as ReturnType<typeof tf.scalar>
    }), {weightOf: (mb) => mb.targetWeight, learningRate}),
    exportWeights: () => trainer.exportWeights(),
    exportOptimizerState: () => trainer.exportOptimizerState(),
    backendDescription: trainer.backendDescription,
    dispose: async () => trainer.dispose(),
  }
}
