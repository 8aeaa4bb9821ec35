// Small hand-made Trajectory records for the RL unit tests (real records, validated by the schema).
import {TrajectorySchema, type Trajectory} from '../../src/core/records/trajectory.js'

export interface TrajectorySpec {
  question?: string
  sample?: number
  reward?: number | null
  finish?: Trajectory['finish_reason']
  truncations?: number
  version?: number
  /** Generated-token versions (version_spans) as [start, end, version]. */
  spans?: Array<[number, number, number]>
  tokens?: number[]
  mask?: Array<0 | 1>
  logprobs?: number[]
}

export function trajectory(spec: TrajectorySpec = {}): Trajectory {
  const q = spec.question ?? 'q1'
  const s = spec.sample ?? 0
  const tokens = spec.tokens ?? [1, 2, 3, 4, 5]
  const mask = spec.mask ?? tokens.map((_, i) => (i >= 2 ? 1 : 0))
  const logprobs = spec.logprobs ?? mask.map((m) => (m ? -1 : 0))
  const version = spec.version ?? 0
  return TrajectorySchema.parse({
    type: 'trajectory', version: 1, id: `${q}#${s}`, question_id: q, sample_index: s, policy_version: version,
    question: 'Q?', answers: ['a'], messages: [], token_ids: tokens, loss_mask: mask, behaviour_logprobs: logprobs,
    version_spans: (spec.spans ?? [[2, tokens.length, version]]).map(([start, end, v]) => ({start, end, version: v})),
    answer: 'a', reward: spec.reward === undefined ? 1 : spec.reward, finish_reason: spec.finish ?? 'answer',
    stats: {turns: 1, wall_ms: 1, truncations: spec.truncations ?? 0}, meta: {},
  })
}
