import {test} from 'node:test'
import assert from 'node:assert/strict'
import {DataError, UsageError} from '../../src/core/errors.js'
import {detectFormat, parseRecord, QuestionType, recordType, RECORD_TYPES, toQuestion, TrajectoryType, SynthItemType, EvalResultType, TrainMetricType, SftExampleType} from '../../src/core/records/index.js'

test('a minimal question gets its type, version and defaults', () => {
  const q = parseRecord(QuestionType, {id: 'q1', question: 'Who?', answers: ['X']})
  assert.deepEqual(q, {type: 'question', version: 1, id: 'q1', question: 'Who?', answers: ['X'], source: '', meta: {}})
})

test('errors name the field and what was expected and received', () => {
  const cases: [unknown, RegExp][] = [
    [{id: 'q', question: 'Q', answers: 'X'}, /^stdin:3: invalid Question: answers: expected array, got string$/],
    [{id: 'q', answers: []}, /question: required field is missing \(expected string\)/],
    [{id: 'q', question: 'Q', answers: [1]}, /answers\[0\]: expected string, got integer/],
    [{id: 'q', question: 'Q', answers: [], extra: 1}, /unknown field "extra" \(put extra data under "meta"\)/],
    [{id: 'q', question: 'Q', answers: [], version: 2}, /version: expected 1, got 2/],
    [{id: 'q', question: 'Q', answers: [], hops: 1.5}, /hops: expected int, got number/],
    [[1, 2], /expected a JSON object, got array/],
    ['text', /expected a JSON object, got string/],
  ]
  for (const [value, pattern] of cases) {
    assert.throws(() => parseRecord(QuestionType, value, 'stdin:3'), (e: unknown) => e instanceof DataError && e.exit === 1 && pattern.test(e.message), `for ${JSON.stringify(value)}`)
  }
})

test('a record of another type is named as such, with the fix', () => {
  assert.throws(() => parseRecord(QuestionType, {type: 'trajectory', id: 'x'}, 'f.jsonl:1'), (e: unknown) => e instanceof DataError && /this line is a "trajectory" record, expected "question"/.test(e.message) && /--type trajectory/.test(e.fix ?? ''))
})

test('trajectory token arrays must line up', () => {
  const base = {id: 't', question_id: 'q', policy_version: 0, question: 'Q', messages: [], answer: null, reward: null, finish_reason: 'answer', stats: {turns: 1, wall_ms: 5}}
  const ok = parseRecord(TrajectoryType, {...base, token_ids: [1, 2, 3], loss_mask: [0, 1, 1], behaviour_logprobs: [0, -0.5, -1]})
  assert.equal(ok.token_ids.length, 3)
  assert.throws(() => parseRecord(TrajectoryType, {...base, token_ids: [1, 2, 3], loss_mask: [0, 1]}), /loss_mask: length 2 differs from token_ids length 3/)
  assert.throws(() => parseRecord(TrajectoryType, {...base, token_ids: [1], loss_mask: [2]}), /loss_mask\[0\]/)
  assert.throws(() => parseRecord(TrajectoryType, {...base, finish_reason: 'bored'}), /finish_reason: expected "answer" or "turn_limit"/)
})

test('every record type accepts a minimal valid record', () => {
  parseRecord(SynthItemType, {id: 's', seed_id: 'q', question: 'Q?', answers: ['a'], facts: [{id: 'f1', text: 'A is B.', source: {url: 'http://x/a'}}], history: [{step: 0, op: 'seed', question: 'Q?'}], checks: {uniqueness: {verdict: 'pass', alternatives: []}}})
  parseRecord(EvalResultType, {id: 'q', benchmark: 'nq', question: 'Q', gold: ['a'], prediction: null, scores: {em: 0, judge: null}})
  parseRecord(TrainMetricType, {step: 1, policy_version: 1, time_ms: 10, metrics: {loss: 0.5}})
  const sft = parseRecord(SftExampleType, {messages: [{role: 'user', content: 'Q'}, {role: 'assistant', content: 'A'}]})
  assert.equal(sft.train_on, 'assistant')
  assert.throws(() => parseRecord(SftExampleType, {messages: [{role: 'user', content: 'Q'}]}, 'sft.jsonl:2'), /sft\.jsonl:2: .*no assistant message to train on/)
  assert.equal(parseRecord(SftExampleType, {messages: [{role: 'user', content: 'text'}], train_on: 'all'}).weight, 1)
})

test('recordType accepts CLI, type and title spellings; unknown types list the known ones', () => {
  assert.equal(recordType('synth-item').type, 'synth_item')
  assert.equal(recordType('synth_item').type, 'synth_item')
  assert.equal(recordType('EvalResult').type, 'eval_result')
  assert.throws(() => recordType('questions'), (e: unknown) => e instanceof UsageError && e.exit === 2 && /question, synth-item, trajectory, eval-result, train-metric, sft-example/.test(e.fix ?? ''))
  assert.equal(RECORD_TYPES.length, 6)
})

test('FlashRAG / Search-R1 rows', () => {
  const q = toQuestion({id: 'test_0', question: 'who got the first nobel prize in physics?', golden_answers: ['Wilhelm Conrad Röntgen'], metadata: {x: 1}}, 'flashrag')
  assert.deepEqual(q, {id: 'test_0', question: 'who got the first nobel prize in physics?', answers: ['Wilhelm Conrad Röntgen'], source: 'flashrag', meta: {x: 1}})
  assert.throws(() => toQuestion({question: 'q'}, 'flashrag', 'nq.jsonl:4'), /nq\.jsonl:4: not a flashrag row: golden_answers: required field is missing/)
})

test('verl rows: question from extra_info, or from the Search-R1 prompt template; ground_truth.target', () => {
  const prompt = 'Answer the given question. You must conduct reasoning inside <think> and </think> first every time you get new information. ... Question: who wrote the iliad?\n'
  const row = {data_source: 'nq', prompt: [{role: 'user', content: prompt}], ability: 'fact-reasoning', reward_model: {style: 'rule', ground_truth: {target: ['Homer']}}, extra_info: {split: 'train', index: 7}}
  assert.deepEqual(toQuestion(row, 'verl'), {id: '7', question: 'who wrote the iliad?', answers: ['Homer'], source: 'nq', split: 'train', meta: {ability: 'fact-reasoning'}})
  const row2 = {prompt: [{role: 'user', content: 'x'}], reward_model: {ground_truth: '42'}, extra_info: {question: 'What is six times seven?'}}
  assert.equal(toQuestion(row2, 'verl', undefined, 3).question, 'What is six times seven?')
  assert.deepEqual(toQuestion(row2, 'verl', undefined, 3).answers, ['42'])
  assert.equal(toQuestion(row2, 'verl', undefined, 3).id, 'verl-3')
})

test('GAIA rows: "?" answers (test split) become no answers', () => {
  const q = toQuestion({task_id: 'c61d22de', Question: 'How many studio albums?', Level: 1, 'Final answer': '3', file_name: ''}, 'gaia')
  assert.deepEqual(q, {id: 'c61d22de', question: 'How many studio albums?', answers: ['3'], source: 'gaia', meta: {level: 1}})
  assert.deepEqual(toQuestion({task_id: 't', Question: 'Q', 'Final answer': '?'}, 'gaia').answers, [])
})

test('plain QA rows: answer or answers, numbers become strings, extra fields go to meta', () => {
  assert.deepEqual(toQuestion({question: 'Q', answer: 1931, topic: 'x'}, 'qa', undefined, 9), {id: 'qa-9', question: 'Q', answers: ['1931'], source: 'qa', meta: {topic: 'x'}})
  assert.deepEqual(toQuestion({id: 'a', question: 'Q', answers: ['x', 'y']}, 'qa').answers, ['x', 'y'])
  assert.throws(() => toQuestion({question: 'Q', answers: [{}]}, 'qa', 'f:1'), /answers\[0\]: expected string, got object/)
})

test('auto detection picks the format per row and explains when it cannot', () => {
  assert.equal(detectFormat({question: 'q', golden_answers: []}), 'flashrag')
  assert.equal(detectFormat({prompt: [], reward_model: {}}), 'verl')
  assert.equal(detectFormat({Question: 'q', 'Final answer': 'a'}), 'gaia')
  assert.equal(detectFormat({question: 'q', answer: 'a'}), 'qa')
  assert.equal(detectFormat({type: 'question'}), 'ars')
  assert.throws(() => toQuestion({foo: 1, bar: 2}, 'auto', 'x.jsonl:2'), (e: unknown) => e instanceof DataError && /x\.jsonl:2: .*cannot tell the format from fields "foo", "bar"/.test(e.message) && /--from/.test(e.fix ?? ''))
})
