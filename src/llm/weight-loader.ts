// `POST /v1/ars/weights` for a model served from a folder: read the folder the trainer wrote, check it is the
// served architecture, and publish it to the in-process engine. The engine of `ars serve model` runs in drain
// mode, so requests in flight finish (and report) the version they started with and new ones start on the new
// weights: the swap falls between requests.
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {UsageError} from '../core/index.js'
import type {OnnxModel} from './onnx-model.js'
import type {WeightSwapper} from './server.js'
import type {ModelConfig} from '../model/index.js'

/** The fields that decide the graph: a folder that differs in any of them cannot replace the served weights. */
const ARCHITECTURE: ReadonlyArray<keyof ModelConfig> = ['modelType', 'vocabSize', 'hiddenSize', 'intermediateSize', 'numLayers', 'numHeads', 'numKvHeads', 'headDim', 'tieWordEmbeddings', 'qkvBias', 'qkNorm']

export function onnxWeightSwapper(model: OnnxModel): WeightSwapper {
  let path: string | undefined
  return {
    current: () => ({version: model.engine.version, ...(path ? {path} : {})}),
    async load(dir: string, version: number): Promise<void> {
      if (!existsSync(join(dir, 'config.json'))) throw new UsageError(`${dir}: no config.json here (the folder must be readable by this server at the same path)`, {code: 'weights-load', fix: 'Publish a model folder on a file system this server sees (the trainer writes OUT/generation/v-N/).'})
      const {loadCheckpoint, loadModelConfig} = await import('../model/index.js')
      const onnx = [join(dir, 'onnx', 'model.onnx'), join(dir, 'model.onnx')].find((p) => existsSync(p))
      let weights: Parameters<OnnxModel['engine']['publish']>[1]
      let config: ModelConfig
      try {
        if (onnx) {
          config = await loadModelConfig(dir)
          weights = onnx
        } else {
          const checkpoint = await loadCheckpoint(dir, {tokenizer: false})
          config = checkpoint.config
          weights = checkpoint.weights
        }
      } catch (error) {
        throw new UsageError(`${dir}: ${(error as Error).message}`, {code: 'weights-load', fix: 'Publish a complete model folder (config.json and model.safetensors).'})
      }
      const differs = ARCHITECTURE.filter((k) => JSON.stringify(config[k]) !== JSON.stringify(model.config[k]))
      if (differs.length) throw new UsageError(`${dir}: not the served architecture (${differs.map((k) => `${k} ${JSON.stringify(config[k])} ≠ ${JSON.stringify(model.config[k])}`).join(', ')})`, {code: 'weights-load', fix: 'Publish weights of the model this server was started with.'})
      await model.engine.publish(version, weights)
      path = dir
    },
  }
}
