// Random initialisation of a Qwen2 checkpoint (Hugging Face names and layouts), seeded: `ars model init`.
import {Rng} from '../core/index.js'
import {expectedShape, expectedTensorNames, type ModelConfig, type Weights} from './config.js'

/** Normal(0, std) for matrices, ones for norm weights, zeros for biases — as transformers initialises Qwen2. */
export function initWeights(config: ModelConfig, seed = 0, std = 0.02): Weights {
  const weights: Weights = new Map()
  for (const name of expectedTensorNames(config)) {
    const shape = expectedShape(config, name) as number[]
    const size = shape.reduce((a, b) => a * b, 1)
    const data = new Float32Array(size)
    if (name.endsWith('norm.weight')) data.fill(1)
    else if (!name.endsWith('.bias')) {
      const rng = new Rng(seed).fork(name)
      for (let i = 0; i < size; i++) data[i] = rng.normal() * std
    }
    weights.set(name, {name, shape, data})
  }
  return weights
}
