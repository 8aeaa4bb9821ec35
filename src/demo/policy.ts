// Where the committed tiny policy lives (trained by ars on the embedded world; see datasets/policy-tiny/README.md).
import {dirname, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

/** dist/src/demo → the package root's datasets/policy-tiny. */
export const DEFAULT_POLICY_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'datasets', 'policy-tiny')

/** The embedded world shipped with the package. */
export const PACKAGE_WORLD_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'datasets', 'world-small')
