// `--rejects FILE`: an append-only JSONL file of `{record, reasons}` lines, written as records are rejected
// (waits for drain, so a flood of rejects cannot buffer without bound). Also used by `ars synthesize`.
import {createWriteStream, type WriteStream} from 'node:fs'
import {once} from 'node:events'
import {UsageError} from '../core/index.js'

export class JsonlAppender {
  readonly path: string
  readonly #stream: WriteStream
  #error: Error | undefined
  count = 0

  /** `append` keeps what the file holds (for --resume); otherwise the file is truncated. */
  constructor(path: string, options: {append?: boolean} = {}) {
    this.path = path
    this.#stream = createWriteStream(path, {flags: options.append ? 'a' : 'w'})
    this.#stream.on('error', (error) => {
      this.#error = error
    })
  }

  /** Resolves once the file is open, or throws a UsageError naming the path. */
  async ready(): Promise<this> {
    if (this.#stream.pending) {
      await new Promise<void>((resolve) => {
        this.#stream.once('ready', () => resolve())
        this.#stream.once('error', () => resolve())
      })
    }
    this.#throwIfFailed()
    return this
  }

  #throwIfFailed(): void {
    if (this.#error) throw new UsageError(`${this.path}: cannot write (${(this.#error as NodeJS.ErrnoException).code ?? this.#error.message})`, {code: 'output-unwritable', fix: 'Check that the directory exists and is writable.'})
  }

  async write(value: unknown): Promise<void> {
    this.#throwIfFailed()
    this.count++
    if (!this.#stream.write(JSON.stringify(value) + '\n')) await once(this.#stream, 'drain')
  }

  async close(): Promise<void> {
    if (this.#stream.closed) return
    this.#stream.end()
    await once(this.#stream, 'close').catch(() => undefined)
    this.#throwIfFailed()
  }
}
