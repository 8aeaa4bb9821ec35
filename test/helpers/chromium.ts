// Opens a page in a real headless Chromium and evaluates an expression in it, over the DevTools protocol on a
// pipe (--remote-debugging-pipe: no port, no network). Tests of the HTML reports use it to check what a reader's
// browser actually renders; when no Chromium is installed they skip and say how to get one.
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {delimiter, join} from 'node:path'
import type {Readable, Writable} from 'node:stream'

const NAMES = ['chromium-headless-shell', 'chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'headless_shell']

/** $ARS_CHROMIUM, else the first Chromium on PATH; undefined when none. */
export function findChromium(): string | undefined {
  const fromEnv = process.env.ARS_CHROMIUM
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of NAMES) if (dir && existsSync(join(dir, name))) return join(dir, name)
  }
  return undefined
}

export const NO_CHROMIUM = 'no headless Chromium found (install one, e.g. `apt-get install chromium-headless-shell`, or set ARS_CHROMIUM=/path/to/chrome)'

export interface PageResult<T> {
  value: T
  /** Uncaught exceptions and console errors the page produced. */
  errors: string[]
}

/** Loads `url`, waits for its load event, evaluates `expression` (may return a promise) and returns its JSON value. */
export async function evaluateInChromium<T>(binary: string, url: string, expression: string, timeoutMs = 30_000): Promise<PageResult<T>> {
  const child = spawn(binary, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--remote-debugging-pipe', '--window-size=1400,1000', 'about:blank'], {stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe']})
  const toBrowser = child.stdio[3] as Writable
  const fromBrowser = child.stdio[4] as Readable
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
  const pending = new Map<number, {resolve: (v: unknown) => void; reject: (e: Error) => void}>()
  const errors: string[] = []
  let buffered = ''
  let loaded: () => void = () => {}
  const loadFired = new Promise<void>((resolve) => (loaded = resolve))
  fromBrowser.on('data', (d: Buffer) => {
    buffered += d.toString('utf8')
    let end
    while ((end = buffered.indexOf('\0')) >= 0) {
      const message = JSON.parse(buffered.slice(0, end)) as {id?: number; result?: unknown; error?: {message: string}; method?: string; params?: Record<string, unknown>}
      buffered = buffered.slice(end + 1)
      if (message.id !== undefined) {
        const waiter = pending.get(message.id)
        pending.delete(message.id)
        if (message.error) waiter?.reject(new Error(message.error.message))
        else waiter?.resolve(message.result)
      } else if (message.method === 'Page.loadEventFired') {
        loaded()
      } else if (message.method === 'Runtime.exceptionThrown') {
        errors.push(JSON.stringify((message.params as {exceptionDetails?: unknown}).exceptionDetails))
      } else if (message.method === 'Log.entryAdded') {
        const entry = (message.params as {entry: {level: string; text: string; url?: string}}).entry
        if (entry.level === 'error') errors.push(`${entry.text}${entry.url ? ` (${entry.url})` : ''}`)
      }
    }
  })
  let nextId = 0
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<unknown> => new Promise((resolve, reject) => {
    const id = ++nextId
    pending.set(id, {resolve, reject})
    toBrowser.write(`${JSON.stringify({id, method, params, ...(sessionId ? {sessionId} : {})})}\0`)
  })
  const exited = new Promise<never>((_, reject) => child.on('exit', (code) => reject(new Error(`chromium exited (${code}) before answering: ${stderr.slice(-2000)}`))))
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  try {
    const work = (async () => {
      const {targetId} = (await send('Target.createTarget', {url: 'about:blank'})) as {targetId: string}
      const {sessionId} = (await send('Target.attachToTarget', {targetId, flatten: true})) as {sessionId: string}
      await send('Runtime.enable', {}, sessionId)
      await send('Log.enable', {}, sessionId)
      await send('Page.enable', {}, sessionId)
      await send('Page.navigate', {url}, sessionId)
      await loadFired
      const result = (await send('Runtime.evaluate', {expression, awaitPromise: true, returnByValue: true}, sessionId)) as {result: {value: T}; exceptionDetails?: unknown}
      if (result.exceptionDetails) throw new Error(`evaluation failed: ${JSON.stringify(result.exceptionDetails)}`)
      await send('Browser.close').catch(() => {})
      return {value: result.result.value, errors}
    })()
    return await Promise.race([work, exited])
  } finally {
    clearTimeout(timer)
    if (child.exitCode === null) child.kill('SIGKILL')
  }
}
