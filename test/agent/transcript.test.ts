// One transcript interface, two implementations: the same scripted episode through the agent loop as a token-level
// model (TokenTranscript) and as a chat model (ChatTranscript) — same conversation; the token record is exactly
// the conversation's token rendering; the chat model is sent messages. Both drop the oldest tool output to fit.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {ByteTokenizer} from '../../src/llm/byte-tokenizer.js'
import {ScriptedModel, scriptedLogprob} from '../../src/llm/scripted.js'
import type {GenerateInput, LanguageModel} from '../../src/llm/index.js'
import {runEpisode} from '../../src/agent/loop.js'
import {AgentTools} from '../../src/agent/tools.js'
import {conversationTokens} from '../../src/agent/conversation-tokens.js'
import {ChatTranscript, openTranscript, TokenTranscript} from '../../src/agent/transcript.js'
import {TrajectoryType, parseRecord, type Question} from '../../src/core/records/index.js'
import {buildBm25} from '../helpers/bm25.js'

const tok = new ByteTokenizer()
const docs = [
  {id: 'veltria', title: 'Veltria', text: 'Veltria is a country. Its capital is Brenn.'},
  {id: 'brenn', title: 'Brenn', text: 'Brenn is the capital of Veltria. The river Osk flows through Brenn.'},
]
const question: Question = {type: 'question', version: 1, id: 'q1', question: 'Which river flows through the capital of Veltria?', answers: ['Osk'], source: 'test', meta: {}}
const {index: search} = await buildBm25(docs)
const turns = ['<think>The capital first.</think>\n<search>Veltria capital</search>', '<access>doc:brenn</access>', '<answer>Osk</answer>']

/** The scripted model, with every input it was given kept. */
function recording(tokens: boolean): {model: LanguageModel; inputs: GenerateInput[]} {
  const inner = new ScriptedModel([{turns}], tokens ? {tokenizer: tok} : {})
  const inputs: GenerateInput[] = []
  const model: LanguageModel = {
    specificationVersion: 'ars-lm-v1', id: inner.id, capabilities: inner.capabilities, tokenizer: inner.tokenizer, contextLength: inner.contextLength,
    // A copy: the token view of a sequence that fits is the live sequence, which grows.
    generate: (input, options) => (inputs.push(structuredClone(input)), inner.generate(input, options)),
  }
  return {model, inputs}
}

test('the loop runs both transcripts: one conversation; tokens exactly its rendering; chat models get messages', async () => {
  const runs = await Promise.all([true, false].map(async (tokens) => {
    const {model, inputs} = recording(tokens)
    const t = parseRecord(TrajectoryType, await runEpisode(question, {model, tools: new AgentTools({search}), reward: {metric: 'em'}, temperature: 0, now: () => 0}))
    return {t, inputs}
  }))
  const [token, chat] = runs as [(typeof runs)[0], (typeof runs)[0]]
  for (const {t} of runs) {
    assert.equal(t.finish_reason, 'answer')
    assert.equal(t.answer, 'Osk')
    assert.deepEqual(t.messages.filter((m) => m.role === 'assistant').map((m) => m.content), turns)
  }
  // The same conversation and tool calls whichever transcript held it.
  assert.deepEqual(chat.t.messages, token.t.messages)
  assert.deepEqual(chat.t.tool_calls, token.t.tool_calls)

  // Token transcript: the sequence is the conversation rendered as the loop feeds it, replies trained on, with
  // the model's log-probs; each turn's input is the sequence so far.
  const rendered = conversationTokens(token.t.messages, tok)
  assert.deepEqual(token.t.token_ids, rendered.tokenIds)
  assert.deepEqual(token.t.loss_mask, rendered.lossMask)
  let p = 0
  token.t.loss_mask.forEach((m, i) => {
    if (m === 1 && token.t.loss_mask[i - 1] !== 1) p = 0
    assert.equal(token.t.behaviour_logprobs[i], m === 1 ? scriptedLogprob(token.t.token_ids[i]!, p++) : 0)
  })
  assert.ok(token.inputs.every((input) => input.kind === 'tokens'))
  const last = token.inputs.at(-1)!
  assert.ok(last.kind === 'tokens' && last.tokenIds.length < token.t.token_ids.length)
  assert.deepEqual(last.kind === 'tokens' && last.tokenIds, token.t.token_ids.slice(0, last.kind === 'tokens' ? last.tokenIds.length : 0))
  assert.equal(token.t.stats.tokens, token.t.token_ids.length)

  // Chat transcript: no token record; each input is the messages so far, observations as user turns.
  assert.deepEqual([chat.t.token_ids, chat.t.loss_mask, chat.t.behaviour_logprobs, chat.t.version_spans], [[], [], [], []])
  assert.deepEqual(chat.inputs.map((input) => input.kind === 'chat' && input.messages.map((m) => m.role)), [
    ['user'], ['user', 'assistant', 'user'], ['user', 'assistant', 'user', 'assistant', 'user'],
  ])
  const lastChat = chat.inputs.at(-1)!
  assert.deepEqual(lastChat.kind === 'chat' && lastChat.messages.map((m) => m.content), chat.t.messages.slice(0, -1).map((m) => m.content))
})

test('openTranscript: token-level with a tokenizer, chat otherwise; both drop the oldest tool output to fit', () => {
  const opening = () => [{role: 'user' as const, content: 'Q: which river?'}]
  const placeholder = '\n\n<information>\n[removed]\n</information>\n\n'
  const token = openTranscript(recording(true).model, opening(), placeholder)
  const chat = openTranscript(recording(false).model, opening(), placeholder)
  assert.ok(token instanceof TokenTranscript && token.logprobsByDefault)
  assert.ok(chat instanceof ChatTranscript && !chat.logprobsByDefault)
  const observation = `\n\n<information>\n${'Brenn lies on the Osk. '.repeat(20)}\n</information>\n\n`
  for (const t of [token, chat]) {
    t.reply({text: '<search>Osk</search>', tokenIds: tok.encode('<search>Osk</search>'), logprobs: [], finishReason: 'stop', usage: {promptTokens: 0, completionTokens: 5}}, 0)
    assert.ok(t.observe(observation) > 0)
    const full = t.next(100_000, 32)!
    assert.equal(full.dropped, 0)
    const tight = t.next(full.promptTokens - 40 + 32, 32)!
    assert.equal(tight.dropped, 1, 'the tool output is replaced to fit')
    assert.ok(tight.promptTokens < full.promptTokens)
    assert.equal(t.next(10, 32), undefined, 'cannot fit at all')
    // The record keeps every observation: only the view lost it.
    assert.equal(t.messages.at(-1)!.content, observation.trim())
  }
})
