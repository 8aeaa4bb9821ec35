// SFT inputs → tokens and loss masks: chat-template rendering with assistant spans (+ closing <|im_end|>),
// train_on modes, Trajectory token ids used as recorded or rendered from messages, errors naming file:line.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {InvalidPolicy, type JsonLine} from '../../src/core/jsonl.js'
import {HfTokenizer, tokenizerPreset} from '../../src/model/tokenizer.js'
import {readSftSamples, renderConversation} from '../../src/train/sft-data.js'

const tokenizer = new HfTokenizer(tokenizerPreset('world'))
const messages = [
  {role: 'system' as const, content: 'Be brief.'},
  {role: 'user' as const, content: 'Capital of Brenn?'},
  {role: 'assistant' as const, content: '<answer>Osk</answer>'},
  {role: 'user' as const, content: 'And of Veltria?'},
  {role: 'assistant' as const, content: 'Veltria is ruled from Pell.'},
]

function trainedText(tokenIds: number[], lossMask: number[]): string[] {
  const spans: string[] = []
  let current: number[] = []
  tokenIds.forEach((id, i) => {
    if (lossMask[i]) current.push(id)
    else if (current.length) {
      spans.push(tokenizer.decode(current))
      current = []
    }
  })
  if (current.length) spans.push(tokenizer.decode(current))
  return spans
}

test('assistant content and its closing <|im_end|> carry loss; prompts, headers and newlines do not', () => {
  const {tokenIds, lossMask} = renderConversation(tokenizer, messages, 'assistant', 'x:1')
  assert.equal(tokenizer.decode(tokenIds), tokenizer.applyChatTemplate(messages, {addGenerationPrompt: false}), 'segments decode to the whole rendering')
  assert.deepEqual(tokenIds, tokenizer.encode(tokenizer.applyChatTemplate(messages, {addGenerationPrompt: false})), 'segment encoding equals whole-text encoding for ChatML')
  assert.deepEqual(trainedText(tokenIds, lossMask), ['<answer>Osk</answer><|im_end|>', 'Veltria is ruled from Pell.<|im_end|>'])
  const last = renderConversation(tokenizer, messages, 'last_assistant', 'x:1')
  assert.deepEqual(trainedText(last.tokenIds, last.lossMask), ['Veltria is ruled from Pell.<|im_end|>'])
  const all = renderConversation(tokenizer, messages, 'all', 'x:1')
  assert.ok(all.lossMask.every((m) => m === 1))
  assert.deepEqual(all.tokenIds, tokenIds)
})

async function* lines(values: unknown[], source = 'data.jsonl'): AsyncGenerator<JsonLine> {
  let line = 0
  for (const value of values) yield {source, line: ++line, value}
}

test('records by type: sft_example (default), trajectory with fitting ids as is, others from messages, weights', async () => {
  const trajectory = {
    type: 'trajectory', id: 'q1#0', question_id: 'q1', policy_version: 0, question: 'Capital of Brenn?', answer: 'Osk', reward: 1, finish_reason: 'answer',
    stats: {turns: 2, wall_ms: 5},
    messages: [{role: 'user', content: 'Capital of Brenn?'}, {role: 'assistant', content: '<search>Brenn</search>'}, {role: 'tool', content: '<information>\nBrenn: capital Osk\n</information>'}, {role: 'assistant', content: '<answer>Osk</answer>'}],
  }
  const policy = new InvalidPolicy('fail')
  const {samples, stats} = await readSftSamples(lines([
    {messages: messages.slice(0, 3), weight: 2},
    {...trajectory, token_ids: [5, 6, 7, 8], loss_mask: [0, 0, 1, 1]},
    {...trajectory, id: 'q1#1', token_ids: [5, 6, 99999], loss_mask: [0, 1, 1]},
    {...trajectory, id: 'q1#2'},
    {messages: messages.slice(0, 3), weight: 0},
  ]), {tokenizer, vocabSize: 2048, policy})
  assert.deepEqual(stats, {records: 5, sftExamples: 2, trajectories: 3, trajectoryTokens: 1, trajectoryFallbacks: 2, zeroWeight: 1})
  assert.equal(samples.length, 4)
  assert.equal(samples[0]?.weight, 2)
  assert.deepEqual(samples[1]?.tokenIds, [5, 6, 7, 8])
  assert.deepEqual(samples[1]?.lossMask, [0, 0, 1, 1])
  const fallback = samples[2]!
  assert.equal(fallback.where, 'data.jsonl:3')
  // the agent's token mode: prompt with generation header, assistant text trained, observations not
  assert.equal(tokenizer.decode(fallback.tokenIds), `${tokenizer.applyChatTemplate([{role: 'user', content: 'Capital of Brenn?'}], {addGenerationPrompt: true})}<search>Brenn</search>\n\n<information>\nBrenn: capital Osk\n</information>\n\n<answer>Osk</answer>`)
  assert.deepEqual(trainedText(fallback.tokenIds, fallback.lossMask), ['<search>Brenn</search>', '<answer>Osk</answer>'])
  assert.deepEqual(samples[3]?.tokenIds, fallback.tokenIds)
})

test('bad records name file:line and the field', async () => {
  const read = (values: unknown[]) => readSftSamples(lines(values), {tokenizer, vocabSize: 2048, policy: new InvalidPolicy('fail')})
  await assert.rejects(read([{messages: messages.slice(0, 3)}, {type: 'question', id: 'q', question: 'x'}]), /data\.jsonl:2: type: "question" cannot be trained on/)
  await assert.rejects(read([{messages: [{role: 'user', content: 'hi'}]}]), /data\.jsonl:1: invalid SftExample: .*messages.*no assistant message/)
  await assert.rejects(read([{messages: [{role: 'robot', content: 'hi'}]}]), /data\.jsonl:1: invalid SftExample: messages\[0\]\.role: expected "system"/)
  await assert.rejects(read([{type: 'trajectory', id: 'a', question_id: 'a', policy_version: 0, question: 'q', answer: null, reward: null, finish_reason: 'answer', stats: {turns: 0, wall_ms: 0}, messages: [], token_ids: [1, 2], loss_mask: [1]}]), /data\.jsonl:1: invalid Trajectory: loss_mask/)
  const skipping = new InvalidPolicy('skip')
  const {samples} = await readSftSamples(lines([{nope: 1}, {messages: messages.slice(0, 3)}]), {tokenizer, vocabSize: 2048, policy: skipping})
  assert.equal(samples.length, 1)
  assert.equal(skipping.invalid, 1)
})
