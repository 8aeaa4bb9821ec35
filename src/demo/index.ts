// src/demo: the public entry of this area. Commands and other areas import from here only (test/architecture/boundaries.test.ts).
export * from './pipeline.js'
export * from './plan.js'
export * from './policy.js'
export * from './summary.js'
