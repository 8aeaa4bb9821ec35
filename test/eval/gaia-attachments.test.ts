// GAIA with attachments: the loader keeps the questions whose file the file tool reads (and says why it skips
// the others), and `ars eval --bench gaia --attachments DIR` answers them with every tool through the agent loop.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {loadBenchmark} from '../../src/eval/benchmarks.js'
import {lines, runCli} from '../helpers/cli.js'
import {buildBm25} from '../helpers/bm25.js'
import {makeXlsx} from '../helpers/attachment-fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'ars-gaia-'))
test.after(() => rmSync(dir, {recursive: true, force: true}))
const rows = [
  {task_id: 't-text', Question: 'How many studio albums did the fictional band Osk publish?', Level: 1, 'Final answer': '3', file_name: ''},
  {task_id: 't-py', Question: 'What is the final numeric output from the attached Python code?', Level: 1, 'Final answer': '0', file_name: 'code.py'},
  {task_id: 't-xlsx', Question: 'What were the total units sold, according to the attached spreadsheet?', Level: 2, 'Final answer': '10', file_name: 'sales.xlsx'},
  {task_id: 't-png', Question: 'What is written on the attached image?', Level: 1, 'Final answer': 'x', file_name: 'photo.png'},
  {task_id: 't-mp3', Question: 'What page numbers are read out in the attached recording?', Level: 1, 'Final answer': '1', file_name: 'voice.mp3'},
  {task_id: 't-missing', Question: 'What does the attached PDF say?', Level: 1, 'Final answer': 'y', file_name: 'gone.pdf'},
]
writeFileSync(join(dir, 'metadata.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n')
writeFileSync(join(dir, 'code.py'), 'x = 5\nprint(x - 5)\n')
writeFileSync(join(dir, 'sales.xlsx'), await makeXlsx({Sales: [['Item', 'Units'], ['Apple', 3], ['Pear', 7]]}))
writeFileSync(join(dir, 'photo.png'), Buffer.from('89504e470d0a1a0a', 'hex'))
writeFileSync(join(dir, 'voice.mp3'), Buffer.from('494433', 'hex'))

test('loader: text-only without --attachments; with it, readable attachments are kept and the rest skipped with the reason', async () => {
  const textOnly = await loadBenchmark('gaia', {data: join(dir, 'metadata.jsonl')})
  assert.deepEqual(textOnly.questions.map((q) => q.id), ['t-text'])
  assert.deepEqual(textOnly.skipped, {'attached file (not text-only)': 5})
  const withFiles = await loadBenchmark('gaia', {data: join(dir, 'metadata.jsonl'), attachments: dir})
  assert.deepEqual(withFiles.questions.map((q) => [q.id, q.meta.file_name]), [['t-text', undefined], ['t-py', 'code.py'], ['t-xlsx', 'sales.xlsx']])
  assert.deepEqual(withFiles.skipped, {
    'attachment the file tool cannot read: .png is an image (text in images is out of scope)': 1,
    'attachment the file tool cannot read: .mp3 is audio': 1,
    [`attachment missing from ${dir}`]: 1,
  })
})

test('golden: ars eval --bench gaia --attachments DIR reads the files, computes, and scores with the GAIA scorer', async () => {
  const {dir: index} = await buildBm25([{id: 'osk', title: 'Osk (band)', text: 'Osk published 3 studio albums.'}])
  const script = join(dir, 'script.jsonl')
  writeFileSync(script, [
    {match: 'Python code', turns: ['<file>code.py</file>', '<code>let x = 5; x - 5</code>', '<answer>0</answer>']},
    {match: 'total units sold', turns: ['<file>sales.xlsx</file>', '<code>3 + 7</code>', '<answer>10</answer>']},
    {match: 'Osk', turns: ['<search>Osk studio albums</search>', '<answer>3</answer>']},
  ].map((s) => JSON.stringify(s)).join('\n') + '\n')
  const r = await runCli(['eval', '--bench', 'gaia', '--data', join(dir, 'metadata.jsonl'), '--attachments', dir, '--model', `scripted:${script}`, '--search', index])
  assert.equal(r.code, 0, r.stderr)
  const out = lines(r.stdout) as Array<{id: string; prediction: string; scores: Record<string, number>; stats: Record<string, number>}>
  assert.deepEqual(out.map((x) => [x.id, x.prediction, x.scores.gaia]), [['t-text', '3', 1], ['t-py', '0', 1], ['t-xlsx', '10', 1]])
  assert.deepEqual(out.map((x) => x.stats.tool_calls), [1, 2, 2])
  assert.match(r.stderr, /gaia: 3 questions from .*; 1 skipped: attachment the file tool cannot read: \.png is an image/)
  const wrong = await runCli(['eval', '--bench', 'gaia', '--data', join(dir, 'metadata.jsonl'), '--attachments', join(dir, 'nope'), '--model', `scripted:${script}`, '--search', index])
  assert.equal(wrong.code, 2)
  assert.match(wrong.stderr, /--attachments .*nope: no such folder/)
})
