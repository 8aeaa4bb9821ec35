// The `--backend` flag for every command that trains (the choice is resolved at run time by
// src/model/train-backend.ts and src/model/tfjs/backend.ts, which never load a runtime before a command needs it).
import {Flags} from '@oclif/core'
import {TRAIN_BACKENDS, type TfjsBackendChoice} from '../../src/model/index.js'

export const backendFlag = Flags.option({
  options: TRAIN_BACKENDS,
  default: ((process.env.ARS_TFJS_BACKEND as TfjsBackendChoice | undefined) ?? 'auto') as TfjsBackendChoice,
  description: 'Training backend: auto = native TensorFlow.js (node-gpu, node) where it installs, else onnx (gradients on onnxruntime-node, the fast CPU path); wasm/cpu = the TensorFlow.js backends by name ($ARS_TFJS_BACKEND).',
})()
