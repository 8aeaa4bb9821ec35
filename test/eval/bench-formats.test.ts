// Every benchmark loads from a fixture in its original release format and from one copy format; encrypted
// releases decrypt in memory; unknown formats and rows without answers are reported, not guessed.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {loadBenchmark, BENCHMARKS} from '../../src/eval/benchmarks.js'
import {browseCompDecrypt, browseCompEncrypt, xbenchDecrypt, xbenchEncrypt} from '../../src/eval/decrypt.js'
import {parseDelimited} from '../../src/eval/tabular.js'
import {DataError, UsageError} from '../../src/core/errors.js'
import {ROOT} from '../helpers/cli.js'

const F = join(ROOT, 'test/fixtures/eval')

const CASES: [bench: string, file: string, format: string, count: number, firstId: string, firstAnswers: string[]][] = [
  ['nq', 'nq/NQ-open.dev.jsonl', 'nq-open', 3, 'nq-0', ['Don Schlitz']],
  ['nq', 'nq/test.jsonl', 'flashrag', 2, 'test_0', ['Don Schlitz']],
  ['triviaqa', 'triviaqa/unfiltered-web-dev.json', 'triviaqa', 2, 'tc_1', ['Mars', 'Planet Mars', 'The Red Planet', 'mars', 'planet mars', 'red planet']],
  ['triviaqa', 'triviaqa/test.parquet', 'verl', 2, 'test_0', ['Mars', 'The Red Planet']],
  ['popqa', 'popqa/popQA.tsv', 'popqa', 3, '4222362', ['politician', 'political leader', 'political figure']],
  ['popqa', 'popqa/test.jsonl', 'flashrag', 1, 'test_0', ['politician', 'political leader']],
  ['hotpotqa', 'hotpotqa/hotpot_dev_distractor_v1.json', 'hotpotqa', 2, '5a8b57f25542995d1e6f1371', ['yes']],
  ['hotpotqa', 'hotpotqa/test.parquet', 'verl', 1, 'test_0', ['yes']],
  ['2wiki', '2wiki/dev.json', '2wiki', 2, '8813f87c0bdd11eba7f7acde48001122', ['Małgorzata Braunek']],
  ['2wiki', '2wiki/dev.jsonl', 'flashrag', 1, 'test_0', ['Małgorzata Braunek']],
  ['musique', 'musique/musique_ans_v1.0_dev.jsonl', 'musique', 3, '2hop__460946_294723', ['Miquette Giraudy', 'Miquette']],
  ['musique', 'musique/dev.jsonl', 'flashrag', 1, 'test_0', ['Miquette Giraudy']],
  ['bamboogle', 'bamboogle/bamboogle.csv', 'bamboogle', 2, 'bamboogle-0', ['james madison']],
  ['bamboogle', 'bamboogle/test.parquet', 'verl', 1, 'test_0', ['james madison']],
  ['frames', 'frames/test.tsv', 'frames', 2, 'frames-0', ['Jane Ballou']],
  ['frames', 'frames/test.jsonl', 'flashrag', 1, 'test_0', ['87']],
  ['gaia', 'gaia/metadata.jsonl', 'gaia', 2, 'c61d22de-5f6c-4958-a7f6-5e9707bd3466', ['3']],
  ['gaia', 'gaia/test.jsonl', 'flashrag', 1, 'test_0', ['3']],
  ['xbench-deepsearch', 'xbench/DeepSearch.csv', 'xbench', 2, 'xbench-1', ['John Hopfield, Geoffrey Hinton']],
  ['xbench-deepsearch', 'xbench/test.jsonl', 'flashrag', 1, 'test_0', ['Beijing']],
  ['browsecomp', 'browsecomp/browse_comp_test_set.csv', 'browsecomp', 2, 'browsecomp-0', ['The Fundamentals of Bread Making: The Science of Bread']],
  ['browsecomp', 'browsecomp/test.jsonl', 'flashrag', 1, 'test_0', ['Treaty of Versailles']],
]

test('every named benchmark loads from its original format and a copy format', async () => {
  const covered = new Set<string>()
  for (const [bench, file, format, count, firstId, answers] of CASES) {
    const loaded = await loadBenchmark(bench, {data: join(F, file)})
    assert.equal(loaded.format, format, file)
    assert.equal(loaded.questions.length, count, file)
    assert.equal(loaded.questions[0]?.id, firstId, file)
    assert.deepEqual(loaded.questions[0]?.answers, answers, file)
    assert.equal(loaded.benchmark, bench)
    for (const q of loaded.questions) assert.equal(q.source, bench, file)
    covered.add(`${bench}:${format === loaded.entry?.formats[0] ? 'original' : 'copy'}`)
  }
  for (const b of BENCHMARKS.filter((x) => x.kind !== 'world')) {
    assert.ok(covered.has(`${b.name}:original`), `${b.name} original`)
    assert.ok(covered.has(`${b.name}:copy`), `${b.name} copy`)
  }
})

test('a bare file names its benchmark from the format or the data_source', async () => {
  const hotpot = await loadBenchmark(join(F, 'hotpotqa/hotpot_dev_distractor_v1.json'))
  assert.equal(hotpot.benchmark, 'hotpotqa')
  assert.deepEqual(hotpot.entry?.metrics, ['em', 'f1', 'cover_em'])
  const verl = await loadBenchmark(join(F, 'bamboogle/test.parquet'))
  assert.equal(verl.benchmark, 'bamboogle')
  assert.equal(verl.questions[0]?.hops, 2)
  assert.equal(verl.split, 'test')
})

test('details: hops, supporting facts, GAIA text-only, MuSiQue unanswerable, PopQA empty answers', async () => {
  const hotpot = await loadBenchmark('hotpotqa', {data: join(F, 'hotpotqa/hotpot_dev_distractor_v1.json')})
  assert.deepEqual(hotpot.questions[0]?.supporting_facts, ['Scott Derrickson#0', 'Ed Wood#0'])
  assert.equal(hotpot.questions[0]?.hops, 2)
  const musique = await loadBenchmark('musique', {data: join(F, 'musique/musique_ans_v1.0_dev.jsonl')})
  assert.deepEqual(musique.questions.map((q) => q.hops), [2, 3, 4])
  assert.equal(musique.noAnswer, 1)
  assert.deepEqual(musique.questions[2]?.answers, [])
  const gaia = await loadBenchmark('gaia', {data: join(F, 'gaia')})
  assert.deepEqual(gaia.skipped, {'attached file (not text-only)': 1})
  assert.equal(gaia.questions.length, 2)
  const popqa = await loadBenchmark('popqa', {data: join(F, 'popqa/popQA.tsv')})
  assert.equal(popqa.noAnswer, 1)
  const wiki = await loadBenchmark('2wiki', {data: join(F, '2wiki/dev.json')})
  assert.equal(wiki.questions[0]?.hops, 2)
  const frames = await loadBenchmark('frames', {data: join(F, 'frames/test.tsv')})
  assert.equal(frames.questions[0]?.hops, 2)
  const bam = await loadBenchmark('bamboogle', {data: join(F, 'bamboogle/bamboogle.csv')})
  assert.equal(bam.questions[1]?.question, 'What is the capital of the country where the Arabic, "Hebrew" alphabets originated?')
})

test('world splits read DIR/questions/<split>.jsonl', async () => {
  for (const [split, n] of [['train', 1], ['dev', 1], ['test', 3]] as const) {
    const w = await loadBenchmark(`world-${split}`, {worldDir: join(F, 'world')})
    assert.equal(w.questions.length, n)
    assert.equal(w.split, split)
    assert.equal(w.benchmark, `world-${split}`)
  }
  await assert.rejects(loadBenchmark('world-test', {worldDir: join(F, 'nope')}), (e: unknown) => e instanceof UsageError && /ars world build/.test(e.fix ?? ''))
})

test('encrypted releases: fixtures made by the upstream Python schemes decrypt; our encrypt round-trips', async () => {
  const x = await loadBenchmark('xbench-deepsearch', {data: join(F, 'xbench/DeepSearch.csv')})
  assert.equal(x.questions[0]?.question, '2024年诺贝尔物理学奖授予了哪两位科学家？')
  const b = await loadBenchmark('browsecomp', {data: join(F, 'browsecomp')})
  assert.match(b.questions[0]?.question ?? '', /^Identify the title of a research publication/)
  assert.equal(b.questions[0]?.meta.topic, 'Film & TV')
  // The files on disk stay encrypted.
  assert.doesNotMatch(readFileSync(join(F, 'browsecomp/browse_comp_test_set.csv'), 'utf8'), /Versailles/)
  assert.doesNotMatch(readFileSync(join(F, 'xbench/DeepSearch.csv'), 'utf8'), /Beijing/)
  assert.equal(browseCompDecrypt(browseCompEncrypt('héllo wörld, a longer text than thirty-two bytes of key', 'c'), 'c'), 'héllo wörld, a longer text than thirty-two bytes of key')
  assert.equal(xbenchDecrypt(xbenchEncrypt('答案: 42', 'k3y'), 'k3y'), '答案: 42')
  assert.notEqual(browseCompDecrypt(browseCompEncrypt('secret', 'right'), 'wrong'), 'secret')
})

test('a wrong canary is a clear decrypt error, not garbage questions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ars-eval-'))
  const text = readFileSync(join(F, 'browsecomp/browse_comp_test_set.csv'), 'utf8').replace(/canary GUID test-0000/g, 'canary GUID tampered')
  writeFileSync(join(dir, 'bc.csv'), text)
  await assert.rejects(loadBenchmark('browsecomp', {data: join(dir, 'bc.csv')}), (e: unknown) => e instanceof DataError && /does not decrypt/.test(e.message) && /bc\.csv:2/.test(e.message))
})

test('unknown format: the error lists every known format', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ars-eval-'))
  writeFileSync(join(dir, 'odd.jsonl'), '{"query": "q", "label": "a"}\n')
  await assert.rejects(loadBenchmark(join(dir, 'odd.jsonl')), (e: unknown) => {
    assert.ok(e instanceof DataError)
    assert.match(e.message, /unknown benchmark format: a jsonl file with fields "query", "label"/)
    for (const name of ['nq-open', 'triviaqa', 'popqa', 'hotpotqa', '2wiki', 'musique', 'bamboogle', 'frames', 'gaia', 'xbench', 'browsecomp', 'flashrag', 'verl']) assert.match(e.message, new RegExp(`\\n  ${name} `))
    return true
  })
  writeFileSync(join(dir, 'data.xml'), '<x/>')
  await assert.rejects(loadBenchmark(join(dir, 'data.xml')), /cannot tell the container/)
  await assert.rejects(loadBenchmark('nq'), (e: unknown) => e instanceof UsageError && /needs --data/.test(e.message))
  await assert.rejects(loadBenchmark('mmlu'), (e: unknown) => e instanceof UsageError && /unknown benchmark "mmlu"/.test(e.message))
  await assert.rejects(loadBenchmark('nq', {data: join(F, 'nq/test.jsonl'), format: 'popqa'}), /format popqa is read from tsv or csv files/)
})

test('csv parser: quotes, doubled quotes, newlines in fields, CRLF, BOM', () => {
  const {header, rows} = parseDelimited('\ufeffa,b\r\n"x, y","say ""hi"""\r\n"multi\nline",2\n', ',')
  assert.deepEqual(header, ['a', 'b'])
  assert.deepEqual(rows.map((r) => r.values), [{a: 'x, y', b: 'say "hi"'}, {a: 'multi\nline', b: '2'}])
  assert.deepEqual(rows.map((r) => r.line), [2, 3])
  assert.throws(() => parseDelimited('a\n"open', ',', 'f.csv'), /f\.csv:2: unterminated quoted field/)
})

// Files as released (issue 13): mixed data_source files, packed aliases, JSON arrays, GAIA's "answer".
test('a file mixing benchmarks keeps each row\'s benchmark; --bench NAME keeps that benchmark\'s rows', async () => {
  const file = join(F, 'mixed/searchr1-test.parquet')
  const all = await loadBenchmark(file)
  assert.equal(all.mixed, true)
  assert.deepEqual(all.benchmarks, ['nq', 'hotpotqa', '2wiki', 'bamboogle'])
  assert.deepEqual(all.questions.map((q) => `${q.source}/${q.id}`), ['nq/test_0', 'nq/test_1', 'hotpotqa/test_0', '2wiki/test_0', 'bamboogle/test_0'])
  assert.deepEqual(all.questions.map((q) => q.hops), [undefined, undefined, 2, undefined, 2])
  assert.deepEqual(all.entries.map((e) => e.name), ['nq', 'hotpotqa', '2wiki', 'bamboogle'])

  const nq = await loadBenchmark('nq', {data: file})
  assert.equal(nq.mixed, false)
  assert.deepEqual(nq.questions.map((q) => q.id), ['test_0', 'test_1'])
  assert.deepEqual(nq.questions.map((q) => q.source), ['nq', 'nq'])
  assert.deepEqual(Object.values(nq.skipped), [3])
  const wiki = await loadBenchmark('2wikimultihopqa', {data: file})
  assert.deepEqual(wiki.questions.map((q) => q.answers), [['Małgorzata Braunek']])
  await assert.rejects(loadBenchmark('popqa', {data: file}), (e: unknown) => e instanceof UsageError && /mixes benchmarks \(nq, hotpotqa, 2wiki, bamboogle\), none of them popqa/.test(e.message))
})

test('verl ground truth packing aliases as a<|answer_split|>b becomes separate aliases (DeepResearcher)', async () => {
  const loaded = await loadBenchmark(join(F, 'mixed/deepresearcher-test.parquet'))
  assert.deepEqual(loaded.benchmarks, ['nq', 'hotpotqa', 'musique', 'bamboogle', '2wiki'])
  assert.deepEqual(loaded.questions[0]?.answers, ['Linda Davis', 'Linda Kaye Davis'])
  assert.deepEqual(loaded.questions[1]?.answers, ['23'])
  assert.deepEqual(loaded.questions[2]?.answers, ['Chief of Protocol', 'Chief of Protocol of the United States'])
  for (const q of loaded.questions) for (const a of q.answers) assert.ok(!a.includes('<|answer_split|>'), a)
})

test('a top-level JSON array of question objects reads like the same rows in JSONL; GAIA gold in "answer"', async () => {
  const qa = await loadBenchmark(join(F, 'arrays/questions.json'))
  assert.equal(qa.format, 'qa')
  assert.deepEqual(qa.questions.map((q) => q.answers), [['Don Schlitz'], ['Canberra', 'Canberra, ACT'], ['Mars']])
  const flash = await loadBenchmark('nq', {data: join(F, 'arrays/flashrag-array.json')})
  assert.equal(flash.format, 'flashrag')
  assert.deepEqual(flash.questions.map((q) => q.id), ['test_0', 'test_1'])
  const forced = await loadBenchmark(join(F, 'arrays/flashrag-array.json'), {format: 'flashrag'})
  assert.equal(forced.questions.length, 2)
  // The same array saved as .jsonl.
  const dir = mkdtempSync(join(tmpdir(), 'ars-array-'))
  writeFileSync(join(dir, 'q.jsonl'), readFileSync(join(F, 'arrays/questions.json')))
  assert.equal((await loadBenchmark(join(dir, 'q.jsonl'))).questions.length, 3)

  const gaia = await loadBenchmark('gaia', {data: join(F, 'gaia/metadata-answer.jsonl')})
  assert.equal(gaia.format, 'gaia')
  assert.deepEqual(gaia.questions.map((q) => q.answers), [['3'], ['apples, pears, plums']])
  assert.equal(gaia.noAnswer, 0)
})
