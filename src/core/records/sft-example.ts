// SftExample: one supervised fine-tuning conversation in the chat-JSONL shape TRL, LLaMA-Factory and verl's SFT
// trainer read ({messages: [{role, content}]}). Only assistant turns are trained on unless `train_on` says so.
import {z} from 'zod'
import {header, meta, type RecordType} from './common.js'
import {MessageSchema} from './trajectory.js'

export const SftExampleSchema = z.strictObject({
  ...header('sft_example', 1),
  id: z.string().min(1).optional().describe('Optional; derived from the line number when absent.'),
  messages: z.array(MessageSchema).min(1).describe('The conversation, rendered with the model\'s chat template.'),
  train_on: z.enum(['assistant', 'last_assistant', 'all']).default('assistant').describe('Which tokens carry loss: every assistant turn (default), only the last one, or every token (plain language modelling).'),
  weight: z.number().min(0).default(1).describe('Loss weight of this example relative to others.'),
  source: z.string().default('').describe('Where it came from: trajectory id, world facts, a file…'),
  meta,
}).superRefine((e, ctx) => {
  if (e.train_on !== 'all' && !e.messages.some((m) => m.role === 'assistant')) {
    ctx.addIssue({code: 'custom', path: ['messages'], message: `no assistant message to train on (train_on is ${e.train_on})`})
  }
})

export type SftExample = z.output<typeof SftExampleSchema>

export const SftExampleType: RecordType<typeof SftExampleSchema> = {
  type: 'sft_example',
  title: 'SftExample',
  version: 1,
  description: 'One supervised fine-tuning conversation (chat JSONL). Output of export --format sft-jsonl; input of train sft.',
  schema: SftExampleSchema,
}
