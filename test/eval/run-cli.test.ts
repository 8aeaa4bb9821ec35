// `ars eval` end to end through bin/run.js on the embedded world: the oracle agent, a scripted model through
// the real agent loop and world tools, closed-book answering, -k, --resume and --report.
import {episodeSeed} from '../../src/core/index.js'
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ROOT, lines, runCli} from '../helpers/cli.js'

const WORLD = join(ROOT, 'datasets/world-small')
const tmp = mkdtempSync(join(tmpdir(), 'ars-eval-run-'))

interface Row {id: string; sample_index: number; seed: number; prediction: string | null; scores: Record<string, number | null>; model: string; search: string; benchmark: string; split: string; stats: Record<string, number>; metrics: Record<string, string>}

test('the oracle answers world-test questions through search and page reads; table and report', async () => {
  const report = join(tmp, 'report')
  const r = await runCli(['eval', '--bench', 'world-test', '--model', 'oracle', '--search', WORLD, '--limit', '30', '--concurrency', '4', '--report', report])
  assert.equal(r.code, 0, r.stderr)
  const rows = lines(r.stdout) as Row[]
  assert.equal(rows.length, 30)
  const expectedIds = readFileSync(join(WORLD, 'questions/test.jsonl'), 'utf8').trim().split('\n').slice(0, 30).map((l) => (JSON.parse(l) as {id: string}).id)
  assert.deepEqual(rows.map((x) => x.id), expectedIds)
  const em = rows.filter((x) => x.scores.em === 1).length
  assert.ok(em >= 29, `oracle EM ${em}/30`)
  assert.equal(rows[0]?.benchmark, 'world-test')
  assert.equal(rows[0]?.split, 'test')
  assert.equal(rows[0]?.model, 'oracle')
  assert.equal(rows[0]?.search, WORLD)
  assert.ok((rows[0]?.stats.tool_calls ?? 0) > 0)
  assert.match(r.stderr, /world-test\s+em\s+30\s+1\s+\d+\.\d/)
  assert.ok(existsSync(join(report, 'report.md')))
  assert.equal((readFileSync(join(report, 'report.html'), 'utf8').match(/<svg /g) ?? []).length, 5)
})

test('--out with --resume keeps finished rows and runs only the missing ones', async () => {
  const out = join(tmp, 'resume.jsonl')
  const first = await runCli(['eval', '--bench', 'world-test', '--model', 'oracle', '--search', WORLD, '--limit', '4', '--out', out, '-q'])
  assert.equal(first.code, 0, first.stderr)
  assert.equal(first.stdout, '')
  assert.equal(readFileSync(out, 'utf8').trim().split('\n').length, 4)
  const second = await runCli(['eval', '--bench', 'world-test', '--model', 'oracle', '--search', WORLD, '--limit', '7', '--out', out, '--resume', '-q'])
  assert.equal(second.code, 0, second.stderr)
  assert.match(second.stderr, /resume: 4 rows already in/)
  const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row)
  assert.equal(rows.length, 7)
  assert.equal(new Set(rows.map((x) => x.id)).size, 7)
  assert.match(second.stderr, /world-test\s+em\s+7\s+1/)
})

test('a scripted model through the agent loop and world tools, -k 2 seeded, ordered under concurrency', async () => {
  const script = join(tmp, 'script.jsonl')
  writeFileSync(script, [JSON.stringify({turns: ['<think>look it up</think><search>Arargate musician 1960s</search>', '<think>found</think><answer>Dagny Norilan</answer>']})].join('\n') + '\n')
  const r = await runCli(['eval', '--bench', 'world-test', '--model', `scripted:${script}`, '--search', WORLD, '--limit', '3', '-k', '2', '--concurrency', '3', '-q'])
  assert.equal(r.code, 0, r.stderr)
  const rows = lines(r.stdout) as Row[]
  assert.deepEqual(rows.map((x) => [x.sample_index, x.seed]), rows.map((x) => [x.sample_index, episodeSeed(0, x.id, x.sample_index)]))
  assert.deepEqual(rows.map((x) => x.sample_index), [0, 1, 0, 1, 0, 1])
  assert.equal(rows[0]?.prediction, 'Dagny Norilan')
  assert.equal(rows[0]?.scores.em, 1)
  assert.equal(rows[2]?.scores.em, 0)
  assert.equal(rows[0]?.stats.turns, 2)
  assert.equal(rows[0]?.stats.tool_calls, 1)
  assert.match(r.stderr, /world-test\s+em\s+3\s+2\s+33\.3\s+33\.3@2/)
})

test('closed-book (--search none) on a benchmark file in its original format', async () => {
  const script = join(tmp, 'closed.jsonl')
  writeFileSync(script, JSON.stringify({turns: ['<answer>Chief of Protocol</answer>']}) + '\n')
  const r = await runCli(['eval', '--bench', join(ROOT, 'test/fixtures/eval/hotpotqa/hotpot_dev_distractor_v1.json'), '--model', `scripted:${script}`, '--search', 'none', '-q'])
  assert.equal(r.code, 0, r.stderr)
  const rows = lines(r.stdout) as Row[]
  assert.deepEqual(rows.map((x) => x.scores.em), [0, 1])
  assert.equal(rows[0]?.benchmark, 'hotpotqa')
  assert.equal(rows[0]?.split, 'dev')
  const bad = await runCli(['eval', '--bench', 'world-test', '--model', 'nosuch:x', '--search', 'none'])
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /--model "nosuch:x": unknown provider/)
})
