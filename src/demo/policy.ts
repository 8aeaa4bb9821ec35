// Where the committed policies live (trained by ars on the embedded world; scripts/train-search-policy.sh and the
// policies' READMEs say how): the SFT policy the demo starts from and the RL policy it is compared with.
import {dirname, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

const DATASETS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'datasets')

/** dist/src/demo → the package root's datasets/policy-search-sft. */
export const DEFAULT_POLICY_DIR = resolve(DATASETS, 'policy-search-sft')

/** The committed RL policy (made as COMMITTED_RL_MADE says: decision 0960), scored against the starting one. */
export const COMMITTED_RL_DIR = resolve(DATASETS, 'policy-search-rl')

/** How the committed RL policy was made, as the demo's plan and summary word it (its README has the run). */
export const COMMITTED_RL_MADE = '100 async RL steps from the start, on a fresh world'

/** The embedded world shipped with the package. */
export const PACKAGE_WORLD_DIR = resolve(DATASETS, 'world-small')
