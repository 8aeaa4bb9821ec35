// The entry point the RL trainer uses: load tfjs (backend picked at run time), build the Qwen2 model from Weights,
// and run optimiser steps over micro-batches (accumulate → clip → AdamW), yielding to the event loop in between.
import type * as TfCore from '@tensorflow/tfjs'
import type {ModelConfig, Weights} from '../config.js'
import {describeBackend, loadTf, type LoadedTf, type TfjsBackendChoice} from './backend.js'
import {AdamW, clipByGlobalNorm, GradientAccumulator, yieldToEventLoop, type AdamWOptions, type AdamWState} from './adamw.js'
import {TfQwen2, variableGradients, type Qwen2Options, type TokenBatch} from './qwen2.js'

export interface PolicyTrainerOptions extends Qwen2Options {
  /** Default `auto` (node-gpu → node → wasm → cpu). */
  backend?: TfjsBackendChoice
  optimizer?: AdamWOptions
  /** Clip the global gradient norm to this (default 1.0; 0 disables). */
  maxGradNorm?: number
  /** Resume the optimiser from a checkpoint (`exportOptimizerState()` of an earlier run on the same config). */
  optimizerState?: OptimizerState
}

/**
 * AdamW's state keyed by Hugging Face weight name (torch's `exp_avg` / `exp_avg_sq`), in HF layouts, so it does
 * not depend on how TfQwen2 fuses and transposes its variables: a resumed run maps it back whatever the layout.
 */
export interface OptimizerState {
  step: number
  firstMoments: Weights
  secondMoments: Weights
}

export interface StepResult {
  /** Weighted mean loss over the micro-batches. */
  loss: number
  /** Global gradient norm before clipping. */
  gradNorm: number
  /** Optimiser steps taken so far (this one included). */
  step: number
  microBatches: number
  seconds: number
}

export class PolicyTrainer {
  readonly model: TfQwen2
  readonly runtime: LoadedTf
  readonly #optimizer: AdamW
  readonly #accumulator: GradientAccumulator
  readonly #maxGradNorm: number
  readonly #checkpointing: boolean

  private constructor(runtime: LoadedTf, model: TfQwen2, options: PolicyTrainerOptions) {
    this.runtime = runtime
    this.model = model
    this.#optimizer = new AdamW(runtime.tf, model.variables, {noDecay: model.noDecayVariables, ...options.optimizer})
    this.#accumulator = new GradientAccumulator(runtime.tf, model.variables)
    this.#maxGradNorm = options.maxGradNorm ?? 1
    this.#checkpointing = options.gradientCheckpointing ?? false
    if (options.optimizerState) {
      try {
        this.#importOptimizerState(options.optimizerState)
      } catch (error) {
        this.#optimizer.dispose()
        throw error
      }
    }
  }

  static async create(config: ModelConfig, weights: Weights, options: PolicyTrainerOptions = {}): Promise<PolicyTrainer> {
    const runtime = await loadTf(options.backend ?? 'auto')
    const model = new TfQwen2(runtime.tf, config, weights, options)
    try {
      return new PolicyTrainer(runtime, model, options)
    } catch (error) {
      model.dispose() // a refused optimizer state must not leak the model's variables
      throw error
    }
  }

  get tf(): LoadedTf['tf'] {
    return this.runtime.tf
  }

  get backendDescription(): string {
    return describeBackend(this.runtime)
  }

  get step(): number {
    return this.#optimizer.step
  }

  /**
   * One optimiser step: for each micro-batch, loss and gradients (weighted by `weightOf`, default 1 — e.g. the
   * number of loss tokens), accumulated, then the mean gradient is clipped and applied with AdamW.
   * With gradient checkpointing the model must know each micro-batch's tokens: `tokensOf` (default `mb.tokens`).
   */
  async trainStep<T>(
    microBatches: readonly T[],
    lossFn: (model: TfQwen2, microBatch: T) => TfCore.Scalar,
    options: {weightOf?: (microBatch: T) => number; learningRate?: number; tokensOf?: (microBatch: T) => TokenBatch} = {},
  ): Promise<StepResult> {
    if (microBatches.length === 0) throw new RangeError('Expected at least one micro-batch')
    const started = performance.now()
    const tf = this.runtime.tf
    let lossSum = 0
    let weightSum = 0
    this.#accumulator.reset()
    try {
      for (const mb of microBatches) {
        const weight = options.weightOf?.(mb) ?? 1
        const run = () => lossFn(this.model, mb)
        let result
        if (this.#checkpointing) {
          const tokens = options.tokensOf?.(mb) ?? (mb as {tokens?: TokenBatch}).tokens
          if (!tokens) throw new RangeError('Gradient checkpointing needs each micro-batch\'s tokens: pass tokensOf or give micro-batches a `tokens` field')
          result = this.model.lossAndGradients(tokens, run)
        } else result = variableGradients(tf, this.model.variables, run)
        const {loss, grads} = result
        if (!Number.isFinite(loss)) {
          grads.forEach((g) => g.dispose())
          throw new Error(`Loss is ${loss}; refusing to apply the step (lower the learning rate or check the batch)`)
        }
        this.#accumulator.add(grads, weight)
        lossSum += loss * weight
        weightSum += weight
        await yieldToEventLoop()
      }
      const {grads, norm} = clipByGlobalNorm(tf, this.#accumulator.average(), this.#maxGradNorm)
      this.#optimizer.apply(grads, options.learningRate)
      grads.forEach((g) => g.dispose())
      await yieldToEventLoop()
      return {loss: weightSum > 0 ? lossSum / weightSum : 0, gradNorm: norm, step: this.#optimizer.step, microBatches: microBatches.length, seconds: (performance.now() - started) / 1000}
    } finally {
      this.#accumulator.reset()
    }
  }

  exportWeights(): Weights {
    return this.model.exportWeights()
  }

  /**
   * The optimiser state in HF names and layouts. The model's own export does the layout mapping: each moment list
   * is assigned to the variables for the moment (synchronously, so nothing else can observe it) and exported.
   */
  exportOptimizerState(): OptimizerState {
    const state = this.#optimizer.exportState()
    return {step: state.step, firstMoments: this.#asWeights(state.m), secondMoments: this.#asWeights(state.v)}
  }

  #asWeights(values: Float32Array[]): Weights {
    const tf = this.runtime.tf
    const variables = this.model.variables
    const originals = variables.map((v) => tf.clone(v))
    try {
      variables.forEach((v, i) => {
        const t = tf.tensor(values[i] as Float32Array, v.shape, 'float32')
        v.assign(t)
        t.dispose()
      })
      return this.model.exportWeights()
    } finally {
      variables.forEach((v, i) => v.assign(originals[i] as TfCore.Tensor))
      originals.forEach((t) => t.dispose())
    }
  }

  /** The inverse of #asWeights: load HF-layout moments into a throwaway model and read its variables. */
  #fromWeights(moments: Weights, label: string): Float32Array[] {
    let scratch: TfQwen2
    try {
      scratch = new TfQwen2(this.runtime.tf, this.model.config, moments)
    } catch (error) {
      throw new RangeError(`Optimizer state ${label}: ${(error as Error).message}`)
    }
    try {
      return scratch.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array))
    } finally {
      scratch.dispose()
    }
  }

  #importOptimizerState(state: OptimizerState): void {
    const adam: AdamWState = {step: state.step, m: this.#fromWeights(state.firstMoments, 'exp_avg'), v: this.#fromWeights(state.secondMoments, 'exp_avg_sq')}
    this.#optimizer.importState(adam)
  }

  dispose(): void {
    this.#accumulator.reset()
    this.#optimizer.dispose()
    this.model.dispose()
  }
}
