// The one place that loads TensorFlow.js (lazily, so `ars --help` stays instant) and picks its backend at run time:
// tfjs-node-gpu → tfjs-node → wasm → cpu, or the one `--backend` names, reporting why the others were not used.
import type * as TfCore from '@tensorflow/tfjs'
import {UsageError} from '../../core/index.js'

export type Tf = typeof TfCore

/** tfjs backends; `auto` tries them in this order. */
export const TFJS_BACKENDS = ['auto', 'node-gpu', 'node', 'wasm', 'cpu'] as const
/**
 * `--backend` values of the training commands: `onnx` (gradients on onnxruntime-node, decision 0940) and the tfjs
 * backends. For training, `auto` means a native TensorFlow (node-gpu, node) where one loads, else `onnx`
 * (src/model/train-backend.ts); `loadTf('auto')` alone still means the best tfjs backend.
 */
export const TRAIN_BACKENDS = ['auto', 'onnx', 'node-gpu', 'node', 'wasm', 'cpu'] as const
export type TfjsBackendChoice = (typeof TRAIN_BACKENDS)[number]

export interface BackendAttempt {
  backend: Exclude<TfjsBackendChoice, 'auto' | 'onnx'>
  ok: boolean
  /** Why it was not used (module missing, native binding failed, …). */
  reason?: string
}

export interface LoadedTf {
  tf: Tf
  /** The choice that loaded (`node-gpu`, `node`, `wasm`, `cpu`). */
  backend: Exclude<TfjsBackendChoice, 'auto' | 'onnx'>
  /** tfjs's own backend name (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string
  attempts: BackendAttempt[]
}

let loaded: Promise<LoadedTf> | undefined
let loadedChoice: TfjsBackendChoice | undefined

function reasonOf(error: unknown): string {
  const e = error as NodeJS.ErrnoException
  if (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') return 'not installed'
  return String(e?.message ?? error).split('\n')[0] as string
}

async function tryBackend(tf: Tf, choice: Exclude<TfjsBackendChoice, 'auto' | 'onnx'>): Promise<string> {
  switch (choice) {
    case 'node-gpu':
      // Optional dependency: its install needs a download, so on offline machines it is simply absent.
      await import('@tensorflow/tfjs-node-gpu' as string)
      if (!(await tf.setBackend('tensorflow'))) throw new Error('tensorflow backend did not initialise')
      return 'tensorflow'
    case 'node':
      await import('@tensorflow/tfjs-node' as string)
      if (!(await tf.setBackend('tensorflow'))) throw new Error('tensorflow backend did not initialise')
      return 'tensorflow'
    case 'wasm':
      await import('@tensorflow/tfjs-backend-wasm')
      if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend did not initialise')
      return 'wasm'
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend did not initialise')
      return 'cpu'
  }
}

async function load(choice: TfjsBackendChoice): Promise<LoadedTf> {
  // The union package, not tfjs-core alone: it registers the gradient functions (and the cpu backend).
  const tf = (await import('@tensorflow/tfjs')) as Tf
  const order: Exclude<TfjsBackendChoice, 'auto' | 'onnx'>[] = choice === 'auto' ? ['node-gpu', 'node', 'wasm', 'cpu'] : choice === 'onnx' ? [] : [choice]
  const attempts: BackendAttempt[] = []
  for (const backend of order) {
    try {
      const tfBackend = await tryBackend(tf, backend)
      await tf.ready()
      attempts.push({backend, ok: true})
      return {tf, backend, tfBackend, attempts}
    } catch (error) {
      attempts.push({backend, ok: false, reason: reasonOf(error)})
    }
  }
  throw new UsageError(`no TensorFlow.js backend loaded: ${attempts.map((a) => `${a.backend} (${a.reason})`).join(', ')}`, {
    code: 'tfjs-backend',
    fix: choice === 'auto' ? 'Reinstall ars (npm ci) so @tensorflow/tfjs-backend-wasm is present.' : 'Try --backend auto.',
  })
}

/**
 * Load tfjs with a backend (default: $ARS_TFJS_BACKEND, else auto), memoised per process: tfjs has one global engine. Asking for a different explicit
 * backend later switches the engine's backend, which is only safe when no model is live.
 */
export async function loadTf(choice: TfjsBackendChoice = (process.env.ARS_TFJS_BACKEND as TfjsBackendChoice | undefined) ?? 'auto'): Promise<LoadedTf> {
  if (!(TFJS_BACKENDS as readonly string[]).includes(choice)) {
    throw new UsageError(`--backend: expected one of ${TFJS_BACKENDS.join(', ')}, got ${JSON.stringify(choice)}`, {code: 'tfjs-backend', fix: 'Use --backend auto.'})
  }
  if (!loaded || (choice !== 'auto' && choice !== loadedChoice && (await loaded.catch(() => undefined))?.backend !== choice)) {
    loaded = load(choice)
    loadedChoice = choice
  }
  return loaded
}

/** One line for logs: `tfjs backend wasm (node-gpu: not installed; node: not installed)`. */
export function describeBackend(result: LoadedTf): string {
  const failed = result.attempts.filter((a) => !a.ok)
  return `tfjs backend ${result.backend}${failed.length ? ` (${failed.map((a) => `${a.backend}: ${a.reason}`).join('; ')})` : ''}`
}
