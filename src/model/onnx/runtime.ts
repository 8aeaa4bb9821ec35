// The only module that imports onnxruntime-node (lazily, so `ars --help` never loads it): sessions with
// ars's defaults, typed tensors in and out, and run failures that list every missing input and the shapes given.
import type * as Ort from 'onnxruntime-node'
import {DataError} from '../../core/index.js'

let ortPromise: Promise<typeof Ort> | undefined

/** Loads onnxruntime-node once. */
export async function loadOrt(): Promise<typeof Ort> {
  ortPromise ??= import('onnxruntime-node')
  return ortPromise
}

export interface SessionOptions {
  /** Threads for one operator (default 0 = onnxruntime picks, one per core). */
  intraOpNumThreads?: number
  /**
   * Let idle intra-op threads spin waiting for work (default false: a probe measured no speed loss without
   * spinning, and spinning threads burn a core the trainer needs).
   */
  allowSpinning?: boolean
  /** Graph optimisation level (default 'all'). */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all'
}

/** A dense tensor crossing the session boundary; int64 inputs are given as BigInt64Array. */
export interface HostTensor {
  data: Float32Array | BigInt64Array
  dims: number[]
}

export class OnnxSession {
  readonly #session: Ort.InferenceSession
  readonly #ort: typeof Ort
  readonly inputNames: readonly string[]
  readonly outputNames: readonly string[]

  private constructor(ort: typeof Ort, session: Ort.InferenceSession) {
    this.#ort = ort
    this.#session = session
    this.inputNames = session.inputNames
    this.outputNames = session.outputNames
  }

  /** Opens a session from model bytes or an .onnx path (external data is then found next to it). */
  static async create(model: Uint8Array | string, options: SessionOptions = {}): Promise<OnnxSession> {
    const ort = await loadOrt()
    const intra = options.intraOpNumThreads ?? 0
    if (!Number.isInteger(intra) || intra < 0) throw new RangeError(`Expected intraOpNumThreads to be a non-negative integer, got ${intra}`)
    const sessionOptions: Ort.InferenceSession.SessionOptions = {
      executionProviders: ['cpu'],
      graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
      intraOpNumThreads: intra,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      extra: {session: {intra_op: {allow_spinning: options.allowSpinning ? '1' : '0'}, inter_op: {allow_spinning: '0'}}},
    }
    try {
      const session = typeof model === 'string' ? await ort.InferenceSession.create(model, sessionOptions) : await ort.InferenceSession.create(model, sessionOptions)
      return new OnnxSession(ort, session)
    } catch (error) {
      throw new DataError(`onnxruntime could not load the model${typeof model === 'string' ? ` ${model}` : ''}: ${(error as Error).message}`, {
        code: 'onnx-load',
        cause: error,
        fix: 'Rebuild the model with `ars export --format onnx`; check the file is complete.',
      })
    }
  }

  /** Runs the graph; on failure the error names every missing input and the shapes that were given. */
  async run(feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>> {
    const missing = this.inputNames.filter((name) => !(name in feeds))
    const given = Object.entries(feeds).map(([name, t]) => `${name} [${t.dims.join(', ')}]`)
    if (missing.length > 0) {
      throw new DataError(`onnx run: missing input(s) ${missing.join(', ')}; given ${given.join(', ')}`, {
        code: 'onnx-missing-input',
        fix: `The model expects inputs ${this.inputNames.join(', ')}.`,
      })
    }
    const ortFeeds: Record<string, Ort.Tensor> = {}
    for (const name of this.inputNames) {
      const t = feeds[name] as HostTensor
      ortFeeds[name] = new this.#ort.Tensor(t.data instanceof BigInt64Array ? 'int64' : 'float32', t.data, t.dims)
    }
    let results: Ort.InferenceSession.OnnxValueMapType
    try {
      results = await this.#session.run(ortFeeds)
    } catch (error) {
      throw new DataError(`onnx run failed: ${(error as Error).message}; given ${given.join(', ')}`, {
        code: 'onnx-run',
        cause: error,
        fix: 'Check the input shapes against the model (batch and sequence dimensions must agree).',
      })
    }
    const out: Record<string, HostTensor> = {}
    for (const name of this.outputNames) {
      const value = results[name] as Ort.Tensor
      out[name] = {data: value.data as Float32Array, dims: [...value.dims]}
    }
    return out
  }

  async release(): Promise<void> {
    await this.#session.release()
  }
}
