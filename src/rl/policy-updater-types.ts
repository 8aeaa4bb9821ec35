// What a policy updater is, apart from how it runs (the tfjs one here, the onnxruntime one in
// onnx-policy-updater.ts): both import these, so neither imports the other for its types.
import type {ModelConfig, OptimizerState, TfjsBackendChoice, Weights} from '../model/index.js'
import type {PpoLossOptions, PpoMicroBatch, PpoStats} from './ppo-loss.js'

export interface PolicyUpdaterInit {
  config: ModelConfig
  weights: Weights
  optimizerState?: OptimizerState
  backend?: TfjsBackendChoice
  learningRate: number
  weightDecay: number
  maxGradNorm?: number
  loss?: PpoLossOptions
  /** The reference policy's weights (the run's start model) for a KL penalty (`loss.klCoef` > 0); same config. */
  referenceWeights?: Weights
}

export interface UpdateResult {
  /** Mean loss over the optimiser steps. */
  loss: number
  /** Largest pre-clip global gradient norm over the optimiser steps. */
  gradNorm: number
  stats: ReturnType<PpoStats['summary']> & {tokens: number}
  seconds: number
  backend: string
}

export interface PolicyUpdater {
  /** Proximal log-probs with the current weights, then `epochs` (default 1) passes of `minibatches` optimiser steps over the micro-batches. */
  update(microBatches: PpoMicroBatch[], minibatches: number, epochs?: number): Promise<UpdateResult>
  exportWeights(): Promise<Weights>
  exportOptimizerState(): Promise<OptimizerState>
  close(): Promise<void>
}
