// Worker-thread entry of the RL trainer (see policy-updater.ts): tfjs runs here, off the thread that drives
// generation, and answers the parent's update/export requests one at a time.
import {parentPort} from 'node:worker_threads'
import {servePolicyUpdater} from './policy-updater.js'

if (!parentPort) throw new Error('trainer-worker.js runs as a worker thread (new Worker(...)), not as a script')
servePolicyUpdater(parentPort)
