// The trainer side of the controller behind one small interface: proximal log-probs + decoupled PPO update
// (+ weight and optimiser export). `WorkerPolicyUpdater` runs it on a worker thread, so the main thread's event loop
// — which drives the ONNX engine's steps and the agent loops — is never blocked by a tfjs kernel for seconds;
// that is what lets generation and training overlap (decision 0912). `LocalPolicyUpdater` runs it in place.
import {Worker} from 'node:worker_threads'
import {ArsError, isArsError} from '../core/index.js'
import type {ModelConfig, Weights} from '../model/index.js'
import type {TfjsBackendChoice} from '../model/index.js'
import type {OptimizerState, PolicyTrainer, TfQwen2} from '../model/index.js'
import {resolveTrainBackend} from '../model/index.js'
import {computeProximalLogprobs, ppoLoss, type PpoLossOptions, type PpoMicroBatch, type PpoStats} from './ppo-loss.js'
import {ppoMinibatchUpdate} from './ppo-update.js'

export type {PolicyUpdater, PolicyUpdaterInit, UpdateResult} from './policy-updater-types.js'
import type {PolicyUpdater, PolicyUpdaterInit, UpdateResult} from './policy-updater-types.js'

/** Runs on the calling thread (tests, debugging; blocks the event loop during each kernel). */
export class LocalPolicyUpdater implements PolicyUpdater {
  readonly #trainer: PolicyTrainer
  readonly #loss: PpoLossOptions | undefined
  /** The frozen start policy of a KL penalty (its own tfjs variables, never trained). */
  readonly #reference: TfQwen2 | undefined

  private constructor(trainer: PolicyTrainer, loss?: PpoLossOptions, reference?: TfQwen2) {
    this.#trainer = trainer
    this.#loss = loss
    this.#reference = reference
  }

  /**
   * The updater `init.backend` asks for: `onnx` (and `auto` where no native TensorFlow.js loads) gives the
   * onnxruntime updater (decision 0940), a tfjs backend name this class.
   */
  static async create(init: PolicyUpdaterInit): Promise<PolicyUpdater> {
    if ((await resolveTrainBackend(init.backend)) === 'onnx') {
      const {OnnxPolicyUpdater} = await import('./onnx-policy-updater.js')
      return OnnxPolicyUpdater.create(init)
    }
    const {PolicyTrainer} = await import('../model/index.js')
    const trainer = await PolicyTrainer.create(init.config, init.weights, {
      backend: init.backend, maxGradNorm: init.maxGradNorm, optimizer: {learningRate: init.learningRate, weightDecay: init.weightDecay},
      ...(init.optimizerState ? {optimizerState: init.optimizerState} : {}),
    })
    let reference: TfQwen2 | undefined
    if ((init.loss?.klCoef ?? 0) > 0 && init.referenceWeights) {
      const {TfQwen2} = await import('../model/index.js')
      reference = new TfQwen2(trainer.tf, init.config, init.referenceWeights)
    }
    return new LocalPolicyUpdater(trainer, init.loss, reference)
  }

  async update(microBatches: PpoMicroBatch[], minibatches: number, epochs = 1): Promise<UpdateResult> {
    const started = performance.now()
    const trainer = this.#trainer
    const tf = trainer.tf
    const result = await ppoMinibatchUpdate(microBatches, minibatches, this.#loss, {
      proximal: (mb) => computeProximalLogprobs(tf, trainer.model, mb.tokens),
      ...(this.#reference ? {reference: (mb: PpoMicroBatch) => computeProximalLogprobs(tf, this.#reference as TfQwen2, mb.tokens)} : {}),
      step: (chunk, loss, stats) => trainer.trainStep(chunk, (model, mb) => ppoLoss(tf, model.tokenLogProbs(mb.tokens), mb, loss, stats), {weightOf: (mb) => mb.lossTokens}),
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
    this.#trainer.dispose()
    this.#reference?.dispose()
  }
}

type RequestBody = {kind: 'init'; init: PolicyUpdaterInit} | {kind: 'update'; microBatches: PpoMicroBatch[]; minibatches: number; epochs: number} | {kind: 'weights' | 'optimizer' | 'close'}
type Request = RequestBody & {id: number}
/**
 * The wasm backend's heap is bounded: a micro-batch too large for it surfaces as XNNPACK's out-of-memory status
 * (6) and an emscripten abort. Say what that means and what to change instead of "Aborted()".
 */
export function outOfMemory(message: string): ArsError | undefined {
  if (!/Aborted\(|xnn_status|out of memory|Out of memory|memory access out of bounds/i.test(message)) return undefined
  return new ArsError('train-oom', `the trainer ran out of memory in the tfjs backend (${message.split('\n')[0]!.slice(0, 120)})`, {
    fix: 'Lower --micro-batch-tokens (e.g. 2048) or --context-length; gradients are accumulated, so the step is the same.',
  })
}

type Reply = {id: number; ok: true; value: unknown} | {id: number; ok: false; error: {message: string; name: string; stack?: string; code?: string; fix?: string; exit?: 1 | 2}}

/** The same updater on a worker thread (dist/src/rl/trainer-worker.js); messages carry typed arrays by copy. */
export class WorkerPolicyUpdater implements PolicyUpdater {
  readonly #worker: Worker
  readonly #pending = new Map<number, {resolve: (v: unknown) => void; reject: (e: unknown) => void}>()
  #next = 0
  #failed: Error | undefined

  private constructor(worker: Worker) {
    this.#worker = worker
    worker.on('message', (reply: Reply) => {
      const waiter = this.#pending.get(reply.id)
      if (!waiter) return
      this.#pending.delete(reply.id)
      if (reply.ok) waiter.resolve(reply.value)
      else {
        // ars errors (a bad --backend, a refused optimizer state) keep their code, fix and exit code across threads.
        const e = reply.error
        const error = e.code ? new ArsError(e.code, e.message, {fix: e.fix, exit: e.exit}) : outOfMemory(e.message) ?? new Error(e.message)
        waiter.reject(Object.assign(error, {name: error instanceof ArsError ? error.name : e.name, stack: e.stack}))
      }
    })
    const fail = (raw: Error): void => {
      const error = outOfMemory(raw.message) ?? raw
      this.#failed ??= error
      for (const w of this.#pending.values()) w.reject(error)
      this.#pending.clear()
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`the trainer thread exited (code ${code})`)))
  }

  static async create(init: PolicyUpdaterInit): Promise<WorkerPolicyUpdater> {
    const updater = new WorkerPolicyUpdater(new Worker(new URL('./trainer-worker.js', import.meta.url)))
    try {
      await updater.#call({kind: 'init', init})
    } catch (error) {
      await updater.#worker.terminate()
      throw error
    }
    return updater
  }

  async update(microBatches: PpoMicroBatch[], minibatches: number, epochs = 1): Promise<UpdateResult> {
    return (await this.#call({kind: 'update', microBatches, minibatches, epochs})) as UpdateResult
  }

  async exportWeights(): Promise<Weights> {
    return (await this.#call({kind: 'weights'})) as Weights
  }

  async exportOptimizerState(): Promise<OptimizerState> {
    return (await this.#call({kind: 'optimizer'})) as OptimizerState
  }

  async close(): Promise<void> {
    if (!this.#failed) await this.#call({kind: 'close'}).catch(() => {})
    await this.#worker.terminate()
  }

  #call(request: RequestBody): Promise<unknown> {
    if (this.#failed) return Promise.reject(this.#failed)
    const id = this.#next++
    return new Promise((resolve, reject) => {
      this.#pending.set(id, {resolve, reject})
      this.#worker.postMessage({...request, id})
    })
  }
}

/** Serves an updater's methods to the parent thread (the body of trainer-worker.ts). */
export function servePolicyUpdater(port: {on(event: 'message', f: (r: Request) => void): void; postMessage(reply: Reply): void}): void {
  let updater: PolicyUpdater | undefined
  let queue = Promise.resolve()
  port.on('message', (request: Request) => {
    // One request at a time, in order: an export never runs in the middle of an update.
    queue = queue.then(async () => {
      try {
        let value: unknown
        if (request.kind === 'init') {
          updater = await LocalPolicyUpdater.create(request.init)
          value = null
        } else {
          if (!updater) throw new Error('the trainer thread was not initialised')
          if (request.kind === 'update') value = await updater.update(request.microBatches, request.minibatches, request.epochs)
          else if (request.kind === 'weights') value = await updater.exportWeights()
          else if (request.kind === 'optimizer') value = await updater.exportOptimizerState()
          else {
            await updater.close()
            updater = undefined
            value = null
          }
        }
        port.postMessage({id: request.id, ok: true, value})
      } catch (error) {
        const e = error instanceof Error ? error : new Error(String(error))
        const ars = isArsError(e) ? {code: e.code, fix: e.fix, exit: e.exit} : {}
        port.postMessage({id: request.id, ok: false, error: {message: e.message, name: e.name, stack: e.stack, ...ars}})
      }
    })
  })
}
