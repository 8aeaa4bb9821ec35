// Worker threads that run the calculator and the code tool away from the event loop: a job that overruns its
// deadline (plus a grace period) has its worker terminated and gets a clear error, and a crashed worker is
// replaced on the next job, so no expression or program can stall or crash the host. Workers are unref'd: an
// idle pool never keeps a command alive.
import {Worker} from 'node:worker_threads'
import type {CodeLimits} from './code-sandbox.js'

export type SandboxJob = {id: number; tool: 'calculator'; input: string; limits?: undefined} | {id: number; tool: 'code'; input: string; limits: CodeLimits}
export type SandboxReply = {id: number; ok: true; text: string} | {id: number; ok: false; error: string} | {id: number; started: true}

/** How long a worker may take to load its engine before the job's own deadline starts. */
const LOAD_TIMEOUT_MS = 60_000

export interface SandboxPoolOptions {
  /** Worker threads (default 2). */
  size?: number
  /** V8 heap of each worker in MiB (default 256): the calculator's cap; QuickJS's own limit caps code. */
  heapMb?: number
}

interface Slot {
  worker: Worker
  busy: boolean
}

interface Pending {
  job: Omit<SandboxJob, 'id'>
  killAfterMs: number
  resolve: (text: string) => void
  reject: (error: Error) => void
  signal?: AbortSignal | undefined
}

export class SandboxPool {
  readonly size: number
  readonly heapMb: number
  #slots: Slot[] = []
  #queue: Pending[] = []
  #nextId = 1
  #closed = false

  constructor(options: SandboxPoolOptions = {}) {
    this.size = options.size ?? 2
    this.heapMb = options.heapMb ?? 256
    if (!Number.isInteger(this.size) || this.size < 1) throw new RangeError(`Expected size to be a positive integer, got ${this.size}`)
    if (!Number.isInteger(this.heapMb) || this.heapMb < 16) throw new RangeError(`Expected heapMb to be an integer ≥ 16, got ${this.heapMb}`)
  }

  /** Runs one job; rejects with the tool's error text, or a timeout/crash message, never hangs past `killAfterMs`. */
  run(job: Omit<SandboxJob, 'id'>, killAfterMs: number, signal?: AbortSignal): Promise<string> {
    if (this.#closed) return Promise.reject(new Error('the sandbox is closed'))
    return new Promise((resolve, reject) => {
      this.#queue.push({job, killAfterMs, resolve, reject, signal})
      this.#pump()
    })
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((s) => !s.busy)
      if (!slot && this.#slots.length < this.size) slot = this.#spawn()
      if (!slot) return
      const pending = this.#queue.shift() as Pending
      if (pending.signal?.aborted) {
        pending.reject(pending.signal.reason instanceof Error ? pending.signal.reason : new Error('aborted'))
        continue
      }
      this.#start(slot, pending)
    }
  }

  #spawn(): Slot {
    const worker = new Worker(new URL('./sandbox-worker.js', import.meta.url), {resourceLimits: {maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4}, stdout: true, stderr: true})
    worker.unref()
    // Anything the engine prints stays out of the command's stdout (JSONL only).
    worker.stdout.resume()
    worker.stderr.resume()
    const slot: Slot = {worker, busy: false}
    this.#slots.push(slot)
    return slot
  }

  #remove(slot: Slot): void {
    this.#slots = this.#slots.filter((s) => s !== slot)
    void slot.worker.terminate()
  }

  #start(slot: Slot, pending: Pending): void {
    slot.busy = true
    const id = this.#nextId++
    let done = false
    const finish = (outcome: {text: string} | {error: Error}, replace: boolean): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      slot.worker.off('message', onMessage)
      slot.worker.off('error', onError)
      slot.worker.off('exit', onExit)
      pending.signal?.removeEventListener('abort', onAbort)
      if (replace) this.#remove(slot)
      else slot.busy = false
      if ('text' in outcome) pending.resolve(outcome.text)
      else pending.reject(outcome.error)
      this.#pump()
    }
    const onMessage = (reply: SandboxReply): void => {
      if (reply.id !== id) return
      if ('started' in reply) {
        clearTimeout(timer)
        timer = setTimeout(() => finish({error: new Error(`it did not finish within ${pending.killAfterMs} ms, so its sandbox was stopped`)}, true), pending.killAfterMs)
        return
      }
      finish(reply.ok ? {text: reply.text} : {error: new Error(reply.error)}, false)
    }
    const onError = (error: Error): void => {
      const memory = (error as {code?: string}).code === 'ERR_WORKER_OUT_OF_MEMORY'
      finish({error: new Error(memory ? `it ran out of memory (the sandbox allows ${this.heapMb} MiB)` : `the sandbox crashed: ${error.message}`)}, true)
    }
    const onExit = (code: number): void => finish({error: new Error(`the sandbox stopped (exit code ${code})`)}, true)
    const onAbort = (): void => finish({error: pending.signal?.reason instanceof Error ? pending.signal.reason : new Error('aborted')}, true)
    let timer = setTimeout(() => finish({error: new Error(`the sandbox did not start within ${LOAD_TIMEOUT_MS} ms`)}, true), LOAD_TIMEOUT_MS)
    slot.worker.on('message', onMessage)
    slot.worker.on('error', onError)
    slot.worker.on('exit', onExit)
    pending.signal?.addEventListener('abort', onAbort, {once: true})
    slot.worker.postMessage({...pending.job, id})
  }

  /** Terminates every worker; queued jobs are rejected. */
  async close(): Promise<void> {
    this.#closed = true
    for (const p of this.#queue.splice(0)) p.reject(new Error('the sandbox is closed'))
    await Promise.all(this.#slots.splice(0).map((s) => s.worker.terminate()))
  }
}
