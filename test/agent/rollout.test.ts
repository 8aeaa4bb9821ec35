// Rollout orchestration: input order kept whatever finishes first, -n samples with distinct seeds, resume skips,
// concurrency bound, stop (finish in flight) versus abort (drop in flight), and backend failures stop the run.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {ByteTokenizer} from '../../src/llm/byte-tokenizer.js'
import {ScriptedModel, type Script} from '../../src/llm/scripted.js'
import {OpenAIModel} from '../../src/llm/openai.js'
import {rollout, type RolloutOptions} from '../../src/agent/rollout.js'
import {AgentTools} from '../../src/agent/tools.js'
import type {GenerateInput, GenerateResult, LanguageModel, SamplingOptions} from '../../src/llm/language-model.js'
import type {Question, Trajectory} from '../../src/core/records/index.js'
import {MemorySearch} from '../helpers/memory-search.js'

const tools = new AgentTools({search: new MemorySearch([{id: 'a', title: 'A', text: 'Alpha is the first letter.'}])})

function questions(n: number): Question[] {
  return Array.from({length: n}, (_, i) => ({type: 'question', version: 1, id: `q${i}`, question: `Question number ${i}?`, answers: i % 2 ? [] : ['alpha'], source: 't', meta: {}}))
}

async function* stream<T>(items: T[], delayMs = 0): AsyncGenerator<T> {
  for (const item of items) {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs))
    yield item
  }
}

/** Counts generate calls in flight: the concurrency bound is observable. */
class Counting implements LanguageModel {
  readonly specificationVersion = 'ars-lm-v1' as const
  readonly id = 'counting'
  readonly capabilities
  readonly tokenizer
  inFlight = 0
  peak = 0
  seeds: Array<number | undefined> = []
  constructor(readonly inner: ScriptedModel) {
    this.capabilities = inner.capabilities
    this.tokenizer = inner.tokenizer
  }
  async generate(input: GenerateInput, o: SamplingOptions): Promise<GenerateResult> {
    this.inFlight++
    this.peak = Math.max(this.peak, this.inFlight)
    this.seeds.push(o.seed)
    try {
      return await this.inner.generate(input, o)
    } finally {
      this.inFlight--
    }
  }
}

// Later questions answer faster, so completion order is the reverse of input order.
const scripts: Script[] = Array.from({length: 8}, (_, i) => ({match: `Question number ${i}?`, turns: [{text: '<answer>alpha</answer>', delay_ms: (8 - i) * 5}]}))

/**
 * Holds back the generation for `held` until `others` other generations have finished, so "q0 finishes last"
 * does not hang on timer gaps that a loaded machine can invert.
 */
class HoldBack implements LanguageModel {
  readonly specificationVersion = 'ars-lm-v1' as const
  readonly id = 'hold-back'
  readonly capabilities
  #finished = 0
  #release: (() => void) | undefined
  constructor(readonly inner: ScriptedModel, readonly held: string, readonly others: number) {
    this.capabilities = inner.capabilities
  }
  async generate(input: GenerateInput, o: SamplingOptions): Promise<GenerateResult> {
    if (JSON.stringify(input).includes(this.held) && this.#finished < this.others) {
      await new Promise<void>((resolve) => (this.#release = resolve))
    }
    const result = await this.inner.generate(input, o)
    if (!JSON.stringify(input).includes(this.held) && ++this.#finished === this.others) this.#release?.()
    return result
  }
}

async function collect(options: Partial<RolloutOptions>, qs = questions(8)): Promise<Trajectory[]> {
  const out: Trajectory[] = []
  const model = new HoldBack(new ScriptedModel(scripts), 'Question number 0?', qs.length - 1)
  for await (const t of rollout(stream(qs), {model, tools, reward: {metric: 'em'}, concurrency: 8, ...options})) out.push(t)
  return out
}

test('ordered by default, completion order with ordered: false', async () => {
  const ordered = await collect({})
  assert.deepEqual(ordered.map((t) => t.id), questions(8).map((q) => `${q.id}#0`))
  const unordered = await collect({ordered: false})
  assert.deepEqual(unordered.map((t) => t.id).sort(), ordered.map((t) => t.id).sort())
  assert.equal(unordered.at(-1)?.id, 'q0#0', 'the slowest episode comes out last when unordered')
  assert.deepEqual(ordered.map((t) => t.reward), [1, null, 1, null, 1, null, 1, null])
})

test('-n samples get distinct seeds; the skip set (resume) is honoured; concurrency is a bound', async () => {
  const model = new Counting(new ScriptedModel([{turns: [{text: '<answer>alpha</answer>', delay_ms: 5}]}], {tokenizer: new ByteTokenizer()}))
  const out: Trajectory[] = []
  const skip = new Set(['q0#1', 'q2#0'])
  for await (const t of rollout(stream(questions(3)), {model, tools, samples: 3, concurrency: 2, skip, seed: 5})) out.push(t)
  assert.deepEqual(out.map((t) => t.id), ['q0#0', 'q0#2', 'q1#0', 'q1#1', 'q1#2', 'q2#1', 'q2#2'])
  assert.ok(model.peak <= 2, `peak ${model.peak} episodes in flight`)
  assert.equal(new Set(model.seeds).size, 7, 'every episode samples with its own seed')
  // Same seed, same episode seeds: deterministic whatever the concurrency.
  const again = new Counting(new ScriptedModel([{turns: ['<answer>alpha</answer>']}]))
  for await (const _ of rollout(stream(questions(3)), {model: again, tools, samples: 3, concurrency: 7, skip, seed: 5})) void _
  assert.deepEqual([...again.seeds].sort(), [...model.seeds].sort())
})

test('stop signal: no new episodes, in-flight ones finish and are written; abort drops in-flight ones', async () => {
  const stop = new AbortController()
  const out: Trajectory[] = []
  const slow: Script[] = [{turns: [{text: '<answer>alpha</answer>', delay_ms: 40}]}]
  for await (const t of rollout(stream(questions(20), 2), {model: new ScriptedModel(slow), tools, concurrency: 4, stopSignal: stop.signal})) {
    out.push(t)
    if (out.length === 1) stop.abort()
  }
  assert.ok(out.length >= 1 && out.length < 20, `${out.length} written`)
  assert.deepEqual(out.map((t) => t.id), questions(out.length).map((q) => `${q.id}#0`), 'a prefix of the input, in order, no gaps')
  assert.ok(out.every((t) => t.finish_reason === 'answer'))

  const abort = new AbortController()
  const dropped: Trajectory[] = []
  const summary = {started: 0, written: 0, skipped: 0, abandoned: 0, rewardSum: 0, rewarded: 0}
  setTimeout(() => abort.abort(), 60)
  for await (const t of rollout(stream(questions(20)), {model: new ScriptedModel([{turns: [{text: '<answer>alpha</answer>', delay_ms: 100}]}]), tools, concurrency: 4, abortSignal: abort.signal}, summary)) dropped.push(t)
  assert.equal(dropped.length, 0, 'nothing half-done is written')
  assert.ok(summary.started >= 4 && summary.started < 20, `${summary.started} started`)
  assert.equal(summary.abandoned, summary.started)
})

test('an unreachable model server stops the rollout with its error', async () => {
  const model = new OpenAIModel('m', {baseUrl: 'http://127.0.0.1:9/v1', retries: 0})
  await assert.rejects(async () => {
    for await (const _ of rollout(stream(questions(5)), {model, tools})) void _
  }, (e: Error & {code?: string}) => e.code === 'model-unreachable')
})

test('an episode that fails stops the run, but every trajectory already finished is written before the error', async () => {
  // q0 and q2 finish quickly; q1 fails after them. In input order q0 comes before the failure and q2 after it.
  const runner: RolloutOptions['episode'] = async (question, {sampleIndex}) => {
    const delay = question.id === 'q1' ? 60 : 5
    await new Promise((r) => setTimeout(r, delay))
    if (question.id === 'q1') throw new Error('backend exploded on q1')
    return {type: 'trajectory', version: 1, id: `${question.id}#${sampleIndex}`, question_id: question.id, sample_index: sampleIndex, policy_version: 0, model: 'test', format: 'asearcher', question: question.question, answers: question.answers, messages: [], tool_calls: [], token_ids: [], loss_mask: [], behaviour_logprobs: [], version_spans: [], answer: 'alpha', reward: 1, reward_detail: {}, finish_reason: 'answer', stats: {turns: 1, tokens: 0, model_tokens: 0, tool_calls: 0, wall_ms: 0}, meta: {}} as unknown as Trajectory
  }
  const written: string[] = []
  await assert.rejects(async () => {
    for await (const t of rollout(stream(questions(3)), {episode: runner, tools, concurrency: 3} as unknown as RolloutOptions)) written.push(t.id)
  }, /backend exploded on q1/)
  assert.deepEqual(written, ['q0#0', 'q2#0'], 'finished work before and after the failing episode is kept')
})
