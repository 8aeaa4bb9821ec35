// Which trainer `--backend` means (decision 0940): `onnx` = gradients on onnxruntime-node (native MLAS GEMMs, the
// fast path on CPU); a tfjs name = the tfjs PolicyTrainer on that backend; `auto` = native TensorFlow
// (@tensorflow/tfjs-node-gpu or -node) where one installs and loads, otherwise `onnx` — tfjs-wasm is ~4-5x slower
// than onnxruntime here, so it is only used when asked for by name.
import {createRequire} from 'node:module'
import {loadTf, type TfjsBackendChoice} from './tfjs/backend.js'

export type TrainerKind = 'onnx' | 'tfjs'

/** `--backend` (default $ARS_TFJS_BACKEND, else auto) → the trainer to build. */
export async function resolveTrainBackend(choice: TfjsBackendChoice = (process.env.ARS_TFJS_BACKEND as TfjsBackendChoice | undefined) ?? 'auto'): Promise<TrainerKind> {
  if (choice === 'onnx') return 'onnx'
  if (choice !== 'auto') return 'tfjs'
  const require = createRequire(import.meta.url)
  const installed = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'].some((name) => {
    try {
      require.resolve(name)
      return true
    } catch {
      return false
    }
  })
  if (!installed) return 'onnx'
  // Installed, but it must also load (a broken native binding falls back to wasm in loadTf: then prefer onnx).
  const loaded = await loadTf('auto').catch(() => undefined)
  return loaded && (loaded.backend === 'node-gpu' || loaded.backend === 'node') ? 'tfjs' : 'onnx'
}
