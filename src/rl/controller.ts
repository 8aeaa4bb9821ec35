// The RL controller (AReaL-style): rollout workers run the real agent loop on the in-process ONNX engine (or on
// generation servers, `--generation`: generation.ts) and put each question's finished group in a staleness-bounded
// buffer; the trainer takes a batch as soon as enough groups are complete, computes GRPO advantages and the
// decoupled PPO update, and publishes the new weights to the engine (interrupt mode: episodes in flight continue
// on the new version, their version_spans say so) or to the servers.
// `sync`, `one-step-off` and `async` differ only in how far generation may run ahead of training.
import {setMaxListeners} from 'node:events'
import {join} from 'node:path'
import {UsageError} from '../core/index.js'
import type {Question} from '../core/index.js'
import type {Trajectory} from '../core/index.js'
import {runEpisode, type EpisodeOptions} from '../agent/index.js'
import type {RewardOptions} from '../agent/index.js'
import type {AgentTools} from '../agent/index.js'
import type {GenerationServer} from '../llm/index.js'
import type {Checkpoint} from '../model/index.js'
import {groupAdvantages, type AdvantageOptions} from './advantages.js'
import {GroupBuffer} from './buffer.js'
import {Admission, admissionLag} from './admission.js'
import {DataOrder} from './data-order.js'
import {skippedStepMetrics, updateStepMetrics} from './step-metrics.js'
import {openGeneration} from './generation.js'
import {startProducer} from './producer.js'
import {HeldOutEvaluator, type HeldOutSpec} from '../train/index.js'
import {loadStartModel, TrainingSession, type TrainingOptions} from '../train/index.js'
import type {PpoLossOptions, PpoMicroBatch} from './ppo-loss.js'
import {LocalPolicyUpdater, WorkerPolicyUpdater, type PolicyUpdater, type PolicyUpdaterInit} from './policy-updater.js'
import {fingerprint, modelConfigHash, type TrainerState} from '../train/index.js'
import {packMicroBatches, type SequenceSample} from '../train/index.js'

export const TRAIN_MODES = ['sync', 'one-step-off', 'async'] as const
export type TrainMode = (typeof TRAIN_MODES)[number]

/** `ars train`'s own options; model, run folder, optimiser, saving, seed, backend, stop signal (it stops the intake:
 * no new episodes, the current step finishes, a checkpoint is written), metrics and progress are the
 * TrainingOptions both trainers share (learning rate default: `defaultRlLearningRate`). */
export interface RlOptions extends TrainingOptions {
  questions: readonly Question[]
  tools: AgentTools
  /** Default async. */
  mode?: TrainMode
  /** Episodes per question: the GRPO group (default 8). */
  samples?: number
  /** Groups per optimiser step (default 4). */
  batchQuestions?: number
  /** Optimiser steps (= policy versions) to reach, counting those of a resumed run. */
  steps: number
  /** η (default 4). */
  maxStaleness?: number
  loss?: PpoLossOptions
  advantages?: AdvantageOptions
  /** Optimiser steps per batch (AReaL's ppo_n_minibatches, default 1); the policy version advances once per batch. */
  minibatches?: number
  /** Passes over each batch (PPO epochs, verl's ppo_epochs; default 1): generation is paid once, the batch trains `epochs × minibatches` optimiser steps, the ratio clipped against the weights before the first. */
  ppoEpochs?: number
  /** Padded tokens per micro-batch (default 4096; a longer sequence gets a micro-batch of its own). */
  microBatchTokens?: number
  /** Episodes in flight (default 8). */
  concurrency?: number
  /** Agent loop settings (format, turns, tokens, context, temperature …). */
  episode?: Omit<EpisodeOptions, 'model' | 'tools' | 'signal' | 'seed' | 'sampleIndex' | 'reward'>
  reward: RewardOptions
  /** Train on a worker thread so tfjs never blocks generation's event loop (default true; false: same thread). */
  trainerThread?: boolean
  /** onnxruntime intra-op threads (default 1: training and generation share the machine). */
  threads?: number
  /** Episodes as they complete (tests: staleness of what was generated). */
  onEpisode?: (trajectory: Trajectory) => void
  /** Flags recorded in run.json for the reader (not compared on resume). */
  flags?: Record<string, unknown>
  /** `--eval-every`: the current policy answers held-out questions greedily (same engine and format; the run's tools
   * unless the spec brings its own, `--eval-search`). */
  heldOut?: HeldOutSpec
  /** `--generation`: generate on these servers and publish each version to them (default: in process). */
  generation?: readonly GenerationServer[]
  /** Where versions are published for the servers (default OUT/generation; a shared file system across machines). */
  generationDir?: string
}

export interface RlSummary {
  dir: string
  step: number
  policyVersion: number
  interrupted: boolean
  episodes: number
  droppedStale: number
  /** Step of the last checkpoint written (undefined when none). */
  checkpointStep?: number
  wallSeconds: number
}

/** Checks flag combinations that cannot work, with the flag to change. */
export function validateRlOptions(o: Pick<RlOptions, 'mode' | 'samples' | 'batchQuestions' | 'steps' | 'maxStaleness' | 'concurrency' | 'minibatches' | 'ppoEpochs'>): void {
  const mode = o.mode ?? 'async'
  const samples = o.samples ?? 8
  const eta = o.maxStaleness ?? 4
  const positive = (name: string, v: number | undefined): void => {
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new UsageError(`--${name}: expected an integer ≥ 1, got ${v}`, {code: 'flag', fix: `Pass --${name} 1 or more.`})
  }
  positive('samples', samples)
  positive('batch-questions', o.batchQuestions)
  positive('steps', o.steps)
  positive('concurrency', o.concurrency)
  positive('minibatches', o.minibatches)
  positive('ppo-epochs', o.ppoEpochs)
  if (!TRAIN_MODES.includes(mode)) throw new UsageError(`--mode: expected one of ${TRAIN_MODES.join(', ')}, got ${String(mode)}`, {code: 'flag'})
  if (samples < 2) throw new UsageError(`--samples ${samples}: a GRPO group of one has zero variance, so every advantage would be 0`, {code: 'flag', fix: 'Pass --samples 2 or more (8–16 is usual).'})
  if (!(Number.isInteger(eta) && eta >= 0)) throw new UsageError(`--max-staleness: expected an integer ≥ 0, got ${eta}`, {code: 'flag'})
  if (mode === 'one-step-off' && eta < 1) throw new UsageError(`--mode one-step-off generates with weights one version old, but --max-staleness ${eta} drops such samples`, {code: 'flag', fix: 'Pass --max-staleness 1 or more, or --mode sync.'})
  if (mode === 'async' && eta < 1) throw new UsageError('--mode async with --max-staleness 0 can never run generation ahead of training: it is --mode sync', {code: 'flag', fix: 'Pass --mode sync, or --max-staleness 1 or more.'})
  if ((o.minibatches ?? 1) > (o.batchQuestions ?? 4) * samples) throw new UsageError(`--minibatches ${o.minibatches} exceeds the ${(o.batchQuestions ?? 4) * samples} episodes of a batch`, {code: 'flag', fix: 'Pass fewer --minibatches.'})
}


/**
 * The default RL learning rate, from the model's size: 1e-5 at 100M parameters, scaled by √(1e8 / parameters) and
 * kept within [1e-6, 1e-3] — ~4.5e-6 for a 0.5B model, ~1.2e-6 at 7B (what RL recipes use there), ~1e-4 for the
 * 0.8M-parameter policy-search, where 1e-5 moved nothing in twelve steps (decision 0960).
 */
export function defaultRlLearningRate(weights: ReadonlyMap<string, {data: {length: number}}>): number {
  const parameters = [...weights.values()].reduce((a, t) => a + t.data.length, 0)
  return Math.min(1e-3, Math.max(1e-6, 1e-5 * Math.sqrt(1e8 / Math.max(1, parameters))))
}

export async function trainRl(o: RlOptions): Promise<RlSummary> {
  validateRlOptions(o)
  const mode = o.mode ?? 'async'
  const samples = o.samples ?? 8
  const groupsPerStep = o.batchQuestions ?? 4
  const eta = o.maxStaleness ?? 4
  const concurrency = o.concurrency ?? 8
  const seed = o.seed ?? 0
  const warn = o.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`))
  if (o.questions.length === 0) throw new UsageError('no questions to train on', {code: 'questions-empty', fix: 'Pass --questions FILE with Question records that have answers.'})
  const started = performance.now()

  const {HfTokenizer} = await import('../model/index.js')
  const base = await loadStartModel(o.model)
  const klCoef = o.loss?.klCoef ?? 0
  const extraTools = (o.episode?.format?.tools ?? []).filter((t) => t !== 'search' && t !== 'access')
  const settings = {
    mode, samples, batch_questions: groupsPerStep, max_staleness: eta, lr: o.learningRate ?? defaultRlLearningRate(base.weights), weight_decay: o.weightDecay ?? 0, max_grad_norm: o.maxGradNorm ?? 1,
    clip_eps: o.loss?.clipEps ?? 0.2, behav_imp_cap: o.loss?.behavImpCap ?? 5, behav_imp_mode: o.loss?.behavImpMode ?? 'mask', minibatches: o.minibatches ?? 1,
    scale_by_std: o.advantages?.scaleByStd ?? true, drop_zero_variance: o.advantages?.dropZeroVariance ?? false, truncated: o.advantages?.truncated ?? 'mask',
    reward: o.reward.metric, format_penalty: o.reward.formatPenalty ?? 0.1, format: o.episode?.format?.name ?? 'asearcher', max_turns: o.episode?.maxTurns ?? 32,
    max_tokens_per_turn: o.episode?.maxTokensPerTurn ?? 1024, context_length: o.episode?.contextLength ?? null, temperature: o.episode?.temperature ?? 1, seed,
    // Recorded only when --tools adds tools, so runs made before --tools existed resume unchanged.
    ...(extraTools.length ? {tools: [...(o.episode?.format?.tools ?? [])]} : {}),
    // Recorded only when on, so runs made before the flag existed resume unchanged.
    ...(o.loss?.observationLoss ? {observation_loss: true} : {}),
    ...(klCoef > 0 ? {kl_coef: klCoef} : {}),
    ...((o.ppoEpochs ?? 1) > 1 ? {ppo_epochs: o.ppoEpochs} : {}),
    ...((o.advantages?.negativeWeight ?? 1) !== 1 ? {negative_weight: o.advantages?.negativeWeight} : {}),
  }
  const session = await TrainingSession.open({...o, warn}, {
    command: 'train', settings, flags: o.flags, model_config_hash: modelConfigHash(base.config),
    data_fingerprint: fingerprint(o.questions.map((q) => [q.id, q.question, q.answers])),
  }, {scale_by_std: 'scale_by_std (--no-std turns it off)', behav_imp_mode: 'behav_imp_mode (the behaviour-weight cap\'s mode: mask or clip)'})
  const {run, resumed: loaded} = session
  const checkpoint: Checkpoint = loaded?.checkpoint ?? base
  const step0 = loaded?.trainerState.step ?? 0
  let step = step0
  let version = loaded?.trainerState.policy_version ?? 0
  const cursor0 = loaded?.trainerState.cursor ?? 0
  const elapsed0 = loaded?.trainerState.elapsed_ms ?? 0
  if (step0 >= o.steps) warn(`${o.out}: already at step ${step0} of ${o.steps}; nothing to do (raise --steps to continue)`)

  const tokenizerFiles = checkpoint.tokenizer ?? base.tokenizer
  const tokenizer = new HfTokenizer(tokenizerFiles)
  const {config} = checkpoint
  const updaterInit: PolicyUpdaterInit = {
    config, weights: checkpoint.weights, backend: o.backend, maxGradNorm: o.maxGradNorm, learningRate: settings.lr, weightDecay: settings.weight_decay, loss: o.loss,
    // The KL penalty's reference is the run's start model (--model), also when a resumed run's weights have moved.
    ...(klCoef > 0 ? {referenceWeights: base.weights} : {}),
    ...(loaded?.optimizerState ? {optimizerState: loaded.optimizerState} : {}),
  }
  const trainer: PolicyUpdater = await ((o.trainerThread ?? true) ? WorkerPolicyUpdater.create(updaterInit) : LocalPolicyUpdater.create(updaterInit))
  // A failed engine must not leave the trainer thread running (it would keep the process alive).
  const generation = await openGeneration({model: o.model, checkpoint, config, tokenizer, version, concurrency, threads: o.threads, dir: o.generationDir ?? join(run.dir, 'generation'), servers: o.generation, warn})
    .catch(async (error: unknown) => {
      await trainer.close()
      throw error
    })
  const lm = generation.lm

  // Data order: a fresh seeded permutation per epoch, so group g's question depends only on (seed, g).
  const data = new DataOrder(o.questions, seed, cursor0)

  const buffer = new GroupBuffer({maxStaleness: eta})
  const stepsLeft = Math.max(0, o.steps - step0)
  const intake = new AbortController()
  const abort = new AbortController()
  // Every episode and tool call listens on this one signal; many in flight are expected, not a leak.
  setMaxListeners(0, abort.signal)
  const stopIntake = (): void => intake.abort()
  session.onStop(stopIntake)
  let episodes = 0
  let generatedTokens = 0
  // Run-level counters continue from the checkpoint, so a resumed run's metrics equal an uninterrupted run's.
  const counters0 = (loaded?.trainerState.counters ?? {}) as Partial<Record<'groups_finished' | 'groups_zero_variance' | 'updates_skipped', number>>
  let skippedUpdates = counters0.updates_skipped ?? 0
  const admission = new Admission({
    groupsPerStep, samples, lag: admissionLag(mode, eta), stepsLeft, dropZeroVariance: o.advantages?.dropZeroVariance ?? false,
    questions: o.questions.length, counters: counters0,
  })
  const wakeAdmission = (): void => admission.wake()
  intake.signal.addEventListener('abort', wakeAdmission, {once: true})

  const producer = startProducer({
    data, admission, buffer, samples, concurrency, seed, stepsDone: () => step - step0, intake: intake.signal, abort,
    run: async (question, e) => {
      const t = await runEpisode(question, {...o.episode, model: lm, tools: o.tools, reward: o.reward, sampleIndex: e.sample, seed: e.seed, signal: e.signal})
      episodes++
      generatedTokens += t.stats.model_tokens
      o.onEpisode?.(t)
      return t
    },
  })

  const heldOut = o.heldOut ? await HeldOutEvaluator.open(o.heldOut, run) : undefined
  // Held-out evaluation runs in the trainer loop, so no version is published while it runs; it draws on no random
  // state of the run and consumes no group, so training is unchanged (and a kill cuts its line with its step).
  const evaluate = async (final = false): Promise<void> => {
    if (!heldOut?.due(step, final)) return
    await session.handOn(await heldOut.evaluate({step, policyVersion: version, timeMs: elapsed0 + (performance.now() - started)}, lm, o.heldOut?.tools ?? o.tools, o.episode ?? {}, abort.signal))
  }
  const task = session.begin('train', o.steps, step0)
  const save = (): Promise<void> => session.save(step, async () => {
    const cursor = data.cursor()
    const state: TrainerState = {
      step, policy_version: version, epoch: data.epochOf(cursor),
      // Groups started but not consumed are generated again after a resume: no question of the order is skipped.
      cursor, elapsed_ms: elapsed0 + (performance.now() - started),
      counters: {...admission.checkpointCounters(cursor), updates_skipped: skippedUpdates},
    }
    return {checkpoint: {config, weights: await trainer.exportWeights(), tokenizer: tokenizerFiles, ...(checkpoint.generationConfig ? {generationConfig: checkpoint.generationConfig} : {})}, optimizerState: await trainer.exportOptimizerState(), trainerState: state}
  })

  // Generation throughput is a running mean since the loop began: in async mode the groups a step trains on may
  // all have finished before the previous step, so a per-step window would often read 0.
  const loopStart = performance.now()
  const runCounters = (): {groupsFinished: number; groupsZeroVariance: number; updatesSkipped: number} =>
    ({groupsFinished: admission.groupsFinished, groupsZeroVariance: admission.groupsZeroVariance, updatesSkipped: skippedUpdates})
  try {
    if (step < o.steps) await evaluate()
    while (step < o.steps && !intake.signal.aborted) {
      const waitStart = performance.now()
      const evictedBefore = buffer.evictedGroups
      const batch = await buffer.waitFor(groupsPerStep, () => version, intake.signal, () => {
        if (buffer.evictedGroups !== evictedBefore) wakeAdmission()
      })
      if (producer.fatal) throw producer.fatal.error
      if (!batch) break
      const waitSeconds = (performance.now() - waitStart) / 1000
      batch.groups.forEach((g) => data.close(g.index))
      const trainStart = performance.now()
      const scored = batch.groups.map((g) => groupAdvantages(g.trajectories, o.advantages))
      const used = scored.flatMap((g) => g.samples)
      const sequences: SequenceSample[] = used.map(({trajectory: t, advantage}) => {
        const seq = o.loss?.observationLoss ? withObservationTokens(t) : {tokenIds: t.token_ids, lossMask: t.loss_mask, extras: {behaviour: t.behaviour_logprobs}}
        return {...seq, extras: {...seq.extras, advantage: new Float32Array(t.token_ids.length).fill(advantage)}}
      })
      const longest = sequences.reduce((m, s) => Math.max(m, s.tokenIds.length), 2)
      const {microBatches} = packMicroBatches(sequences, {maxTokensPerMicroBatch: Math.max(o.microBatchTokens ?? 4096, longest)})
      const all = batch.groups.flatMap((g) => g.trajectories)
      const stepBatch = {episodes: all, scored, staleness: batch.staleness, droppedStale: batch.droppedStale}
      // A batch without signal (every advantage 0: all groups had equal rewards) is not an update: AdamW's
      // momentum would still move the weights and a new version would be published for nothing. The step is
      // spent (--steps bounds batches), the policy version stays.
      if (microBatches.length > 0 && used.every((s) => s.advantage === 0)) {
        step++
        skippedUpdates++
        wakeAdmission()
        const now = performance.now()
        const metrics = skippedStepMetrics(stepBatch, runCounters(), version)
        await session.appendMetric({type: 'train_metric', version: 1, step, policy_version: version, time_ms: elapsed0 + (now - started), metrics, meta: {mode}})
        task.advance(1, `no signal: all ${batch.groups.length} groups had equal rewards; no update`)
        await evaluate()
        if (session.due(step)) await save()
        continue
      }
      if (microBatches.length === 0) {
        // Nothing trainable (every episode excluded or every group dropped): the batch is spent, the version stays.
        admission.wasted(batch.groups.length)
        warn(`batch at version ${version}: no trainable episode (${all.length} episodes, ${scored.filter((g) => g.dropped).length} zero-variance groups dropped); no update`)
        continue
      }
      const ppo: PpoMicroBatch[] = microBatches.map((mb) => ({tokens: mb.tokens, lossMask: mb.lossMask, advantages: mb.extras.advantage as Float32Array, behaviourLogprobs: mb.extras.behaviour as Float32Array, lossTokens: mb.lossTokens}))
      const result = await trainer.update(ppo, o.minibatches ?? 1, o.ppoEpochs ?? 1)
      const trainSeconds = (performance.now() - trainStart) / 1000
      step++
      version++
      const publishStart = performance.now()
      await generation.publish(version, await trainer.exportWeights())
      const publishSeconds = (performance.now() - publishStart) / 1000
      wakeAdmission()

      const now = performance.now()
      const metrics = updateStepMetrics(stepBatch, {
        loss: result.loss, gradNorm: result.gradNorm, stats: result.stats,
        lossTokens: ppo.reduce((a, mb) => a + mb.lossTokens, 0), realTokens: microBatches.reduce((a, mb) => a + mb.realTokens, 0),
        trainSeconds, waitSeconds, publishSeconds, generatedTokens, loopSeconds: (now - loopStart) / 1000,
      }, runCounters(), version)
      await session.appendMetric({type: 'train_metric', version: 1, step, policy_version: version, time_ms: elapsed0 + (now - started), metrics, meta: {mode}})
      task.advance(1, `reward ${metrics.reward_mean!.toFixed(3)}, staleness ≤ ${metrics.staleness_max}`)
      await evaluate()
      if (session.due(step)) await save()
    }
    if (producer.fatal) throw producer.fatal.error
    if (step >= o.steps && !session.stopped) await evaluate(true)
    await save()
    session.report()
  } finally {
    session.close()
    intake.abort()
    abort.abort(new DOMException('training finished', 'AbortError'))
    buffer.close()
    wakeAdmission()
    await producer.done
    await generation.close()
    await trainer.close()
  }
  task.done(`step ${step}, policy version ${version}`)
  return {dir: run.dir, step, policyVersion: version, interrupted: session.stopped && step < o.steps, episodes, droppedStale: buffer.droppedStale, checkpointStep: session.savedStep, wallSeconds: (performance.now() - started) / 1000}
}

/**
 * A trajectory with its tool-result tokens in the loss (`observationLoss`, Search-R1's mask-off ablation): every token
 * from the first generated one on is trained; those nobody sampled get a NaN behaviour log-prob (weight 1 in the loss).
 */
export function withObservationTokens(t: Pick<Trajectory, 'token_ids' | 'loss_mask' | 'behaviour_logprobs'>): {tokenIds: readonly number[]; lossMask: number[]; extras: {behaviour: Float32Array}} {
  const first = t.loss_mask.indexOf(1)
  const lossMask = t.loss_mask.map((m, i) => (first >= 0 && i >= first ? 1 : m))
  const behaviour = Float32Array.from(t.behaviour_logprobs, (b, i) => (t.loss_mask[i] === 1 || first < 0 || i < first ? b : Number.NaN))
  return {tokenIds: t.token_ids, lossMask, extras: {behaviour}}
}
