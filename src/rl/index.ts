// src/rl: the public entry of this area (asynchronous RL, `ars train`). Commands and other areas import from here only (test/architecture/boundaries.test.ts).
export {TRAIN_MODES, trainRl, validateRlOptions} from './controller.js'
export type {TrainMode} from './controller.js'
