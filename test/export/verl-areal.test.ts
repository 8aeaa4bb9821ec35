// export --format verl (parquet, read back with hyparquet and ars's own benchmark reader) and --format areal
// (the JSONL ASearcher's AReaL training reads), from Question and SynthItem records, through the real CLI.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {asyncBufferFromFile, parquetReadObjects, parquetSchema, parquetMetadataAsync} from 'hyparquet'
import {ROOT, lines, runCli} from '../helpers/cli.js'
import {loadBenchFile} from '../../src/eval/bench-formats.js'
import {SEARCH_R1_TEMPLATE, renderTemplate} from '../../src/agent/templates.js'

const dir = mkdtempSync(join(tmpdir(), 'ars-export-verl-'))
const world = join(ROOT, 'datasets', 'world-small')
const questions = readFileSync(join(world, 'questions', 'dev.jsonl'), 'utf8').split('\n').slice(0, 5).join('\n') + '\n'
const synthItem = {
  type: 'synth_item', version: 1, id: 'world-1-s0~synth', seed_id: 'world-1-s0', question: 'In which city was the director who is a member of Moranley University born?', answers: ['Asharstead'],
  source: 'synth', hops: 2, facts: [], history: [{step: 0, op: 'seed', question: 'In which city was Nadja Maruric born?'}], checks: {}, meta: {},
}
const input = questions + JSON.stringify(synthItem) + '\n'
const expected = lines(questions).map((q) => q as {id: string; question: string; answers: string[]; split: string}).concat([{id: synthItem.id, question: synthItem.question, answers: synthItem.answers, split: 'train'}])

test('verl parquet: Search-R1 columns, nested types, and a round trip through our reader', async () => {
  const out = join(dir, 'train.parquet')
  const r = await runCli(['export', '--format', 'verl', '--out', out], {input})
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stderr, /export verl: 6 rows/)
  const file = await asyncBufferFromFile(out)
  const schema = parquetSchema(await parquetMetadataAsync(file))
  assert.deepEqual(schema.children.map((c) => c.element.name), ['data_source', 'prompt', 'ability', 'reward_model', 'extra_info'])
  const rows = await parquetReadObjects({file}) as Array<Record<string, any>>
  assert.equal(rows.length, 6)
  const first = rows[0]!
  assert.equal(first.data_source, 'world')
  assert.deepEqual(first.prompt, [{role: 'user', content: renderTemplate(SEARCH_R1_TEMPLATE, expected[0]!.question).user}])
  assert.equal(first.ability, 'fact-reasoning')
  assert.deepEqual(first.reward_model, {style: 'rule', ground_truth: {target: expected[0]!.answers}})
  assert.deepEqual(first.extra_info, {split: 'dev', index: 0n, id: expected[0]!.id})
  // Rows are numbered within their split, as Search-R1's scripts do.
  assert.deepEqual(rows.map((x) => [x.extra_info.split, Number(x.extra_info.index)]), [['dev', 0], ['dev', 1], ['dev', 2], ['dev', 3], ['dev', 4], ['train', 0]])
  const loaded = await loadBenchFile(out, {source: 'verl-test'})
  assert.equal(loaded.format, 'verl')
  assert.deepEqual(loaded.questions.map((q) => ({id: q.id, question: q.question, answers: q.answers, split: q.split})), expected.map((e) => ({id: e.id, question: e.question, answers: e.answers, split: e.split})))
})

test('areal JSONL: question, answer list, id/idx as AReaL keys ground truth', async () => {
  const r = await runCli(['export', '--format', 'areal'], {input})
  assert.equal(r.code, 0, r.stderr)
  const rows = lines(r.stdout) as Array<Record<string, unknown>>
  assert.deepEqual(rows.map((x) => Object.keys(x)), rows.map(() => ['question', 'answer', 'source', 'id', 'idx']))
  assert.deepEqual(rows.map((x) => [x.id, x.idx, x.question, x.answer]), expected.map((e) => [e.id, e.id, e.question, e.answers]))
})

test('areal and verl refuse what their trainers cannot use', async () => {
  const at = await runCli(['export', '--format', 'areal'], {input: JSON.stringify({type: 'question', version: 1, id: 'a@b', question: 'Who?', answers: ['x'], source: 's'}) + '\n'})
  assert.equal(at.code, 1)
  assert.match(at.stderr, /contains "@"/)
  assert.match(at.stderr, /fix:/)
  const stdout = await runCli(['export', '--format', 'verl'], {input})
  assert.equal(stdout.code, 2)
  assert.match(stdout.stderr, /needs --out FILE/)
  const empty = await runCli(['export', '--format', 'areal'], {input: ''})
  assert.equal(empty.code, 1)
  assert.match(empty.stderr, /empty input/)
})

test.after(() => rmSync(dir, {recursive: true, force: true}))
