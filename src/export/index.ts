// src/export: the public entry of this area. Commands and other areas import from here only (test/architecture/boundaries.test.ts).
export * from './data-stages.js'
export * from './verl.js'
