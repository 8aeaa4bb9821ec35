// Bounded extraction: HTML is parsed and extracted in worker threads with a heap limit and a deadline, so the
// page budget covers parsing as well as the download. A worker past its deadline is terminated and replaced; one
// that runs out of heap dies alone. Idle workers are unref'd, so a pool never keeps a command alive.
import {Worker} from 'node:worker_threads'
import type {DomEngine, Extracted} from './extract.js'
import type {ExtractJob, ExtractReply} from './extract-worker.js'

export interface ExtractPoolOptions {
  /** Workers kept; jobs beyond that wait their turn (the wait counts against their deadline). Default 2. */
  size?: number
  /** Old-generation heap per worker, MiB. Default 512. */
  maxHeapMb?: number
}

/** Why a job did not produce a result. */
export class ExtractBudgetError extends Error {
  readonly reason: 'deadline' | 'memory' | 'failed' | 'aborted'
  constructor(reason: ExtractBudgetError['reason'], message: string) {
    super(message)
    this.name = 'ExtractBudgetError'
    this.reason = reason
  }
}

interface Pending {
  job: ExtractJob
  deadline: number
  signal: AbortSignal | undefined
  resolve: (value: Extracted) => void
  reject: (error: Error) => void
}

interface Slot {
  worker: Worker
  busy: Pending | undefined
}

export const EXTRACT_POOL_DEFAULTS = {size: 2, maxHeapMb: 512} as const

export class ExtractPool {
  readonly #size: number
  readonly #maxHeapMb: number
  readonly #slots = new Set<Slot>()
  readonly #queue: Pending[] = []
  #nextId = 1

  constructor(options: ExtractPoolOptions = {}) {
    this.#size = Math.max(1, options.size ?? EXTRACT_POOL_DEFAULTS.size)
    this.#maxHeapMb = options.maxHeapMb ?? EXTRACT_POOL_DEFAULTS.maxHeapMb
  }

  /** Extract `html` within `deadline` (a Date.now() time); rejects with ExtractBudgetError when it cannot. */
  extract(html: string, url: string, engine: DomEngine | undefined, deadline: number, signal?: AbortSignal): Promise<Extracted> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new ExtractBudgetError('aborted', 'read cancelled'))
      this.#queue.push({job: {id: this.#nextId++, html, url, engine}, deadline, signal, resolve, reject})
      this.#pump()
    })
  }

  /** Terminate every worker (pending jobs are rejected). */
  async close(): Promise<void> {
    for (const pending of this.#queue.splice(0)) pending.reject(new ExtractBudgetError('aborted', 'extraction pool closed'))
    await Promise.all([...this.#slots].map((slot) => this.#retire(slot, new ExtractBudgetError('aborted', 'extraction pool closed'))))
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      let slot = [...this.#slots].find((s) => !s.busy)
      if (!slot && this.#slots.size < this.#size) slot = this.#spawn()
      if (!slot) return
      const pending = this.#queue.shift()!
      const left = pending.deadline - Date.now()
      if (left <= 0) {
        pending.reject(new ExtractBudgetError('deadline', 'no time left in the page budget to parse it'))
        continue
      }
      this.#run(slot, pending, left)
    }
  }

  #spawn(): Slot {
    const worker = new Worker(new URL('./extract-worker.js', import.meta.url), {resourceLimits: {maxOldGenerationSizeMb: this.#maxHeapMb}})
    const slot: Slot = {worker, busy: undefined}
    worker.unref()
    worker.on('message', (reply: ExtractReply) => {
      const pending = slot.busy
      if (!pending || pending.job.id !== reply.id) return
      this.#finish(slot)
      if (reply.ok) pending.resolve(reply.extracted)
      else pending.reject(new ExtractBudgetError('failed', reply.message))
    })
    worker.on('error', (error: Error & {code?: string}) => {
      const pending = slot.busy
      this.#slots.delete(slot)
      slot.busy = undefined
      const memory = error.code === 'ERR_WORKER_OUT_OF_MEMORY'
      pending?.reject(new ExtractBudgetError(memory ? 'memory' : 'failed', memory ? `parsing it needed more than ${this.#maxHeapMb} MiB` : error.message))
      this.#pump()
    })
    worker.on('exit', () => {
      if (this.#slots.delete(slot) && slot.busy) {
        slot.busy.reject(new ExtractBudgetError('failed', 'the extraction worker stopped'))
        slot.busy = undefined
      }
      this.#pump()
    })
    this.#slots.add(slot)
    return slot
  }

  #run(slot: Slot, pending: Pending, left: number): void {
    slot.busy = pending
    slot.worker.ref() // a job in flight keeps the process alive; an idle worker does not
    const stop = (error: ExtractBudgetError): void => {
      if (slot.busy !== pending) return
      void this.#retire(slot, error)
    }
    const timer = setTimeout(() => stop(new ExtractBudgetError('deadline', `parsing and extraction did not finish within the page budget`)), left)
    const onAbort = (): void => stop(new ExtractBudgetError('aborted', 'read cancelled'))
    pending.signal?.addEventListener('abort', onAbort, {once: true})
    const settle = <T,>(fn: (value: T) => void) => (value: T): void => {
      clearTimeout(timer)
      pending.signal?.removeEventListener('abort', onAbort)
      fn(value)
    }
    pending.resolve = settle(pending.resolve)
    pending.reject = settle(pending.reject)
    slot.worker.postMessage(pending.job)
  }

  #finish(slot: Slot): void {
    slot.busy = undefined
    slot.worker.unref()
    queueMicrotask(() => this.#pump())
  }

  async #retire(slot: Slot, error: ExtractBudgetError): Promise<void> {
    const pending = slot.busy
    slot.busy = undefined
    this.#slots.delete(slot)
    pending?.reject(error)
    await slot.worker.terminate()
    this.#pump()
  }
}

let shared: ExtractPool | undefined
/** The process-wide pool the page readers share (workers are cheap to keep, costly to start). */
export function sharedExtractPool(): ExtractPool {
  shared ??= new ExtractPool()
  return shared
}
