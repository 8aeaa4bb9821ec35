// scripts/rl-headroom.mjs (used by scripts/train-search-policy.sh): questions split by the start's greedy answer and
// whether any of its samples was right, and how many of each cell later policies answer right greedily.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {ROOT} from '../helpers/cli.js'

const run = promisify(execFile)
const SCRIPT = join(ROOT, 'scripts', 'rl-headroom.mjs')
const result = (id: string, em: number, sample = 0): string => JSON.stringify({type: 'eval_result', id, sample_index: sample, scores: {em, f1: em}})
/** Table `n`'s body rows (after its header and rule; tables are separated by a blank line), each as trimmed cells. */
const tableRows = (stdout: string, n = 0): string[][] => stdout.trim().split('\n\n')[n]!.trim().split('\n').slice(2).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()))

test('rl-headroom: right greedily / wrong but sampled right / never right, and each later policy in every cell', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ars-headroom-'))
  t.after(() => rmSync(dir, {recursive: true, force: true}))
  // q1 right greedily; q2 and q3 wrong but right in one of 3 samples; q4 never right.
  writeFileSync(join(dir, 'greedy.jsonl'), [result('q1', 1), result('q2', 0), result('q3', 0), result('q4', 0)].join('\n') + '\n')
  const samples = [['q1', [1, 1, 0]], ['q2', [0, 1, 0]], ['q3', [0, 0, 1]], ['q4', [0, 0, 0]]] as const
  writeFileSync(join(dir, 'samples.jsonl'), samples.flatMap(([id, ems]) => ems.map((em, i) => result(id, em, i))).join('\n') + '\n')
  // After: q1 lost, q2 gained, q4 gained.
  writeFileSync(join(dir, 'after.jsonl'), [result('q1', 0), result('q2', 1), result('q3', 0), result('q4', 1)].join('\n') + '\n')
  const {stdout} = await run(process.execPath, [SCRIPT, join(dir, 'greedy.jsonl'), join(dir, 'samples.jsonl'), join(dir, 'after.jsonl')])
  assert.deepEqual(tableRows(stdout), [
    ['right greedily', '1', '0'],
    ['wrong greedily, right in some of 3 samples (the headroom)', '2', '1'],
    ['wrong greedily and in all 3 samples', '1', '1'],
  ])
  // By right samples: q4 0 of 3; q2, q3 1 of 3 (q2 gained); q1 2 of 3 (lost). No sample count of 3 here.
  assert.deepEqual(tableRows(stdout, 1), [
    ['0', '1', '0', '1 / 0'],
    ['1', '2', '0', '1 / 0'],
    ['2', '1', '1', '0 / 1'],
    ['3', '0', '0', '0 / 0'],
  ])
  // Without later policies: the cells and their sizes only, no empty column.
  const alone = await run(process.execPath, [SCRIPT, join(dir, 'greedy.jsonl'), join(dir, 'samples.jsonl')])
  assert.deepEqual(tableRows(alone.stdout), [
    ['right greedily', '1'],
    ['wrong greedily, right in some of 3 samples (the headroom)', '2'],
    ['wrong greedily and in all 3 samples', '1'],
  ])
})

test('rl-headroom: a line that is not JSON names the file and line; no arguments print the usage', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ars-headroom-'))
  t.after(() => rmSync(dir, {recursive: true, force: true}))
  writeFileSync(join(dir, 'greedy.jsonl'), `${result('q1', 1)}\nnot json\n`)
  writeFileSync(join(dir, 'samples.jsonl'), `${result('q1', 1)}\n`)
  await assert.rejects(run(process.execPath, [SCRIPT, join(dir, 'greedy.jsonl'), join(dir, 'samples.jsonl')]), (e: {code: number; stderr: string}) => {
    assert.equal(e.code, 1)
    assert.match(e.stderr, /greedy\.jsonl:2: not JSON .*pass ars eval output/)
    return true
  })
  await assert.rejects(run(process.execPath, [SCRIPT]), (e: {code: number; stderr: string}) => e.code === 2 && /usage: node scripts\/rl-headroom\.mjs/.test(e.stderr))
})
