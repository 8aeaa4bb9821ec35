// Draws library progress events on stderr: cli-progress bars when stderr is a TTY, otherwise a plain line per
// task every `intervalMs` and when it ends. Commands create one; library code only sees the callback.
import cliProgress from 'cli-progress'
import type {ProgressCallback, ProgressEvent} from '../core/index.js'

export interface ProgressDrawerOptions {
  stream?: NodeJS.WriteStream
  /** Force bar (true) or plain lines (false); default: bars when the stream is a TTY. */
  tty?: boolean
  /** Plain-line period. */
  intervalMs?: number
  /** Draw nothing but warnings. */
  quiet?: boolean
  now?: () => number
}

interface TaskState {
  done: number
  total: number | undefined
  unit: string
  lastPrint: number
  started: number
  bar?: cliProgress.SingleBar
}

export class ProgressDrawer {
  readonly #stream: NodeJS.WriteStream
  readonly #tty: boolean
  readonly #interval: number
  readonly #quiet: boolean
  readonly #now: () => number
  readonly #tasks = new Map<string, TaskState>()
  #multi: cliProgress.MultiBar | undefined

  constructor(options: ProgressDrawerOptions = {}) {
    this.#stream = options.stream ?? process.stderr
    this.#tty = options.tty ?? Boolean(this.#stream.isTTY)
    this.#interval = options.intervalMs ?? 10_000
    this.#quiet = options.quiet ?? false
    this.#now = options.now ?? Date.now
  }

  readonly callback: ProgressCallback = (event) => this.#handle(event)

  #handle(event: ProgressEvent): void {
    if (event.kind === 'log') {
      if (!this.#quiet || event.level === 'warn') this.#line(`${event.level === 'warn' ? 'warning: ' : ''}${event.message}`)
      return
    }
    if (this.#quiet) return
    const now = this.#now()
    let task = this.#tasks.get(event.label)
    if (event.kind === 'start' || !task) {
      task = {done: 0, total: event.kind === 'start' ? event.total : undefined, unit: (event.kind === 'start' && event.unit) || 'items', lastPrint: now, started: now}
      this.#tasks.set(event.label, task)
      if (this.#tty) {
        this.#multi ??= new cliProgress.MultiBar({
          stream: this.#stream,
          clearOnComplete: false,
          hideCursor: true,
          format: ' {label} |{bar}| {value}/{total} {unit} {eta_formatted} {detail}',
          etaBuffer: 50,
        }, cliProgress.Presets.shades_classic)
        task.bar = this.#multi.create(task.total ?? 0, 0, {label: event.label, unit: task.unit, detail: ''})
      }
      if (event.kind === 'start') return
    }
    switch (event.kind) {
      case 'total':
        task.total = event.total
        task.bar?.setTotal(event.total)
        break
      case 'advance':
        task.done += event.by ?? 1
        if (task.bar) task.bar.update(task.done, {detail: event.detail ?? ''})
        else if (now - task.lastPrint >= this.#interval) {
          task.lastPrint = now
          this.#line(this.#status(event.label, task, now))
        }
        break
      case 'done':
        if (task.bar) {
          task.bar.update(task.done)
          task.bar.stop()
        }
        this.#line(`${event.label}: done, ${task.done} ${task.unit} in ${((now - task.started) / 1000).toFixed(1)}s${event.summary ? ` — ${event.summary}` : ''}`)
        this.#tasks.delete(event.label)
        if (this.#tasks.size === 0) this.stop()
        break
    }
  }

  #status(label: string, task: TaskState, now: number): string {
    const secs = (now - task.started) / 1000
    const rate = secs > 0 ? task.done / secs : 0
    const of = task.total === undefined ? '' : `/${task.total}`
    // Slow work (training steps) reads better as seconds per unit than as 0.0/s.
    const speed = rate >= 0.95 || task.done === 0 ? `${rate.toFixed(1)}/s` : `${(secs / task.done).toFixed(1)} s each`
    return `${label}: ${task.done}${of} ${task.unit} (${speed})`
  }

  #line(text: string): void {
    if (this.#multi) this.#multi.log(`${text}\n`)
    else this.#stream.write(`${text}\n`)
  }

  stop(): void {
    this.#multi?.stop()
    this.#multi = undefined
  }
}
