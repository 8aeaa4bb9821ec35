// `ars serve model` as OpenAI clients see it, spawned as its own process over a real tiny ONNX model: reply text
// without the stop token's text, top_logprobs in both OpenAI shapes (checked against the float64 reference
// forward), SSE chunks sent while the model generates, and the `openai:` provider shrinking max_tokens to what the
// context has left so multi-turn episodes keep going.
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import {rm} from 'node:fs/promises'
import {dirname} from 'node:path'
import {parseModelConfig, type ModelConfig, type Weights} from '../../src/model/config.js'
import {initWeights} from '../../src/model/init.js'
import {saveCheckpoint} from '../../src/model/checkpoint.js'
import {HfTokenizer, tokenizerPreset} from '../../src/model/tokenizer.js'
import {GenerationEngine} from '../../src/model/onnx/engine.js'
import {OpenAIModel} from '../../src/llm/openai.js'
import {resolveModel} from '../../src/llm/registry.js'
import {ContextOverflowError} from '../../src/llm/errors.js'
import {runEpisode} from '../../src/agent/loop.js'
import {AgentTools} from '../../src/agent/tools.js'
import type {Question} from '../../src/core/records/index.js'
import {logSoftmax, referenceLogits} from '../helpers/qwen2-reference.js'
import {MemorySearch} from '../helpers/memory-search.js'
import {BIN, ROOT, waitForServerUrl} from '../helpers/cli.js'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const files = tokenizerPreset('byte')
const tokenizer = new HfTokenizer(files)
const IM_END = tokenizer.tokenToId('<|im_end|>') as number
const MESSAGES = [{role: 'user' as const, content: 'Which river flows through Osk?'}]
const CONTEXT = 1000

let dir: string
let config: ModelConfig
let weights: Weights
let prompt: number[]
/** Greedy tokens of the served model for MESSAGES: some tokens, then <|im_end|>. */
let expected: number[]
let server: ChildProcess
let base: string

/**
 * A random tiny model edited so that greedy decoding of MESSAGES ends with <|im_end|> after a few tokens: the
 * lm_head row of <|im_end|> becomes 1.05 × the row of the token greedy decoding picks at step k (a fresh token),
 * so at step k <|im_end|> outscores it. Checked in process before serving.
 */
async function modelThatStops(): Promise<void> {
  const raw = parseModelConfig({architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', vocab_size: tokenizer.vocabSize, hidden_size: 64, intermediate_size: 176, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: CONTEXT, rope_theta: 10000, tie_word_embeddings: false, eos_token_id: IM_END})
  config = raw
  weights = initWeights(config, 5, 0.2)
  prompt = tokenizer.encode(tokenizer.applyChatTemplate(MESSAGES))
  const greedy = async (w: Weights, n: number) => {
    const engine = await GenerationEngine.create({config, model: w, decoder: tokenizer, intraOpNumThreads: 1})
    try {
      return (await engine.generate({tokenIds: prompt, maxTokens: n, temperature: 0, stopTokenIds: [IM_END]})).tokenIds
    } finally {
      await engine.close()
    }
  }
  const free = await greedy(weights, 12)
  const k = free.findIndex((t, i) => i >= 4 && !free.slice(0, i).includes(t))
  assert.ok(k >= 4, `a fresh token at step ≥ 4 in ${free}`)
  const head = weights.get('lm_head.weight') as {data: Float32Array}
  const h = config.hiddenSize
  const from = free[k] as number
  for (let i = 0; i < h; i++) head.data[IM_END * h + i] = 1.05 * (head.data[from * h + i] as number)
  expected = await greedy(weights, 12)
  assert.deepEqual(expected, [...free.slice(0, k), IM_END], 'the edited model stops with <|im_end|> at step k')
}

before(async () => {
  await modelThatStops()
  dir = join(mkdtempSync(join(tmpdir(), 'ars-serve-clients-')), 'model')
  await saveCheckpoint(dir, {config, weights, tokenizer: files})
  server = spawn(process.execPath, [BIN, 'serve', 'model', '-m', dir, '--port', '0', '--name', 'tiny', '-q'], {cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe']})
  base = await waitForServerUrl(server)
})

after(async () => {
  server?.kill('SIGTERM')
  if (dir) await rm(dirname(dir), {recursive: true, force: true})
})

async function post(path: string, body: Record<string, unknown>): Promise<Record<string, any>> {
  const r = await fetch(`${base}${path}`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({model: 'tiny', ...body})})
  assert.equal(r.status, 200, await r.clone().text())
  return (await r.json()) as Record<string, any>
}

/** The reference's top-n (token id, log-prob) after `context`, most likely first. */
function referenceTop(context: number[], n: number): Array<{id: number; logprob: number}> {
  const logits = referenceLogits(config, weights, context)
  const lp = logSoftmax(logits.at(-1) as Float64Array)
  return [...lp].map((logprob, id) => ({id, logprob})).sort((a, b) => b.logprob - a.logprob || a.id - b.id).slice(0, n)
}

test('chat: the reply text does not end in <|im_end|>; token ids and log-probs keep it; top_logprobs match the reference', async () => {
  const visible = tokenizer.decode(expected.slice(0, -1))
  for (const stream of [false, true]) {
    let choice: Record<string, any>
    if (!stream) {
      const body = await post('/chat/completions', {messages: MESSAGES, temperature: 0, max_tokens: 12, logprobs: true, top_logprobs: 3, return_token_ids: true})
      choice = body.choices[0]
      assert.equal(choice.message.content, visible)
    } else {
      const chunks = await sse('/chat/completions', {messages: MESSAGES, temperature: 0, max_tokens: 12, logprobs: true, top_logprobs: 3, return_token_ids: true, stream: true})
      const content = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')
      assert.equal(content, visible)
      choice = {finish_reason: chunks.at(-1)?.choices[0]?.finish_reason, token_ids: chunks.flatMap((c) => c.choices[0]?.token_ids ?? []), logprobs: {content: chunks.flatMap((c) => c.choices[0]?.logprobs?.content ?? [])}}
    }
    assert.doesNotMatch(stream ? 'x' : choice.message.content, /<\|im_end\|>/)
    assert.equal(choice.finish_reason, 'stop')
    assert.deepEqual(choice.token_ids, expected)
    const entries = choice.logprobs.content as Array<{token: string; logprob: number; top_logprobs: Array<{token: string; logprob: number; bytes: number[]}>}>
    assert.equal(entries.length, expected.length)
    entries.forEach((e, i) => {
      const ref = referenceTop([...prompt, ...expected.slice(0, i)], 3)
      assert.equal(e.top_logprobs.length, 3)
      e.top_logprobs.forEach((alt, j) => {
        assert.equal(alt.token, tokenizer.decode([(ref[j] as {id: number}).id]), `step ${i} alternative ${j}`)
        assert.ok(Math.abs(alt.logprob - (ref[j] as {logprob: number}).logprob) < 1e-4, `step ${i} alternative ${j}: ${alt.logprob} vs ${ref[j]?.logprob}`)
        assert.deepEqual(alt.bytes, [...Buffer.from(alt.token)])
      })
      // Greedy: the sampled token is the most likely one.
      assert.equal(e.token, e.top_logprobs[0]?.token)
      assert.ok(Math.abs(e.logprob - (e.top_logprobs[0] as {logprob: number}).logprob) < 1e-6)
    })
    assert.equal(entries.at(-1)?.token, '<|im_end|>', 'the stop token is in the log-probs, as vLLM returns it')
  }
  // Without top_logprobs, entries carry an empty list (OpenAI's shape); top_logprobs without logprobs is refused.
  const plain = await post('/chat/completions', {messages: MESSAGES, temperature: 0, max_tokens: 12, logprobs: true})
  assert.deepEqual(plain.choices[0].logprobs.content[0].top_logprobs, [])
  const refused = await fetch(`${base}/chat/completions`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({model: 'tiny', messages: MESSAGES, top_logprobs: 2})})
  assert.equal(refused.status, 400)
  assert.match(((await refused.json()) as {error: {message: string}}).error.message, /top_logprobs: needs "logprobs": true/)
})

test('completions: `logprobs: N` returns N alternatives per token as {token: logprob}; the text has no <|im_end|>', async () => {
  const text = tokenizer.applyChatTemplate(MESSAGES)
  const body = await post('/completions', {prompt: text, temperature: 0, max_tokens: 12, logprobs: 2})
  const choice = body.choices[0]
  assert.equal(choice.text, tokenizer.decode(expected.slice(0, -1)))
  assert.equal(choice.finish_reason, 'stop')
  const lp = choice.logprobs as {tokens: string[]; token_logprobs: number[]; top_logprobs: Array<Record<string, number>>; text_offset: number[]}
  assert.equal(lp.tokens.length, expected.length)
  assert.equal(lp.top_logprobs.length, expected.length)
  lp.top_logprobs.forEach((alts, i) => {
    const ref = referenceTop([...prompt, ...expected.slice(0, i)], 2)
    assert.deepEqual(Object.keys(alts).sort(), ref.map((r) => tokenizer.decode([r.id])).sort(), `step ${i}`)
    for (const r of ref) assert.ok(Math.abs((alts[tokenizer.decode([r.id])] as number) - r.logprob) < 1e-4)
  })
  assert.deepEqual(lp.text_offset.slice(0, 3), [0, tokenizer.decode(expected.slice(0, 1)).length, tokenizer.decode(expected.slice(0, 2)).length])
  // As token ids (vLLM's return_tokens_as_token_ids): the keys name the ids.
  const ids = await post('/completions', {prompt, temperature: 0, max_tokens: 3, logprobs: 1, return_tokens_as_token_ids: true})
  assert.match(Object.keys(ids.choices[0].logprobs.top_logprobs[0])[0] as string, /^token_id:\d+$/)
})

/** POSTs a streaming request; returns the parsed chunks with the time each arrived. */
async function sse(path: string, body: Record<string, unknown>): Promise<Array<Record<string, any> & {at: number}>> {
  const r = await fetch(`${base}${path}`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({model: 'tiny', ...body})})
  assert.equal(r.status, 200)
  assert.match(r.headers.get('content-type') ?? '', /text\/event-stream/)
  const out: Array<Record<string, any> & {at: number}> = []
  const decoder = new TextDecoder()
  let buffer = ''
  for await (const part of r.body as unknown as AsyncIterable<Uint8Array>) {
    const at = performance.now()
    buffer += decoder.decode(part, {stream: true})
    let end: number
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end).replace(/^data: /, '')
      buffer = buffer.slice(end + 2)
      if (event !== '[DONE]') out.push({...(JSON.parse(event) as Record<string, any>), at})
    }
  }
  return out
}

test('streaming sends a chunk per token while the model generates, not all at the end', async () => {
  // A raw prompt the edited model does not stop on: 120 tokens, each its own chunk.
  const chunks = await sse('/completions', {prompt: 'Osk', temperature: 0, max_tokens: 120, return_token_ids: true, stream: true, stream_options: {include_usage: true}})
  const tokenChunks = chunks.filter((c) => (c.choices[0]?.token_ids?.length ?? 0) > 0)
  const usage = chunks.at(-1)?.usage as {completion_tokens: number}
  assert.ok(usage.completion_tokens >= 20, `generated ${usage.completion_tokens} tokens`)
  // One chunk per sampled token (the final chunk carries none left over), and they arrive spread over the
  // generation: buffered output would arrive within a few ms, 20+ decode steps of even this model take longer.
  assert.equal(tokenChunks.length, usage.completion_tokens)
  assert.ok(tokenChunks.every((c) => c.choices[0].token_ids.length === 1))
  const spread = (tokenChunks.at(-1)?.at as number) - (tokenChunks[0]?.at as number)
  const arrivals = new Set(tokenChunks.map((c) => c.at)).size
  // Output buffered to the end is one write of a few kB, read at once; streamed chunks are written as sampled and
  // land in several reads. (No absolute time and no share of the tokens: an idle machine decodes 23 tokens of this
  // model in ~6 ms, so the client's reads coalesce many chunks.)
  assert.ok(arrivals >= 3, `chunks arrived at ${arrivals} distinct times over ${spread.toFixed(1)} ms for ${usage.completion_tokens} tokens`)
  // The deltas concatenate to the non-streamed text.
  const whole = await post('/completions', {prompt: 'Osk', temperature: 0, max_tokens: 120})
  assert.equal(chunks.map((c) => c.choices[0]?.text ?? '').join(''), whole.choices[0].text)
})

test('the openai: provider shrinks max_tokens to the context left, so an episode against ars serve model goes on past one turn', async () => {
  // Context from GET /models (max_model_len), through the registry as commands resolve it.
  const resolved = await resolveModel('openai:tiny', {baseUrl: base, tokenizer})
  assert.equal(resolved.contextLength, CONTEXT)
  // Token prompts: the provider never asks for more than is left.
  const long = tokenizer.encode('y'.repeat(CONTEXT - 12))
  const r = await resolved.generate({kind: 'tokens', tokenIds: long}, {maxTokens: 1024, temperature: 0, logprobs: true})
  assert.ok((r.tokenIds?.length ?? 0) >= 1 && (r.tokenIds?.length ?? 0) <= 12)
  await assert.rejects(resolved.generate({kind: 'tokens', tokenIds: tokenizer.encode('y'.repeat(CONTEXT))}, {maxTokens: 8}), ContextOverflowError)
  // Chat to a server it cannot ask first (no extensions): the server's context error says what is left
  // ("… 1000 tokens … (N in the prompt, …)"); the provider asks again for that much, and remembers the context.
  const chat = new OpenAIModel('tiny', {baseUrl: base, serverExtensions: false})
  const prompt = tokenizer.encode(tokenizer.applyChatTemplate([{role: 'user', content: 'x'.repeat(900)}])).length
  const reply = await chat.generate({kind: 'chat', messages: [{role: 'user', content: 'x'.repeat(900)}]}, {maxTokens: 1024, temperature: 0})
  assert.equal(reply.usage.promptTokens, prompt)
  assert.ok(reply.usage.completionTokens >= 1 && prompt + reply.usage.completionTokens <= CONTEXT)
  assert.equal(chat.contextLength, CONTEXT, 'learned from the error')

  // A whole agent episode through the real provider, 100 tokens a turn: the second turn's prompt leaves fewer than
  // 100, which used to end the episode in context_overflow after one turn.
  const question: Question = {type: 'question', version: 1, id: 'q1', question: 'Osk?', answers: ['Osk'], source: 'test', meta: {}}
  const tools = new AgentTools({search: new MemorySearch([{id: 'osk', title: 'Osk', text: 'Osk is a river.'}])})
  for (const model of [await resolveModel('openai:tiny', {baseUrl: base, tokenizer}), new OpenAIModel('tiny', {baseUrl: base, tokenizer})]) {
    const trajectory = await runEpisode(question, {model, tools, temperature: 0, maxTurns: 3, maxTokensPerTurn: 100, reward: {metric: 'f1'}, seed: 1, minTurnTokens: 4})
    assert.ok(trajectory.stats.turns >= 2, `finish ${trajectory.finish_reason} after ${trajectory.stats.turns} turn(s)`)
  }
})
