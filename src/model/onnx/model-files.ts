// The generation graph written to a folder as model.onnx + model.onnx_data, each weight streamed to disk as the
// graph is built: how the engine opens big models, so the weights are never held as JS arrays, a protobuf and
// onnxruntime's copy at once (docs/decisions/0975-generation-and-training-memory.md).
import {closeSync, openSync, writeFileSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {expectedShape, expectedTensorNames, type ModelConfig, type Weights} from '../config.js'
import {buildDecoderModel, type BuildGraphOptions} from './graph.js'

export const MODEL_FILE = 'model.onnx'
export const MODEL_DATA_FILE = 'model.onnx_data'

/** Bytes of the fp32 weights a config has, from shapes alone (reads no tensor). */
export function weightBytes(config: ModelConfig): number {
  return expectedTensorNames(config).reduce((sum, name) => sum + 4 * (expectedShape(config, name) as number[]).reduce((a, b) => a * b, 1), 0)
}

/**
 * Writes `dir/model.onnx` and its weights `dir/model.onnx_data` (dir must exist); returns the .onnx path. Each
 * weight (transposed, fused) is written as soon as it is built and then dropped, so the extra memory is one
 * tensor, not the model; with lazily read weights (`loadWeights(…, {lazy: true})`) the model is never whole in JS.
 */
export function writeDecoderModelFiles(dir: string, config: ModelConfig, weights: Weights, options: Omit<BuildGraphOptions, 'externalDataLocation' | 'externalDataSink'> = {}): string {
  const fd = openSync(join(dir, MODEL_DATA_FILE), 'w')
  let built
  try {
    built = buildDecoderModel(config, weights, {
      ...options,
      externalDataLocation: MODEL_DATA_FILE,
      externalDataSink: (chunk) => {
        for (let done = 0; done < chunk.byteLength; ) done += writeSync(fd, chunk, done, chunk.byteLength - done)
      },
    })
  } finally {
    closeSync(fd)
  }
  const path = join(dir, MODEL_FILE)
  writeFileSync(path, built.bytes)
  return path
}
