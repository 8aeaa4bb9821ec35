// The process's one stdout policy: a closed pipe (`ars … | head -1`) is a normal end, exit 0, not a crash.

let installed = false

export function exitCleanlyOnEpipe(stream: NodeJS.WriteStream = process.stdout): void {
  if (installed) return
  installed = true
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(0)
    throw error
  })
}

/**
 * End a file output and wait until its descriptor is closed; a write error (disk full) is thrown, not swallowed.
 * stdout is left open (writeJsonl already waited for its last write). Safe to call twice.
 */
export async function closeOutput(out: NodeJS.WritableStream & {closed?: boolean; destroyed?: boolean; errored?: Error | null}): Promise<void> {
  if (out === process.stdout || out === process.stderr) return
  if (out.errored) throw out.errored
  if (out.closed || out.destroyed) return
  await new Promise<void>((resolve, reject) => {
    const onClose = (): void => {
      out.off('error', onError)
      resolve()
    }
    const onError = (error: Error): void => {
      out.off('close', onClose)
      reject(error)
    }
    out.once('close', onClose)
    out.once('error', onError)
    out.end()
  })
}
