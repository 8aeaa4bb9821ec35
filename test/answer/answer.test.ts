// src/answer: one answer-extraction rule and one closed-book call, shared by eval, filter and synthesize.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {answerClosedBook, ClosedBookSolver, CLOSED_BOOK_MAX_TOKENS, extractAnswer, matchesAnyGold} from '../../src/answer/index.js'
import {closedBookAnswerer} from '../../src/eval/answerers.js'
import type {GenerateInput, GenerateResult, LanguageModel, SamplingOptions} from '../../src/llm/language-model.js'

test('extractAnswer: the last closed tag, else what follows an unclosed tag, else the first non-empty line', () => {
  assert.equal(extractAnswer('<think>hm</think><answer> Osk </answer>'), 'Osk')
  assert.equal(extractAnswer('<answer>a</answer> then <answer>b</answer>'), 'b')
  assert.equal(extractAnswer('<ANSWER>Lund</ANSWER>'), 'Lund', 'tags are matched case-insensitively')
  assert.equal(extractAnswer('<answer> Port Ivel'), 'Port Ivel', 'generation stopped at the </answer> stop string')
  assert.equal(extractAnswer('<answer>x</answer> and <answer>y'), 'x', 'a closed tag wins over a trailing open one')
  assert.equal(extractAnswer('\n  Osk\nbecause'), 'Osk', 'a reply without tags: its first non-empty line')
  assert.equal(extractAnswer('<answer></answer>'), null)
  assert.equal(extractAnswer('<answer>   '), null)
  assert.equal(extractAnswer(''), null)
})

test('matchesAnyGold: SQuAD-normalised exact match against any gold; no answer never matches', () => {
  assert.equal(matchesAnyGold('the  Osk.', ['Lund', 'Osk']), true)
  assert.equal(matchesAnyGold('Oskar', ['Osk']), false)
  assert.equal(matchesAnyGold(null, ['Osk']), false)
  assert.equal(matchesAnyGold('  ', ['']), false)
})

/** A model that returns `reply` for every prompt and records what it was asked. */
function replying(reply: string, chat: boolean): LanguageModel & {calls: {input: GenerateInput; options: SamplingOptions}[]} {
  const calls: {input: GenerateInput; options: SamplingOptions}[] = []
  return {
    specificationVersion: 'ars-lm-v1', id: 'fixed', capabilities: {tokens: false, logprobs: false, chat}, calls,
    async generate(input: GenerateInput, options: SamplingOptions): Promise<GenerateResult> {
      calls.push({input, options})
      return {text: reply, finishReason: 'stop', usage: {promptTokens: 10, completionTokens: 2}}
    },
  }
}

test('eval, filter and synthesize get the same closed-book answer from the same reply; only the temperature default differs', async () => {
  const replies = ['<answer> Osk </answer>', ' Osk', 'Osk\nbecause it is', '', '<answer>']
  for (const chat of [true, false]) {
    for (const reply of replies) {
      const model = replying(reply, chat)
      const direct = await answerClosedBook(model, 'Which river?', {temperature: 0, seed: 1})
      const solved = await new ClosedBookSolver(model).solve({id: 'q', question: 'Which river?', answers: ['Osk'], sample: 0})
      const evaluated = await closedBookAnswerer(model)({id: 'q', question: 'Which river?', answers: ['Osk']} as never, {index: 0, seed: 1, signal: new AbortController().signal} as never)
      assert.equal(solved, direct.answer, `solver, chat=${chat}, reply ${JSON.stringify(reply)}`)
      assert.equal(evaluated.answer, direct.answer, `eval, chat=${chat}, reply ${JSON.stringify(reply)}`)
      const [a, s, e] = model.calls
      assert.deepEqual([a, s, e].map((c) => c!.options.maxTokens), [CLOSED_BOOK_MAX_TOKENS, CLOSED_BOOK_MAX_TOKENS, CLOSED_BOOK_MAX_TOKENS])
      assert.deepEqual([s, e].map((c) => c!.options.temperature), [1, 0], 'a pass rate samples; eval answers greedily')
      assert.deepEqual(a!.input, s!.input)
      assert.deepEqual(a!.input, e!.input)
    }
  }
})
