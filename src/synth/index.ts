// src/synth: the public entry of this area. Commands and other areas import from here only (test/architecture/boundaries.test.ts).
export {SYNTH_ENGINES, createEngine} from './create-engine.js'
export type {SynthEngineName} from './create-engine.js'
export {finishedSeedIds} from './resume.js'
export {runSynthesis} from './run.js'
export {SynthStats} from './stats.js'
