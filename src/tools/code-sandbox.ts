// The `code` tool's engine: model-written JavaScript run in QuickJS compiled to WebAssembly (quickjs-emscripten).
// The guest sees only the ECMAScript built-ins and a `console` that writes to a capped buffer: QuickJS here has
// no std/os modules, no module loader, no fetch, no process/require, and its memory is the wasm instance's own.
// Each run gets a fresh runtime with a memory limit, a stack limit and an interrupt deadline; sandbox-pool.ts
// adds a worker thread the host terminates when even that does not stop it. Decision 0603 says what was verified.
import type {QuickJSContext, QuickJSHandle, QuickJSWASMModule} from 'quickjs-emscripten-core'

export interface CodeLimits {
  /** Wall-clock deadline checked by QuickJS's interrupt handler (default 5000 ms). */
  timeoutMs: number
  /** Heap the guest may allocate (default 64 MiB). */
  memoryBytes: number
  /** Guest stack (default 256 KiB; below the host's own wasm stack, so deep recursion is a guest error). */
  stackBytes: number
  /** Characters of printed output kept (default 8000). */
  outputChars: number
}

export const DEFAULT_CODE_LIMITS: Readonly<CodeLimits> = {timeoutMs: 5000, memoryBytes: 64 * 1024 * 1024, stackBytes: 256 * 1024, outputChars: 8000}
export const MAX_PROGRAM_CHARS = 50_000

/** An error the host process cannot recover from in this thread (the wasm instance may be corrupt): the worker exits. */
export class SandboxFatalError extends Error {}

let engine: Promise<QuickJSWASMModule> | undefined

/** Loads the QuickJS wasm module once per thread. */
export function loadQuickJs(): Promise<QuickJSWASMModule> {
  return quickjs()
}

function quickjs(): Promise<QuickJSWASMModule> {
  engine ??= Promise.all([import('quickjs-emscripten-core'), import('@jitl/quickjs-wasmfile-release-sync')]).then(([core, variant]) => core.newQuickJSWASMModuleFromVariant(variant.default as unknown as Parameters<typeof core.newQuickJSWASMModuleFromVariant>[0]))
  return engine
}

/** Installed first in every context: console/print write through a host function; returns the value formatter. */
const PRELUDE = `(() => {
  const write = globalThis.__write
  delete globalThis.__write
  const fmt = (v, depth) => {
    if (typeof v === 'string') return depth ? JSON.stringify(v) : v
    if (typeof v === 'bigint') return v + 'n'
    if (typeof v === 'function') return '[Function ' + (v.name || 'anonymous') + ']'
    if (typeof v === 'symbol') return v.toString()
    if (v === null || typeof v !== 'object') return String(v)
    if (v instanceof Error) return v.name + ': ' + v.message
    if (depth > 4) return Array.isArray(v) ? '[Array]' : '[Object]'
    if (Array.isArray(v)) return '[' + v.slice(0, 200).map((x) => fmt(x, depth + 1)).join(', ') + (v.length > 200 ? ', … ' + (v.length - 200) + ' more' : '') + ']'
    if (v instanceof Map) return 'Map {' + [...v].slice(0, 200).map(([k, x]) => fmt(k, depth + 1) + ' => ' + fmt(x, depth + 1)).join(', ') + '}'
    if (v instanceof Set) return 'Set {' + [...v].slice(0, 200).map((x) => fmt(x, depth + 1)).join(', ') + '}'
    if (v instanceof Date) return v.toISOString()
    return '{' + Object.entries(v).slice(0, 200).map(([k, x]) => k + ': ' + fmt(x, depth + 1)).join(', ') + '}'
  }
  const log = (...args) => write(args.map((x) => fmt(x, 0)).join(' '))
  globalThis.console = {log, info: log, warn: log, error: log, debug: log}
  globalThis.print = log
  return (v) => fmt(v, 1)
})()`

/** Runs `code`; resolves to the text the model sees, or rejects with an Error whose message is for the model. */
export async function runJavaScript(code: string, limits: Partial<CodeLimits> = {}): Promise<string> {
  const l: CodeLimits = {...DEFAULT_CODE_LIMITS, ...limits}
  if (!code.trim()) throw new Error('empty program')
  if (code.length > MAX_PROGRAM_CHARS) throw new Error(`program is ${code.length} characters; at most ${MAX_PROGRAM_CHARS}`)
  const module = await quickjs()
  const runtime = module.newRuntime()
  runtime.setMemoryLimit(l.memoryBytes)
  runtime.setMaxStackSize(l.stackBytes)
  const deadline = Date.now() + l.timeoutMs
  let timedOut = false
  runtime.setInterruptHandler(() => (timedOut = Date.now() > deadline))
  const context = runtime.newContext()
  const output: string[] = []
  let kept = 0
  let cut = false
  const collect = (line: string): void => {
    if (cut) return
    if (kept + line.length + 1 > l.outputChars) {
      output.push(line.slice(0, Math.max(0, l.outputChars - kept)))
      cut = true
      return
    }
    output.push(line)
    kept += line.length + 1
  }
  try {
    const write = context.newFunction('__write', (text: QuickJSHandle) => {
      collect(context.getString(text))
    })
    context.setProp(context.global, '__write', write)
    write.dispose()
    const formatter = context.unwrapResult(context.evalCode(PRELUDE, 'prelude.js'))
    try {
      let result: {value: string | undefined} | {error: string}
      try {
        result = settle(context, formatter, context.evalCode(code, 'program.js'))
        if ('value' in result && result.value === PENDING) result = {error: 'the program left a promise pending (there is no event loop: timers and I/O never complete)'}
      } catch (error) {
        // A trap of the wasm instance itself (e.g. the host's stack): this thread's QuickJS is not safe to reuse.
        throw new SandboxFatalError(`the sandbox failed: ${(error as Error).message}`)
      }
      const printed = output.join('\n') + (cut ? `\n… [output cut at ${l.outputChars} characters]` : '')
      if ('error' in result) {
        const reason = timedOut ? `the program ran past its ${l.timeoutMs} ms time limit` : result.error
        throw new Error(printed ? `${reason}\nOutput before the error:\n${printed}` : reason)
      }
      const parts = [printed, result.value === undefined ? '' : `=> ${result.value}`].filter(Boolean)
      return parts.length ? parts.join('\n') : '(no output: print with console.log, or end the program with an expression)'
    } finally {
      formatter.dispose()
    }
  } finally {
    context.dispose()
    runtime.dispose()
  }
}

const PENDING = '\u0000pending'

/** The program's completion value (settled if it is a promise), formatted by the guest; or its error. */
function settle(context: QuickJSContext, formatter: QuickJSHandle, evaluated: ReturnType<QuickJSContext['evalCode']>): {value: string | undefined} | {error: string} {
  if (evaluated.error) {
    const error = describe(context, evaluated.error)
    evaluated.error.dispose()
    return {error}
  }
  let handle = evaluated.value
  try {
    if (context.typeof(handle) === 'object' && isPromise(context, handle)) {
      const jobs = context.runtime.executePendingJobs()
      if (jobs.error) jobs.error.dispose()
      const state = context.getPromiseState(handle)
      if (state.type === 'pending') return {value: PENDING}
      if (state.type === 'rejected') {
        const error = describe(context, state.error)
        state.error.dispose()
        return {error}
      }
      if (state.notAPromise) return formatValue(context, formatter, handle)
      handle.dispose()
      handle = state.value
    }
    return formatValue(context, formatter, handle)
  } finally {
    if (handle.alive) handle.dispose()
  }
}

function isPromise(context: QuickJSContext, handle: QuickJSHandle): boolean {
  const check = context.evalCode('(v) => v instanceof Promise', 'check.js')
  if (check.error) {
    check.error.dispose()
    return false
  }
  const r = context.callFunction(check.value, context.undefined, handle)
  check.value.dispose()
  if (r.error) {
    r.error.dispose()
    return false
  }
  const yes = context.dump(r.value) === true
  r.value.dispose()
  return yes
}

function formatValue(context: QuickJSContext, formatter: QuickJSHandle, handle: QuickJSHandle): {value: string | undefined} | {error: string} {
  if (context.typeof(handle) === 'undefined') return {value: undefined}
  const r = context.callFunction(formatter, context.undefined, handle)
  if (r.error) {
    const error = describe(context, r.error)
    r.error.dispose()
    return {error}
  }
  const text = context.getString(r.value)
  r.value.dispose()
  return {value: text}
}

/** "Name: message (line N)" from a guest error. */
function describe(context: QuickJSContext, error: QuickJSHandle): string {
  const e = context.dump(error) as {name?: unknown; message?: unknown; stack?: unknown} | null | undefined
  if (e && typeof e === 'object' && 'message' in e) {
    const line = typeof e.stack === 'string' ? /program\.js:(\d+)/.exec(e.stack)?.[1] : undefined
    return `${typeof e.name === 'string' ? e.name : 'Error'}: ${String(e.message)}${line ? ` (line ${line})` : ''}`
  }
  return `uncaught ${JSON.stringify(e) ?? String(e)}`
}
