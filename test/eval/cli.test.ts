// Golden runs of the real bin/run.js: eval list, eval score (table, no-gold rows, unknown ids, judge flag
// errors), eval compare with bootstrap intervals, and the usage errors of eval.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync, existsSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ROOT, lines, runCli} from '../helpers/cli.js'

const F = join(ROOT, 'test/fixtures/eval')
const tmp = mkdtempSync(join(tmpdir(), 'ars-eval-cli-'))

test('eval list shows every benchmark with its default metric', async () => {
  const r = await runCli(['eval', 'list'])
  assert.equal(r.code, 0, r.stderr)
  for (const name of ['nq', 'triviaqa', 'popqa', 'hotpotqa', '2wiki', 'musique', 'bamboogle', 'frames', 'gaia', 'xbench-deepsearch', 'browsecomp', 'world-train', 'world-dev', 'world-test']) assert.match(r.stdout, new RegExp(`^${name}\\s`, 'm'))
  assert.match(r.stdout, /^gaia\s+deep-search\s+gaia\s+validation\s+gaia,flashrag,verl/m)
  const json = await runCli(['eval', 'list', '--json'])
  assert.equal(lines(json.stdout).length, 14)
  const formats = await runCli(['eval', 'list', '--formats'])
  assert.match(formats.stdout, /cover_em\s+search-r1-subem\/1/)
})

test('eval score: EvalResult lines in input order, table on stderr, no-gold rows reported', async () => {
  const preds = ['{"id":"2hop__460946_294723","prediction":"Miquette"}', '{"id":"3hop1__9285_5188_23307","prediction":"in mid-June 1939"}', '{"id":"4hop1__1_2_3_4","prediction":"x"}'].join('\n') + '\n'
  const r = await runCli(['eval', 'score', '--data', join(F, 'musique/musique_ans_v1.0_dev.jsonl'), '--model', 'sys-a', '--report', join(tmp, 'rep')], {input: preds})
  assert.equal(r.code, 0, r.stderr)
  const rows = lines(r.stdout) as {id: string; benchmark: string; scores: Record<string, number | null>; metrics: Record<string, string>; model: string; hops: number}[]
  assert.deepEqual(rows.map((x) => x.id), ['2hop__460946_294723', '3hop1__9285_5188_23307', '4hop1__1_2_3_4'])
  assert.deepEqual(rows.map((x) => x.scores.em), [1, 0, null])
  assert.deepEqual(rows.map((x) => x.scores.cover_em), [1, 1, null])
  assert.equal(rows[0]?.benchmark, 'musique')
  assert.equal(rows[0]?.model, 'sys-a')
  assert.equal(rows[1]?.hops, 3)
  assert.deepEqual(rows[0]?.metrics, {em: 'squad-v1.1/1', f1: 'hotpotqa-v1/1', cover_em: 'search-r1-subem/1'})
  assert.match(r.stderr, /1 without gold answers \(reported as no-gold, not scored\)/)
  assert.match(r.stderr, /musique\s+em\s+2\s+1\s+50\.0\s+50\.0\s+1\s+0/)
  assert.ok(existsSync(join(tmp, 'rep', 'report.html')))
})

test('eval score: an unknown id is a file:line error (exit 1) unless skipped; missing predictions are counted', async () => {
  const gold = join(F, 'hotpotqa/hotpot_dev_distractor_v1.json')
  const bad = await runCli(['eval', 'score', '--data', gold], {input: '{"id":"5a8b57f25542995d1e6f1371","prediction":"no"}\n{"id":"zzz","prediction":"x"}\n'})
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /error: stdin:2: prediction for unknown id "zzz"/)
  assert.equal(lines(bad.stdout).length, 1)
  const skip = await runCli(['eval', 'score', '--data', gold, '--on-invalid', 'skip'], {input: '{"id":"5a8b57f25542995d1e6f1371","prediction":"no"}\n{"id":"zzz","prediction":"x"}\n'})
  assert.equal(skip.code, 0, skip.stderr)
  assert.match(skip.stderr, /1 of 2 gold questions have no prediction/)
  // "no" vs gold "yes": HotpotQA's rule gives F1 0
  assert.equal((lines(skip.stdout)[0] as {scores: {f1: number}}).scores.f1, 0)
  const malformed = await runCli(['eval', 'score', '--data', gold], {input: '{"id":"5a8b57f25542995d1e6f1371"}\n'})
  assert.equal(malformed.code, 1)
  assert.match(malformed.stderr, /stdin:1: invalid prediction: prediction: required field is missing/)
})

test('eval score: unknown gold format lists the formats and exits 1; bad flags exit 2', async () => {
  writeFileSync(join(tmp, 'odd.jsonl'), '{"q": 1}\n')
  const r = await runCli(['eval', 'score', '--data', join(tmp, 'odd.jsonl')], {input: ''})
  assert.equal(r.code, 1)
  assert.match(r.stderr, /unknown benchmark format: a jsonl file with fields "q". Known formats:\n\s+nq-open/)
  const m = await runCli(['eval', 'score', '--data', join(F, 'nq/test.jsonl'), '--metrics', 'bleu'], {input: ''})
  assert.equal(m.code, 2)
  assert.match(m.stderr, /--metrics: unknown metric "bleu"/)
  const gaia = await runCli(['eval', 'score', '--bench', 'gaia', '--data', join(F, 'gaia'), '--metrics', 'gaia'], {input: '{"id":"04a04a9b-226c-43fd-b319-d5e89743676f","prediction":"apples,pears,plums"}\n'})
  assert.equal(gaia.code, 0, gaia.stderr)
  assert.deepEqual((lines(gaia.stdout)[0] as {scores: unknown}).scores, {gaia: 1})
})

test('eval compare: per-benchmark deltas with bootstrap intervals, seeded', async () => {
  const gold = join(F, 'world/questions/test.jsonl')
  const a = await runCli(['eval', 'score', '--data', gold, '-q'], {input: '{"id":"w-test-0","prediction":"Osk"}\n{"id":"w-test-1","prediction":"nobody"}\n{"id":"w-test-2","prediction":"1900"}\n'})
  const b = await runCli(['eval', 'score', '--data', gold, '-q'], {input: '{"id":"w-test-0","prediction":"Osk"}\n{"id":"w-test-1","prediction":"M. Tal"}\n{"id":"w-test-2","prediction":"1931"}\n'})
  writeFileSync(join(tmp, 'a.jsonl'), a.stdout)
  writeFileSync(join(tmp, 'b.jsonl'), b.stdout)
  const r = await runCli(['eval', 'compare', join(tmp, 'a.jsonl'), join(tmp, 'b.jsonl'), '--seed', '1'])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /world-test\s+em\s+3\s+33\.3\s+100\.0\s+\+66\.7\s+\[\+\d+\.\d, \+100\.0\]/)
  const json = await runCli(['eval', 'compare', join(tmp, 'a.jsonl'), join(tmp, 'b.jsonl'), '--json'])
  const row = lines(json.stdout).find((x) => (x as {metric: string}).metric === 'em') as {delta: number; pairs: number}
  assert.ok(Math.abs(row.delta - 2 / 3) < 1e-12)
  assert.equal(row.pairs, 3)
  const missing = await runCli(['eval', 'compare', join(tmp, 'a.jsonl'), join(tmp, 'nope.jsonl')])
  assert.equal(missing.code, 2)
  assert.match(missing.stderr, /nope\.jsonl: no such file/)
})

test('eval: usage errors name the flag and the fix', async () => {
  const resume = await runCli(['eval', '--bench', 'world-test', '--model', 'scripted:x', '--search', 'none', '--resume'])
  assert.equal(resume.code, 2)
  assert.match(resume.stderr, /--resume needs --out FILE/)
  const noData = await runCli(['eval', '--bench', 'hotpotqa', '--model', 'scripted:x', '--search', 'none'])
  assert.equal(noData.code, 2)
  assert.match(noData.stderr, /--bench hotpotqa needs --data PATH/)
  assert.match(noData.stderr, /ars eval download hotpotqa/)
})

test('eval score --judge: verdicts from a real model spec, cached, usage printed; a failing judge leaves rows unjudged', async () => {
  const good = join(tmp, 'judge-good.jsonl')
  writeFileSync(good, JSON.stringify({turns: ['Same fact.\nVERDICT: CORRECT']}) + '\n')
  const cache = join(tmp, 'judge-cache.jsonl')
  const input = '{"id":"w-test-1","prediction":"Mira Tal, the founder"}\n'
  const gold = join(F, 'world/questions/test.jsonl')
  const r = await runCli(['eval', 'score', '--data', gold, '--judge', `scripted:${good}`, '--judge-cache', cache, '-q'], {input})
  assert.equal(r.code, 0, r.stderr)
  const row = lines(r.stdout)[0] as {scores: Record<string, number | null>; metrics: Record<string, string>}
  assert.equal(row.scores.judge, 1)
  assert.equal(row.scores.em, 0)
  assert.match(row.metrics.judge ?? '', /^ars-judge-v1\/scripted/)
  assert.match(r.stderr, /judge ars-judge-v1\/\S+: 1 calls, 0 cached, 0 unjudged/)
  const bad = join(tmp, 'judge-bad.jsonl')
  writeFileSync(bad, JSON.stringify({turns: [{error: 'HTTP 503'}]}) + '\n')
  const failed = await runCli(['eval', 'score', '--data', gold, '--judge', `scripted:${bad}`, '--judge-cache', join(tmp, 'other-cache.jsonl'), '--judge-attempts', '2', '-q'], {input})
  assert.equal(failed.code, 0, failed.stderr)
  const frow = lines(failed.stdout)[0] as {scores: Record<string, number | null>; meta: {judge_error?: string}}
  assert.equal(frow.scores.judge, null)
  assert.match(frow.meta.judge_error ?? '', /judge failed after 2 attempts/)
  assert.match(failed.stderr, /world-test\s+judge\s+0\s+1\s+—\s+—\s+0\s+1/)
})

test('eval score: a duplicate (id, sample_index) is an error unless --on-duplicate says which to keep; wrong types are errors', async () => {
  const gold = join(F, 'hotpotqa/hotpot_dev_distractor_v1.json')
  const id = '5a8b57f25542995d1e6f1371'
  // One wrong and one right answer for the same sample used to count as two samples: pass@2 = 100 %.
  const input = `{"id":"${id}","prediction":"no"}\n{"id":"${id}","prediction":"yes"}\n`
  const dup = await runCli(['eval', 'score', '--data', gold], {input})
  assert.equal(dup.code, 1)
  assert.match(dup.stderr, /error: stdin:2: duplicate prediction for id "5a8b57f25542995d1e6f1371", sample_index 0 \(first at stdin:1\)/)
  assert.match(dup.stderr, /--on-duplicate first\|last/)
  assert.equal(lines(dup.stdout).length, 1, 'the first line was scored and kept')
  for (const [mode, prediction] of [['first', 'no'], ['last', 'yes']] as const) {
    const r = await runCli(['eval', 'score', '--data', gold, '--on-duplicate', mode], {input})
    assert.equal(r.code, 0, r.stderr)
    const results = lines(r.stdout) as {prediction: string; sample_index: number}[]
    assert.deepEqual(results.map((x) => [x.prediction, x.sample_index]), [[prediction, 0]])
  }
  // Distinct sample indices are distinct samples.
  const two = await runCli(['eval', 'score', '--data', gold], {input: `{"id":"${id}","prediction":"no","sample_index":0}\n{"id":"${id}","prediction":"yes","sample_index":1}\n`})
  assert.equal(two.code, 0, two.stderr)
  assert.equal(lines(two.stdout).length, 2)
  // Wrong types: each line an error at its place (one run, --on-invalid warn, the one good line still scored).
  const typed = [['sample_index', '"zero"'], ['sample_index', '-1'], ['sample_index', '1.5'], ['seed', '"7"'], ['stats', '[1]']].map(([field, value]) => `{"id":"${id}","prediction":"yes","${field}":${value}}`)
  const warned = await runCli(['eval', 'score', '--data', gold, '--on-invalid', 'warn'], {input: [...typed, `{"id":"${id}","prediction":"yes"}`].join('\n') + '\n'})
  assert.equal(warned.code, 0, warned.stderr)
  assert.equal(lines(warned.stdout).length, 1)
  for (const expected of ['stdin:1: invalid prediction: sample_index: expected a non-negative integer, got "zero"', 'stdin:2: invalid prediction: sample_index: expected a non-negative integer, got -1', 'stdin:3: invalid prediction: sample_index: expected a non-negative integer, got 1.5', 'stdin:4: invalid prediction: seed: expected an integer, got "7"', 'stdin:5: invalid prediction: stats: expected an object of numbers, got [1]']) {
    assert.ok(warned.stderr.includes(`warning: ${expected}`), expected)
  }
  const strict = await runCli(['eval', 'score', '--data', gold], {input: typed[0] + '\n'})
  assert.equal(strict.code, 1)
  assert.match(strict.stderr, /error: stdin:1: invalid prediction: sample_index/)
})

test('eval score on a file mixing benchmarks: one table line per benchmark; ids repeated across them need "benchmark"', async () => {
  const gold = join(F, 'mixed/searchr1-test.parquet')
  // Search-R1's ids restart per data source: predictions name their data_source (as the parquet rows do).
  const preds = [
    {id: 'test_0', data_source: 'nq', prediction: 'Don Schlitz'},
    {id: 'test_1', data_source: 'nq', prediction: 'Sydney'},
    {id: 'test_0', data_source: 'hotpotqa', prediction: 'yes'},
    {id: 'test_0', benchmark: '2wiki', prediction: 'Małgorzata Braunek'},
    {id: 'test_0', data_source: 'bamboogle', prediction: 'no idea'},
  ].map((p) => JSON.stringify(p)).join('\n') + '\n'
  const [r, nq, ambiguous] = await Promise.all([
    runCli(['eval', 'score', '--data', gold], {input: preds}),
    runCli(['eval', 'score', '--bench', 'nq', '--data', gold], {input: '{"id":"test_1","prediction":"Canberra"}\n'}),
    runCli(['eval', 'score', '--data', gold], {input: '{"id":"test_0","prediction":"x"}\n'}),
  ])
  assert.equal(r.code, 0, r.stderr)
  const rows = lines(r.stdout) as {id: string; benchmark: string; scores: Record<string, number | null>; hops?: number}[]
  assert.deepEqual(rows.map((x) => [x.benchmark, x.scores.em]), [['nq', 1], ['nq', 0], ['hotpotqa', 1], ['2wiki', 1], ['bamboogle', 0]])
  assert.equal(rows[2]?.hops, 2)
  for (const [bench, n, avg] of [['nq', 2, '50.0'], ['hotpotqa', 1, '100.0'], ['2wiki', 1, '100.0'], ['bamboogle', 1, '0.0']] as const) {
    assert.match(r.stderr, new RegExp(`^${bench}\\s+em\\s+${n}\\s+1\\s+${avg.replace('.', '\\.')}\\s`, 'm'), r.stderr)
  }
  // --bench NAME on the mixed file scores that benchmark's rows; bare ids are then unambiguous.
  assert.equal(nq.code, 0, nq.stderr)
  assert.deepEqual((lines(nq.stdout) as {benchmark: string; scores: {em: number}}[]).map((x) => [x.benchmark, x.scores.em]), [['nq', 1]])
  assert.match(nq.stderr, /3 skipped: other benchmarks in the file \(hotpotqa, 2wiki, bamboogle\)/)
  assert.equal(ambiguous.code, 1)
  assert.match(ambiguous.stderr, /stdin:1: prediction id "test_0" is in 4 benchmarks/)
  assert.match(ambiguous.stderr, /Add "benchmark" \(or "data_source"\)/)
})

test('records convert reads the parquet files eval reads, and JSON arrays; a parquet on stdin names the fix', async () => {
  const [pq, arr, gaia, piped] = await Promise.all([
    runCli(['records', 'convert', '-i', join(F, 'mixed/deepresearcher-test.parquet')]),
    runCli(['records', 'convert', '-i', join(F, 'arrays/questions.json')]),
    runCli(['records', 'convert', '--from', 'gaia', '-i', join(F, 'gaia/metadata-answer.jsonl')]),
    runCli(['records', 'convert'], {input: readFileSync(join(F, 'mixed/searchr1-test.parquet'))}),
  ])
  assert.equal(pq.code, 0, pq.stderr)
  const qs = lines(pq.stdout) as {source: string; answers: string[]}[]
  assert.equal(qs.length, 6)
  assert.deepEqual(qs[0]?.answers, ['Linda Davis', 'Linda Kaye Davis'])
  assert.equal(qs[4]?.source, 'bamboogle')
  assert.equal(arr.code, 0, arr.stderr)
  assert.equal(lines(arr.stdout).length, 3)
  assert.deepEqual((lines(gaia.stdout) as {answers: string[]}[]).map((q) => q.answers), [['3'], ['apples, pears, plums']])
  assert.equal(piped.code, 1)
  assert.match(piped.stderr, /stdin:1: this is a parquet file, not JSONL/)
  assert.match(piped.stderr, /ars records convert -i FILE\.parquet/)
})
