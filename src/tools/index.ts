// src/tools: the public entry of this area. Commands and other areas import from here only (test/architecture/boundaries.test.ts).
export * from './attachments.js'
export * from './code-sandbox.js'
export * from './sandbox-pool.js'
