// `ars rollout --model oracle` on inputs the oracle cannot solve: a question from outside the world is an
// --on-invalid error naming its file:line and id that loses no trajectory already done; KB-synthesized items (no meta.path) are
// solved from their facts; an item whose facts are not of this world is refused clearly, never a silent −0.1.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {lines, runCli} from '../helpers/cli.js'
import {SMALL_WORLD} from './helpers.js'

const worldQuestions = readFileSync(join(SMALL_WORLD, 'questions/test.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 3)
const outside = JSON.stringify({id: 'nq-1', question: 'Who wrote Hamlet?', answers: ['Shakespeare']})
const base = ['rollout', '--model', 'oracle', '--search', SMALL_WORLD, '-q']
type Row = {id: string; reward: number | null; answer: string | null; tool_calls: unknown[]}

test('a question outside the world: an error naming its id, after the trajectories before it; skip|warn keep going', async () => {
  const input = [worldQuestions[0], outside, worldQuestions[1], worldQuestions[2]].join('\n') + '\n'
  const failed = await runCli(base, {input})
  assert.equal(failed.code, 1)
  assert.match(failed.stderr, /error: stdin:2: question "nq-1": the oracle cannot solve it: it has no meta\.query/, 'names the line and the id')
  assert.match(failed.stderr, /--on-invalid skip\|warn/)
  assert.deepEqual((lines(failed.stdout) as Row[]).map((t) => t.id), [`${JSON.parse(worldQuestions[0]!).id}#0`], 'the trajectory done before the bad question is written')
  const file = join(mkdtempSync(join(tmpdir(), 'ars-oracle-')), 'mixed.jsonl')
  writeFileSync(file, input)
  const warned = await runCli([...base, '--on-invalid', 'warn', '-i', file])
  assert.equal(warned.code, 0, warned.stderr)
  assert.match(warned.stderr, /warning: \S*mixed\.jsonl:2: question "nq-1": the oracle cannot solve it/, 'names the file and line')
  const rows = lines(warned.stdout) as Row[]
  assert.equal(rows.length, 3)
  assert.ok(rows.every((t) => t.reward === 1), 'every world question solved')
})

test('synthesized items (no meta.path) are solved from their facts; facts from another world are refused', async () => {
  const seeds = readFileSync(join(SMALL_WORLD, 'seeds.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 4).join('\n') + '\n'
  const synth = await runCli(['synthesize', '--engine', 'kb', '--world', SMALL_WORLD, '-q'], {input: seeds})
  assert.equal(synth.code, 0, synth.stderr)
  const items = lines(synth.stdout) as {id: string; meta: Record<string, unknown>; facts: {id: string}[]}[]
  assert.ok(items.length >= 2, `synthesized ${items.length} items`)
  assert.ok(items.every((item) => item.meta.path === undefined), 'synthesized items carry no meta.path')
  const corrupt = {...items[0]!, id: 'corrupt~synth', facts: [{...items[0]!.facts[0]!, id: 'e99999999:born_in'}]}
  const input = [...items, corrupt].map((item) => JSON.stringify(item)).join('\n') + '\n'
  const r = await runCli([...base, '--on-invalid', 'warn'], {input})
  assert.equal(r.code, 0, r.stderr)
  const rows = lines(r.stdout) as Row[]
  assert.deepEqual(rows.map((t) => t.id), items.map((item) => `${item.id}#0`))
  for (const t of rows) {
    assert.equal(t.reward, 1, `${t.id}: answered ${t.answer}`)
    assert.ok(t.tool_calls.length >= 2, `${t.id} searched and read its pages`)
  }
  assert.match(r.stderr, new RegExp(`warning: stdin:${items.length + 1}: question "corrupt~synth": the oracle cannot solve it`))
  assert.match(r.stderr, /the oracle cannot solve it: supporting fact "e99999999:born_in" is not a fact of this world/)
})
