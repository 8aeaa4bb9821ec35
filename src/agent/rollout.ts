// Rollout: questions × samples → agent episodes through the one episode scheduler (src/core/episodes.ts: p-queue,
// backpressure, input order or as completed, resume skips, stop and abort), counting what was written.
import {ProgressTask, runEpisodes, trajectoryId, type ProgressCallback} from '../core/index.js'
import type {Question} from '../core/index.js'
import type {Trajectory} from '../core/index.js'
import {runEpisode, type EpisodeOptions} from './loop.js'

/** Runs one episode; the default is the agent loop (`runEpisode`), the world oracle is another. */
export type EpisodeRunner = (question: Question, options: {sampleIndex: number; seed: number; signal: AbortSignal}) => Promise<Trajectory>

export interface RolloutOptions extends Omit<EpisodeOptions, 'sampleIndex' | 'seed' | 'signal'> {
  /** Replaces the agent loop (e.g. the world oracle); model/tools options are then unused. */
  episode?: EpisodeRunner
  /** Samples per question (default 1). */
  samples?: number
  /** Episodes in flight (default 8). */
  concurrency?: number
  /** Base seed; each episode samples with a seed derived from (seed, question id, sample index). */
  seed?: number
  /** Write in input order (default true); false writes each trajectory as it completes. */
  ordered?: boolean
  /** In ordered mode, how far ahead of the oldest unfinished episode new ones may start (default 4 × concurrency). */
  reorderWindow?: number
  /** Trajectory ids (`question_id#sample`) to skip, e.g. those already in the output. */
  skip?: ReadonlySet<string>
  /** Stop taking new episodes; in-flight ones finish and are written. */
  stopSignal?: AbortSignal
  /** Cancel in-flight episodes; they are dropped. */
  abortSignal?: AbortSignal
  progress?: ProgressCallback
}

export interface RolloutSummary {
  started: number
  written: number
  skipped: number
  abandoned: number
  rewardSum: number
  rewarded: number
}

/** The summary a caller prints after the output is flushed and closed: `written` is what reached the output. */
export function rolloutDoneText(summary: RolloutSummary): string {
  return `${summary.written} written${summary.skipped ? `, ${summary.skipped} skipped (resume)` : ''}${summary.abandoned ? `, ${summary.abandoned} abandoned` : ''}${summary.rewarded ? `, mean reward ${(summary.rewardSum / summary.rewarded).toFixed(3)}` : ''}`
}

export async function* rollout(questions: AsyncIterable<Question>, options: RolloutOptions, summary: RolloutSummary = {started: 0, written: 0, skipped: 0, abandoned: 0, rewardSum: 0, rewarded: 0}): AsyncGenerator<Trajectory> {
  const task = new ProgressTask(options.progress, 'rollout', undefined, 'episodes')
  const skip = options.skip
  yield* runEpisodes<Question, Trajectory>(questions, async ({question, sample, seed, signal}) => {
    const t = options.episode ? await options.episode(question, {sampleIndex: sample, seed, signal}) : await runEpisode(question, {...options, sampleIndex: sample, seed, signal})
    if (t.finish_reason === 'aborted') return null
    summary.written++
    if (t.reward !== null) {
      summary.rewardSum += t.reward
      summary.rewarded++
    }
    task.advance(1, summary.rewarded ? `reward ${(summary.rewardSum / summary.rewarded).toFixed(3)}` : undefined)
    return t
  }, {
    samples: options.samples ?? 1,
    concurrency: options.concurrency ?? 8,
    seed: options.seed ?? 0,
    ordered: options.ordered ?? true,
    ...(options.reorderWindow !== undefined ? {reorderWindow: options.reorderWindow} : {}),
    ...(skip ? {skip: (key: string, sample: number) => skip.has(trajectoryId(key, sample))} : {}),
    onSkip: () => summary.skipped++,
    onStart: () => summary.started++,
    onDrop: () => summary.abandoned++,
    ...(options.stopSignal ? {stopSignal: options.stopSignal} : {}),
    ...(options.abortSignal ? {abortSignal: options.abortSignal} : {}),
  })
  // No `done` event here: the caller reports it once the trajectories are written (rolloutDoneText).
}
