// Zero-copy reads of float32 tensor data on the wasm backend, where dataSync copies into a fresh buffer on every call
// (2 MB per attention group in the backward pass). The view is valid only until the next tfjs op: an op may grow the
// wasm heap, which detaches the old buffer. Other backends fall back to dataSync.
import type * as TfCore from '@tensorflow/tfjs'
import type {Tf} from './backend.js'

interface WasmHeapBackend {
  typedArrayFromHeap?: (info: {shape: number[]; dtype: string; dataId: unknown}) => Float32Array
}

/** The tensor's float32 data; on wasm a view on the heap: read it before calling any other tfjs op. */
export function readNow(tf: Tf, t: TfCore.Tensor): Float32Array {
  if (t.dtype !== 'float32') throw new RangeError(`Expected a float32 tensor, got ${t.dtype}`)
  const backend = tf.backend() as unknown as WasmHeapBackend
  if (tf.getBackend() === 'wasm' && typeof backend.typedArrayFromHeap === 'function') {
    const view = backend.typedArrayFromHeap({shape: t.shape, dtype: t.dtype, dataId: t.dataId})
    if (view.length === t.size) return view
  }
  return t.dataSync() as Float32Array
}
