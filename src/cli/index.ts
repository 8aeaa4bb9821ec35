// src/cli: the public entry of this area. Commands and other areas import from here only (test/architecture/boundaries.test.ts).
export {ProgressDrawer} from './progress-bar.js'
