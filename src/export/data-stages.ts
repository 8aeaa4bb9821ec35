// The record-stream stages behind `ars export --format sft-jsonl|verl|areal`: trajectories → SftExamples (with the
// reasons episodes were left out), questions → verl rows and AReaL rows.
import type {Question} from '../core/index.js'
import type {SftExample} from '../core/index.js'
import type {Trajectory} from '../core/index.js'
import {arealRow, type ArealRow} from './areal.js'
import {trajectoryToSft, type SkipReason, type TrajectoryToSftOptions} from './trajectory-to-sft.js'
import {verlRow, type VerlRow} from './verl.js'

export interface SftExportStats {
  read: number
  written: number
  skipped: Partial<Record<SkipReason, number>>
}

export async function* sftExamples(trajectories: AsyncIterable<Trajectory>, options: TrajectoryToSftOptions, stats: SftExportStats): AsyncGenerator<SftExample> {
  for await (const t of trajectories) {
    stats.read++
    const out = trajectoryToSft(t, options)
    if (out.kind === 'skip') {
      stats.skipped[out.reason] = (stats.skipped[out.reason] ?? 0) + 1
      continue
    }
    stats.written++
    yield out.example
  }
}

/** verl numbers rows per split (extra_info.index), as Search-R1's data scripts do. */
export async function collectVerlRows(questions: AsyncIterable<Question>): Promise<VerlRow[]> {
  const rows: VerlRow[] = []
  const perSplit = new Map<string, number>()
  for await (const q of questions) {
    const split = q.split ?? 'train'
    const index = perSplit.get(split) ?? 0
    perSplit.set(split, index + 1)
    rows.push(verlRow(q, index))
  }
  return rows
}

export async function* arealRows(questions: AsyncIterable<Question>): AsyncGenerator<ArealRow> {
  for await (const q of questions) yield arealRow(q)
}
