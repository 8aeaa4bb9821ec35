// Flags and small helpers shared by `ars eval` and `ars eval score`: metric choice, the judge, load notes.
import {Flags} from '@oclif/core'
import {UsageError} from '../../src/core/index.js'
import type {Benchmark} from '../../src/eval/index.js'
import type {LoadedFile} from '../../src/eval/index.js'
import {LlmJudge} from '../../src/eval/index.js'
import {RULE_METRIC_NAMES} from '../../src/answer/index.js'
import {resolveLanguageModel} from '../../src/eval/index.js'

export const judgeFlags = {
  judge: Flags.string({description: 'LLM-as-judge model (provider:id, e.g. openai:gpt-4o-mini); adds the "judge" metric.', helpValue: 'MODEL'}),
  'judge-cache': Flags.string({description: 'Verdict cache (JSONL, append-only), keyed by judge, question, gold and prediction.', default: '.ars-cache/judge.jsonl', helpValue: 'FILE'}),
  'judge-attempts': Flags.integer({min: 1, default: 3, description: 'Judge calls per row before it is marked unjudged (null).'}),
  'judge-price': Flags.string({description: 'Judge price in $ per million tokens, "PROMPT,COMPLETION" (for the cost line).', helpValue: 'P,C'}),
}

/** --metrics, else the benchmark's own metrics (every one of them, for a file mixing benchmarks). */
export function metricsFromFlag(flag: string | undefined, entry: Benchmark | undefined, entries: readonly Benchmark[] = []): string[] {
  if (flag === undefined) {
    const all = entry ? [entry] : entries
    return all.length === 0 ? ['em', 'f1', 'cover_em'] : [...new Set(all.flatMap((e) => e.metrics))]
  }
  const names = flag.split(',').map((s) => s.trim().replace(/-/g, '_')).filter(Boolean)
  for (const n of names) if (!RULE_METRIC_NAMES.includes(n)) throw new UsageError(`--metrics: unknown metric ${JSON.stringify(n)}`, {fix: `Use some of: ${RULE_METRIC_NAMES.join(', ')} (the judge is added with --judge).`})
  if (names.length === 0) throw new UsageError('--metrics: expected at least one metric', {fix: `Use some of: ${RULE_METRIC_NAMES.join(', ')}.`})
  return names
}

export async function judgeFromFlags(flags: {judge?: string; 'judge-cache': string; 'judge-attempts': number; 'judge-price'?: string}): Promise<LlmJudge | undefined> {
  if (!flags.judge) return undefined
  let price: {prompt: number; completion: number} | undefined
  if (flags['judge-price']) {
    const [p, c] = flags['judge-price'].split(',').map(Number)
    if (!Number.isFinite(p) || !Number.isFinite(c)) throw new UsageError(`--judge-price: expected "PROMPT,COMPLETION" dollars per million tokens, got ${JSON.stringify(flags['judge-price'])}`)
    price = {prompt: p as number, completion: c as number}
  }
  const model = await resolveLanguageModel(flags.judge)
  return new LlmJudge(model, {attempts: flags['judge-attempts'], cachePath: flags['judge-cache'], ...(price ? {pricePerMTokens: price} : {})})
}

export function printJudgeUsage(judge: LlmJudge): void {
  const u = judge.usage
  process.stderr.write(`judge ${judge.version}: ${u.calls} calls, ${u.cached} cached, ${u.failures} unjudged, ${u.promptTokens} prompt + ${u.completionTokens} completion tokens, $${judge.costDollars.toFixed(4)}\n`)
}

export function printLoadNotes(loaded: LoadedFile & {benchmark: string}): void {
  const parts = [`${loaded.benchmark}: ${loaded.questions.length} questions from ${loaded.path} (${loaded.format} format)`]
  for (const [reason, n] of Object.entries(loaded.skipped)) parts.push(`${n} skipped: ${reason}`)
  if (loaded.noAnswer > 0) parts.push(`${loaded.noAnswer} without gold answers (reported as no-gold, not scored)`)
  process.stderr.write(parts.join('; ') + '\n')
}
