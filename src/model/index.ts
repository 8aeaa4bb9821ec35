// src/model: the public entry of this area. Commands and other areas import from here only
// (test/architecture/boundaries.test.ts), except its lazy doors: onnx/engine.ts, onnx/trainer.ts and onnx/export.ts
// load onnx-proto (and, when run, onnxruntime), so they are imported with `await import()` (or `import type`) by
// their path, never from this file, and `ars --help` loads none of them.
export {createBpeTrainer} from './bpe-trainer.js'
export * from './checkpoint.js'
export {PRESETS, parseModelConfig, presetConfig, toHfConfig} from './config.js'
export type {ModelConfig, ModelType, NamedTensor, PresetName, Weights} from './config.js'
export {initWeights} from './init.js'
export {formatModelInfo, modelInfo} from './model-info.js'
export {loadWeights, readSafetensorsFile, saveWeights, writeSafetensorsFile} from './safetensors.js'
export type {ChatMessage, TextTokenizer} from './text-tokenizer.js'
export {TRAIN_BACKENDS} from './tfjs/backend.js'
export type {TfjsBackendChoice} from './tfjs/backend.js'
export * from './tfjs/policy-trainer.js'
export {TfQwen2} from './tfjs/qwen2.js'
export type {TokenBatch} from './tfjs/qwen2.js'
export * from './tokenizer.js'
export {resolveTrainBackend} from './train-backend.js'
