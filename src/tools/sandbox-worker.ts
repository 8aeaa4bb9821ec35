// The sandbox worker thread: runs calculator expressions and model-written code for sandbox-pool.ts, one job at
// a time. Loaded only as a worker; a fatal wasm failure ends the thread so the pool starts a clean one.
import {parentPort} from 'node:worker_threads'
import type {SandboxJob, SandboxReply} from './sandbox-pool.js'

const port = parentPort
if (!port) throw new Error('sandbox-worker.js runs only as a worker thread')

let calculator: ((expression: string) => string) | undefined

port.on('message', async (job: SandboxJob) => {
  let reply: SandboxReply
  let fatal = false
  try {
    // The deadline starts once the engine is loaded (`started`): a cold start on a busy machine is not the job's time.
    if (job.tool === 'calculator') {
      calculator ??= (await import('./calculator.js')).createCalculator()
      port.postMessage({id: job.id, started: true})
      reply = {id: job.id, ok: true, text: calculator(job.input)}
    } else {
      const {runJavaScript, loadQuickJs} = await import('./code-sandbox.js')
      await loadQuickJs()
      port.postMessage({id: job.id, started: true})
      reply = {id: job.id, ok: true, text: await runJavaScript(job.input, job.limits)}
    }
  } catch (error) {
    fatal = (error as Error)?.constructor?.name === 'SandboxFatalError'
    reply = {id: job.id, ok: false, error: (error as Error)?.message ?? String(error)}
  }
  port.postMessage(reply)
  if (fatal) process.exit(1)
})
