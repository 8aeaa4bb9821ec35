// `--eval-every N --eval-questions FILE`: the current policy answers a held-out question file greedily (the agent
// of `ars eval`, src/eval/run.ts + agent-answerer, on the in-process ONNX engine with the run's tools and format),
// and the scores become a TrainMetric line (`meta.kind: "eval"`, the step it measured) in metrics.jsonl, with the
// per-question EvalResults in OUT/evals/step-NNNNNN.jsonl. Nothing here touches the trainer, its data order or
// its random state, so a run's training is the same with or without evaluations.
import {existsSync} from 'node:fs'
import {mkdir, rename, writeFile} from 'node:fs/promises'
import {basename, join} from 'node:path'
import {DataError, UsageError} from '../core/index.js'
import {readJsonl} from '../core/index.js'
import {parseRecord, QuestionType, SynthItemType, synthItemToQuestion, type EvalResult, type Question, type TrainMetric} from '../core/index.js'
import type {EpisodeOptions} from '../agent/index.js'
import type {AgentTools} from '../agent/index.js'
import type {LanguageModel} from '../llm/index.js'
import type {OnnxModel} from '../llm/index.js'
import type {ModelConfig, Weights} from '../model/index.js'
import type {HfTokenizer} from '../model/index.js'
import {checkpointName, type RunDir} from './run-dir.js'
import {isEvalMetric} from './train-report.js'

export const EVALS_DIR = 'evals'

export interface HeldOutSpec {
  questions: readonly Question[]
  /** Where they came from (recorded in each eval line's meta). */
  source: string
  /** Evaluate after every N-th optimiser step, before training (step 0) and at the end. */
  every: number
  /** Episodes in flight (default 8). */
  concurrency?: number
  /** Seed of the (greedy) episodes: only matters for ties and tools that sample. Default 0. */
  seed?: number
  /** The held-out episodes' tools, opened and closed by the caller: `ars train sft` (which has none of its own) always
   * gives them; `ars train` only with `--eval-search` (trained on one world, measured on another), else its own. */
  tools?: AgentTools
}

/** Reads Question (or SynthItem) records with gold answers; `limit` keeps the first N. Errors name file:line. */
export async function readHeldOutQuestions(file: string, limit?: number): Promise<Question[]> {
  if (!existsSync(file)) throw new UsageError(`--eval-questions ${file}: no such file`, {code: 'eval-questions', fix: 'Pass a JSONL file of Question records with answers (e.g. datasets/world-small/questions/dev.jsonl).'})
  const out: Question[] = []
  for await (const {source, line, value} of readJsonl([file])) {
    const where = `${source}:${line}`
    const isSynth = value !== null && typeof value === 'object' && (value as {type?: unknown}).type === SynthItemType.type
    const q = isSynth ? synthItemToQuestion(parseRecord(SynthItemType, value, where)) : parseRecord(QuestionType, value, where)
    if (q.answers.length === 0) throw new DataError(`question ${JSON.stringify(q.id)} has no answers, so EM cannot be measured on it`, {code: 'unanswerable', where, fix: 'Use held-out questions with gold answers.'})
    out.push(q)
    if (limit !== undefined && out.length >= limit) break
  }
  if (out.length === 0) throw new DataError('no held-out questions', {code: 'eval-questions-empty', where: file, fix: 'Pass a file with Question records.'})
  return out
}

/** Checks --eval-every / --eval-questions / --eval-limit together (either both or neither of the first two). */
export function checkHeldOutFlags(every: number | undefined, file: string | undefined, limit?: number): void {
  if (every !== undefined && !(Number.isInteger(every) && every >= 1)) throw new UsageError(`--eval-every: expected an integer ≥ 1, got ${every}`, {code: 'flag', fix: 'Pass --eval-every 1 or more.'})
  if (every !== undefined && file === undefined) throw new UsageError('--eval-every needs --eval-questions FILE (the held-out questions)', {code: 'flag', fix: 'Add --eval-questions FILE, e.g. datasets/world-small/questions/dev.jsonl.'})
  if (file !== undefined && every === undefined) throw new UsageError('--eval-questions needs --eval-every N (how often to evaluate)', {code: 'flag', fix: 'Add --eval-every N (steps between evaluations).'})
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) throw new UsageError(`--eval-limit: expected an integer ≥ 1, got ${limit}`, {code: 'flag', fix: 'Pass --eval-limit 1 or more.'})
}

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0)

/** EvalResults → the eval line's metrics: EM, F1, tool calls, turns, answer rate, n, and EM by hop count. */
export function heldOutMetrics(results: readonly EvalResult[], seconds: number): Record<string, number> {
  const num = (r: EvalResult, k: string): number | undefined => (typeof r.stats[k] === 'number' ? r.stats[k] : undefined)
  const metrics: Record<string, number> = {
    eval_em: mean(results.map((r) => r.scores.em ?? 0)),
    eval_f1: mean(results.map((r) => r.scores.f1 ?? 0)),
    eval_tool_calls: mean(results.map((r) => num(r, 'tool_calls') ?? 0)),
    eval_turns: mean(results.map((r) => num(r, 'turns') ?? 0)),
    eval_answer_rate: mean(results.map((r) => (r.prediction !== null && r.prediction.trim() !== '' ? 1 : 0))),
    eval_errors: results.filter((r) => r.error !== undefined).length,
    eval_questions: results.length,
    eval_s: seconds,
  }
  const hops = new Map<number, number[]>()
  for (const r of results) if (r.hops !== undefined) (hops.get(r.hops) ?? hops.set(r.hops, []).get(r.hops))?.push(r.scores.em ?? 0)
  for (const [h, ems] of hops) {
    metrics[`eval_em_hops_${h}`] = mean(ems)
    metrics[`eval_n_hops_${h}`] = ems.length
  }
  return metrics
}

/** Runs held-out evaluations for one run folder: knows which steps are due and which are already in metrics.jsonl. */
export class HeldOutEvaluator {
  readonly spec: HeldOutSpec
  readonly #run: RunDir
  readonly #done: Set<number>

  private constructor(spec: HeldOutSpec, run: RunDir, done: Set<number>) {
    this.spec = spec
    this.#run = run
    this.#done = done
  }

  /** After RunDir.open (which cut metrics past the resumed checkpoint): steps evaluated already are not redone. */
  static async open(spec: HeldOutSpec, run: RunDir): Promise<HeldOutEvaluator> {
    const done = new Set((await run.readMetrics()).filter(isEvalMetric).map((m) => m.step))
    return new HeldOutEvaluator(spec, run, done)
  }

  /** Step 0 (before training), every `every`-th step, and — with `final` — the last step. */
  due(step: number, final = false): boolean {
    return !this.#done.has(step) && (final || step % this.spec.every === 0)
  }

  /**
   * Evaluates `model` (greedy) with `tools`, appends the eval line, writes OUT/evals/step-N.jsonl, returns the line.
   * `episode` is the run's agent settings (format, turns, tokens per turn, context); temperature is forced to 0.
   */
  async evaluate(at: {step: number; policyVersion: number; timeMs: number}, model: LanguageModel, tools: AgentTools, episode: Omit<EpisodeOptions, 'model' | 'tools' | 'seed' | 'sampleIndex' | 'signal' | 'reward'>, signal?: AbortSignal): Promise<TrainMetric> {
    const {agentAnswerer, runEval} = await import('../eval/index.js')
    const started = performance.now()
    // Which policy versions sampled the answers: all equal to the step's version unless something published meanwhile.
    const versions: number[] = []
    const answer = await agentAnswerer(model, tools, {...episode, temperature: 0}, (t) => versions.push(...t.version_spans.map((v) => v.version)))
    const results: EvalResult[] = []
    const score = {benchmark: 'held-out', split: basename(this.spec.source), model: `${basename(this.#run.dir)}@step-${at.step}`, search: '', seed: this.spec.seed ?? 0, metrics: ['em', 'f1']}
    for await (const r of runEval(this.spec.questions, {answerer: answer, score, concurrency: this.spec.concurrency ?? 8, ...(signal ? {signal} : {})})) results.push(r)
    const seconds = (performance.now() - started) / 1000
    const dir = join(this.#run.dir, EVALS_DIR)
    await mkdir(dir, {recursive: true})
    const file = join(dir, `${checkpointName(at.step)}.jsonl`)
    await writeFile(`${file}.tmp`, results.map((r) => `${JSON.stringify(r)}\n`).join(''))
    await rename(`${file}.tmp`, file)
    const record = await this.#run.appendMetric({
      type: 'train_metric', version: 1, run: basename(this.#run.dir), step: at.step, policy_version: at.policyVersion, time_ms: at.timeMs,
      metrics: {...heldOutMetrics(results, seconds), ...(versions.length ? {eval_version_min: Math.min(...versions), eval_version_max: Math.max(...versions)} : {})}, meta: {kind: 'eval', questions: this.spec.source, results: join(EVALS_DIR, `${checkpointName(at.step)}.jsonl`)},
    })
    this.#done.add(at.step)
    return record
  }
}

/**
 * The policy as a LanguageModel for trainers that do not generate (`ars train sft`): an ONNX engine built from the
 * trainer's exported weights at the first evaluation, then given each new version with `publish`.
 */
export interface PublishedPolicyInit {
  config: ModelConfig
  tokenizer: HfTokenizer
  /** The model id results name (e.g. `onnx:runs/sft1`). */
  id: string
  /** Most sequences decoded together (default 8). */
  maxBatchSize?: number
}

export class PublishedPolicy {
  #model: OnnxModel | undefined
  readonly #init: PublishedPolicyInit

  constructor(init: PublishedPolicyInit) {
    this.#init = init
  }

  async at(version: number, weights: Weights): Promise<LanguageModel> {
    if (this.#model) {
      await this.#model.engine.publish(version, weights)
      return this.#model
    }
    const [{GenerationEngine}, {OnnxModel}] = await Promise.all([import('../model/onnx/engine.js'), import('../llm/index.js')])
    const {config, tokenizer, id, maxBatchSize} = this.#init
    const engine = await GenerationEngine.create({config, model: weights, version, decoder: tokenizer, maxBatchSize: maxBatchSize ?? 8, intraOpNumThreads: 1})
    this.#model = new OnnxModel(id, engine, tokenizer, config)
    return this.#model
  }

  async close(): Promise<void> {
    await this.#model?.close()
    this.#model = undefined
  }
}
