// The RL trainer's update on onnxruntime (decision 0940): the same contract as LocalPolicyUpdater (proximal
// log-probs, then `epochs` passes of `minibatches` decoupled-PPO optimiser steps), with gradients from the ONNX training graph and the
// PPO objective's gradient computed over plain arrays (ppo-loss-grad.ts). Chosen by `--backend auto` where no native
// TensorFlow.js loads, or `--backend onnx`.
import type {Weights} from '../model/index.js'
import type {OnnxPolicyTrainer} from '../model/onnx/trainer.js'
import type {OptimizerState} from '../model/index.js'
import type {PolicyUpdater, PolicyUpdaterInit, UpdateResult} from './policy-updater-types.js'
import type {PpoLossOptions, PpoMicroBatch} from './ppo-loss.js'
import {ppoMinibatchUpdate} from './ppo-update.js'
import {ppoLossGradient} from './ppo-loss-grad.js'


export class OnnxPolicyUpdater implements PolicyUpdater {
  readonly #trainer: OnnxPolicyTrainer
  readonly #loss: PpoLossOptions | undefined
  /** The frozen start policy of a KL penalty: only its forward pass is used. */
  readonly #reference: OnnxPolicyTrainer | undefined

  private constructor(trainer: OnnxPolicyTrainer, loss?: PpoLossOptions, reference?: OnnxPolicyTrainer) {
    this.#trainer = trainer
    this.#loss = loss
    this.#reference = reference
  }

  static async create(init: PolicyUpdaterInit): Promise<OnnxPolicyUpdater> {
    const {OnnxPolicyTrainer} = await import('../model/onnx/trainer.js')
    const trainer = await OnnxPolicyTrainer.create(init.config, init.weights, {
      maxGradNorm: init.maxGradNorm, optimizer: {learningRate: init.learningRate, weightDecay: init.weightDecay},
      ...(init.optimizerState ? {optimizerState: init.optimizerState} : {}),
    })
    const reference = (init.loss?.klCoef ?? 0) > 0 && init.referenceWeights
      ? await OnnxPolicyTrainer.create(init.config, init.referenceWeights).catch(async (error: unknown) => {
        await trainer.dispose()
        throw error
      })
      : undefined
    return new OnnxPolicyUpdater(trainer, init.loss, reference)
  }

  async update(microBatches: PpoMicroBatch[], minibatches: number, epochs = 1): Promise<UpdateResult> {
    const started = performance.now()
    const trainer = this.#trainer
    const result = await ppoMinibatchUpdate(microBatches, minibatches, this.#loss, {
      proximal: (mb) => trainer.tokenLogProbs(mb.tokens),
      ...(this.#reference ? {reference: (mb: PpoMicroBatch) => (this.#reference as OnnxPolicyTrainer).tokenLogProbs(mb.tokens)} : {}),
      step: (chunk, loss, stats) => trainer.trainStep(chunk, (logp, mb) => ppoLossGradient(logp, mb, loss, stats), {weightOf: (mb) => mb.lossTokens}),
    }, epochs)
    return {...result, seconds: (performance.now() - started) / 1000, backend: trainer.backendDescription}
  }

  async exportWeights(): Promise<Weights> {
    return this.#trainer.exportWeights()
  }

  async exportOptimizerState(): Promise<OptimizerState> {
    return this.#trainer.exportOptimizerState()
  }

  async close(): Promise<void> {
    await this.#trainer.dispose()
    await this.#reference?.dispose()
  }
}
