// `--resume`: the ids already in an append-only trajectory file. A last line cut by a killed writer is cut
// off (the file then ends at the last complete record) so appending never glues two records together.
import {existsSync, readFileSync, truncateSync} from 'node:fs'
import {DataError} from '../core/index.js'

export interface ResumeState {
  ids: Set<string>
  /** Bytes removed from the end (a partial last line), 0 when the file was clean. */
  repairedBytes: number
}

export function readDoneIds(path: string): ResumeState {
  const ids = new Set<string>()
  if (!existsSync(path)) return {ids, repairedBytes: 0}
  const data = readFileSync(path)
  let end = data.length
  let repairedBytes = 0
  if (end > 0 && data[end - 1] !== 10) {
    const last = data.lastIndexOf(10)
    end = last + 1
    repairedBytes = data.length - end
    truncateSync(path, end)
  }
  const text = data.subarray(0, end).toString('utf8')
  let line = 0
  for (const row of text.split('\n')) {
    line++
    if (!row.trim()) continue
    let value: {id?: unknown}
    try {
      value = JSON.parse(row) as {id?: unknown}
    } catch (error) {
      throw new DataError(`malformed JSON in the output being resumed (${(error as Error).message})`, {where: `${path}:${line}`, code: 'resume', fix: 'Remove that line, or write to a new --out file.'})
    }
    if (typeof value?.id !== 'string') throw new DataError('a record without a string "id" in the output being resumed', {where: `${path}:${line}`, code: 'resume', fix: 'Resume only files written by ars rollout.'})
    ids.add(value.id)
  }
  return {ids, repairedBytes}
}
