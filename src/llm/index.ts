// src/llm: the public entry of this area. Commands and other areas import from here only (test/architecture/boundaries.test.ts).
export {chatMlTemplate} from './byte-tokenizer.js'
export {ContextOverflowError, ModelBackendError, isAbortError} from './errors.js'
export type {ChatMessage, GenerateInput, GenerateResult, LanguageModel, SamplingOptions, TextTokenizer} from './language-model.js'
export * from './onnx-model.js'
export * from './registry.js'
export {ModelServer} from './server.js'
