// src/train: the public entry of this area (what every trainer shares: the training session, `ars train sft`, run
// folders, schedules, micro-batches, held-out evaluation, the report). Commands and other areas import from here only
// (test/architecture/boundaries.test.ts).
export {checkHeldOutFlags, HeldOutEvaluator, readHeldOutQuestions} from './held-out-eval.js'
export type {HeldOutSpec} from './held-out-eval.js'
export {fingerprint, modelConfigHash} from './run-dir.js'
export type {TrainerState} from './run-dir.js'
export {DEFAULT_SAVE_EVERY_MINUTES, SAVE_EVERY_MINUTES_HELP} from './save-schedule.js'
export {SCHEDULES} from './schedule.js'
export type {Schedule} from './schedule.js'
export {packMicroBatches} from './sequences.js'
export type {SequenceSample} from './sequences.js'
export {loadStartModel, TrainingSession} from './session.js'
export type {TrainingOptions} from './session.js'
export {runSft} from './sft.js'
export {writeTrainReport} from './train-report.js'
