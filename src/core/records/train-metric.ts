// TrainMetric: one line of training telemetry per trainer step (loss, reward, staleness, throughput …), or per
// held-out evaluation (`meta.kind: "eval"`, eval_em, eval_f1 … at the step it measured).
import {z} from 'zod'
import {header, meta, type RecordType} from './common.js'

export const TrainMetricSchema = z.strictObject({
  ...header('train_metric', 1),
  run: z.string().default(''),
  step: z.int().min(0),
  policy_version: z.int().min(0),
  time_ms: z.number().min(0).describe('Milliseconds since the run started.'),
  metrics: z.record(z.string(), z.number()).describe('Name → value: loss, reward_mean, staleness_mean, tokens_per_s …'),
  meta,
})

export type TrainMetric = z.output<typeof TrainMetricSchema>

export const TrainMetricType: RecordType<typeof TrainMetricSchema> = {
  type: 'train_metric',
  title: 'TrainMetric',
  version: 1,
  description: 'Per-step training telemetry, and held-out evaluations (meta.kind "eval": eval_em, eval_f1, eval_tool_calls, eval_turns …) at the step they measured. Output of train and train sft (metrics.jsonl).',
  schema: TrainMetricSchema,
}
