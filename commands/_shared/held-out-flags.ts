// `--eval-every N --eval-questions FILE [--eval-limit K]`, shared by `ars train` and `ars train sft`: the current
// policy answers held-out questions greedily at step 0, every N-th step and at the end (src/rl/held-out-eval.ts).
import {Flags} from '@oclif/core'
import {checkHeldOutFlags, readHeldOutQuestions, type HeldOutSpec} from '../../src/train/index.js'

export const heldOutFlags = {
  'eval-every': Flags.integer({min: 1, description: 'Evaluate the current policy (greedy, tools on) on --eval-questions before training, every N steps and at the end; EM/F1, tool calls and turns go to metrics.jsonl (meta.kind "eval") and the report.', helpValue: 'N'}),
  'eval-questions': Flags.string({description: 'Held-out Question JSONL (with answers) for --eval-every; per-question results in OUT/evals/step-N.jsonl.', helpValue: 'FILE'}),
  'eval-limit': Flags.integer({min: 1, description: 'Evaluate on the first K questions of --eval-questions only.', helpValue: 'K'}),
}

/** The held-out spec from the flags, or undefined without --eval-every. */
export async function heldOutFromFlags(flags: {'eval-every'?: number; 'eval-questions'?: string; 'eval-limit'?: number}, concurrency: number, seed: number): Promise<HeldOutSpec | undefined> {
  checkHeldOutFlags(flags['eval-every'], flags['eval-questions'], flags['eval-limit'])
  if (flags['eval-every'] === undefined || flags['eval-questions'] === undefined) return undefined
  return {questions: await readHeldOutQuestions(flags['eval-questions'], flags['eval-limit']), source: flags['eval-questions'], every: flags['eval-every'], concurrency, seed}
}
