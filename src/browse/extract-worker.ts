// Worker-thread entry for extraction: parses and extracts one page per message, so a hostile page (deep nesting,
// millions of tiny tags) can be stopped by the parent — terminated at its deadline or killed by its heap limit —
// without stalling the process that reads it.
import {parentPort} from 'node:worker_threads'
import {extractHtml, type DomEngine} from './extract.js'

export interface ExtractJob {
  id: number
  html: string
  url: string
  engine: DomEngine | undefined
}

export type ExtractReply = {id: number; ok: true; extracted: Awaited<ReturnType<typeof extractHtml>>} | {id: number; ok: false; message: string}

parentPort?.on('message', (job: ExtractJob) => {
  extractHtml(job.html, job.url, {engine: job.engine}).then(
    (extracted) => parentPort!.postMessage({id: job.id, ok: true, extracted} satisfies ExtractReply),
    (error: unknown) => parentPort!.postMessage({id: job.id, ok: false, message: error instanceof Error ? `${error.name}: ${error.message}` : String(error)} satisfies ExtractReply),
  )
})
