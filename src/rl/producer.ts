// The RL episode producer: the groups of the data order, started as admission allows, run through the one episode
// scheduler (core/episodes.ts `runEpisodes`, as rollout, eval, filter and synthesize do: one queue, one seed rule,
// one trajectory id). Each group is one "question" of the scheduler, keyed `question_id@group` for the seed rule
// (a question recurs across epochs), with `samples` episodes; results come back as they complete, and when a
// group's last sample is in, admission judges it: into the buffer, wasted, or the run's fatal no-signal error.
// Admission is expressed as the scheduler's input: the group sequence below waits (`admission.waitForChange`)
// until a group may start, so bounded staleness needs nothing of the scheduler but a lazy input.
import {runEpisodes, type Episode} from '../core/index.js'
import type {Question, Trajectory} from '../core/index.js'
import type {Admission} from './admission.js'
import type {GroupBuffer} from './buffer.js'
import type {DataOrder} from './data-order.js'

export interface ProducerOptions {
  data: DataOrder
  admission: Admission
  buffer: GroupBuffer
  /** Episodes per group (the GRPO group). */
  samples: number
  /** Episodes in flight. */
  concurrency: number
  /** The run's seed: sample s of group g is seeded episodeSeed(seed, `question_id@g`, s). */
  seed: number
  /** Steps this session has done (admission's lag counts from here). */
  stepsDone: () => number
  /** Stops starting groups (in-flight episodes go on). */
  intake: AbortSignal
  /** Cancels in-flight episodes; the producer aborts it itself on a fatal error. */
  abort: AbortController
  /** Runs one episode (the agent loop), under `episode.signal`. */
  run: (question: Question, episode: Episode<StartedGroup>) => Promise<Trajectory>
}

export interface StartedGroup {
  group: number
  question: Question
}

export interface Producer {
  /** Settles when the producer has stopped (intake or abort) and every episode in flight has returned. */
  readonly done: Promise<void>
  /** The error that ended the run (an episode threw, or no batch can form), once there is one. */
  readonly fatal: {error: unknown} | undefined
}

/** Starts producing; stop it with `intake` / `abort` and await `done`. */
export function startProducer(o: ProducerOptions): Producer {
  let fatal: {error: unknown} | undefined
  const fail = (error: unknown): void => {
    fatal ??= {error}
    o.abort.abort(fatal.error)
    o.buffer.close()
    o.admission.wake()
  }

  // The scheduler's input: the next group of the data order, once admission lets one start.
  async function* groups(): AsyncGenerator<StartedGroup> {
    while (!o.intake.aborted && !fatal) {
      if (!o.admission.canStart(o.stepsDone(), o.buffer.evictedGroups)) {
        await o.admission.waitForChange()
        continue
      }
      const {group, question} = o.data.take()
      o.admission.started()
      yield {group, question}
    }
  }

  const episode = async (e: Episode<StartedGroup>): Promise<{group: StartedGroup; sample: number; trajectory: Trajectory}> => {
    try {
      return {group: e.question, sample: e.sample, trajectory: await o.run(e.question.question, e)}
    } catch (error) {
      // At once, as the group's own failure: the trainer must not wait on a batch that will not come.
      if (!o.abort.signal.aborted) fail(error)
      throw error
    }
  }

  // Each group's samples in sample order, as they settle.
  const settling = new Map<number, {trajectories: Trajectory[]; settled: number}>()
  const done = (async () => {
    try {
      const episodes = runEpisodes(groups(), episode, {
        keyOf: (g) => `${g.question.id}@${g.group}`, samples: o.samples, concurrency: o.concurrency, seed: o.seed, ordered: false, abortSignal: o.abort.signal,
      })
      for await (const {group: {group: g, question}, sample, trajectory} of episodes) {
        const entry = settling.get(g) ?? {trajectories: new Array<Trajectory>(o.samples), settled: 0}
        entry.trajectories[sample] = trajectory
        if (++entry.settled < o.samples) {
          settling.set(g, entry)
          continue
        }
        settling.delete(g)
        const verdict = o.admission.judge(g, entry.trajectories.filter((t) => t.finish_reason !== 'aborted'))
        if (verdict.kind === 'wasted') o.data.close(g)
        else if (verdict.kind === 'no-signal') fail(verdict.error)
        else o.buffer.put({questionId: question.id, index: g, trajectories: verdict.trajectories})
      }
    } catch (error) {
      if (!o.abort.signal.aborted) fail(error)
    }
  })()
  return {
    done,
    get fatal() {
      return fatal
    },
  }
}
