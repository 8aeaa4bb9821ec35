import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {spawnSync} from 'node:child_process'
import {BIN, ROOT, lines, runCli, runShell} from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'ars-cli-'))

test('ars --help lists the commands without loading tfjs or onnxruntime', () => {
  const trace = join(tmp, 'imports.txt')
  writeFileSync(trace, '')
  const r = spawnSync(process.execPath, ['--import', join(ROOT, 'dist/test/helpers/trace-imports.js'), BIN, '--help'], {env: {...process.env, ARS_TRACE_FILE: trace}, encoding: 'utf8'})
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /records\s+Validate, convert and describe/)
  const loaded = readFileSync(trace, 'utf8')
  assert.ok(loaded.includes('@oclif/core'), 'the trace recorded imports')
  assert.doesNotMatch(loaded, /onnxruntime|@tensorflow|jsdom|linkedom/)
})

test('records --help lists convert, schema and validate', async () => {
  const r = await runCli(['records', '--help'])
  assert.equal(r.code, 0)
  for (const c of ['records convert', 'records schema', 'records validate']) assert.ok(r.stdout.includes(c), `missing ${c}`)
})

test('convert --from flashrag | validate --type question', async () => {
  const input = '{"id":"a","question":"Who?","golden_answers":["X","Y"]}\n{"id":"b","question":"Why?","golden_answers":"Z"}\n'
  const r = await runShell('$ARS records convert --from flashrag | $ARS records validate --type question; echo "rc=${PIPESTATUS[*]}" >&2', {input})
  assert.match(r.stderr, /rc=0 0/)
  assert.deepEqual(lines(r.stdout), [
    {type: 'question', version: 1, id: 'a', question: 'Who?', answers: ['X', 'Y'], source: 'flashrag', meta: {}},
    {type: 'question', version: 1, id: 'b', question: 'Why?', answers: ['Z'], source: 'flashrag', meta: {}},
  ])
})

test('the README pipeline runs on the shipped fixture', async () => {
  const r = await runShell('$ARS records convert --from qa -i test/fixtures/qa.jsonl | $ARS records validate --type question')
  assert.equal(r.code, 0, r.stderr)
  const out = lines(r.stdout) as {id: string; answers: string[]}[]
  assert.deepEqual(out.map((q) => q.id), ['q1', 'q2', 'qa-3'])
  assert.deepEqual(out[2]!.answers, ['1931'])
})

test('a bad line 3 reports stdin:3 with the field, exit 1, and lines 1–2 are already written', async () => {
  const input = '{"id":"a","question":"q","answers":["x"]}\n{"id":"b","question":"q","answers":["x"]}\n{"id":"c","question":"q","answers":"x"}\n{"id":"d","question":"q","answers":["x"]}\n'
  const r = await runCli(['records', 'validate', '--type', 'question'], {input})
  assert.equal(r.code, 1)
  assert.equal(r.stderr.split('\n')[0], 'error: stdin:3: invalid Question: answers: expected array, got string')
  assert.deepEqual((lines(r.stdout) as {id: string}[]).map((q) => q.id), ['a', 'b'])
})

test('--on-invalid warn and skip carry on', async () => {
  const input = '{"id":"a","question":"q","answers":["x"]}\n{bad\n{"id":"c","question":"q","answers":["x"]}\n'
  const warn = await runCli(['records', 'validate', '--type', 'question', '--on-invalid', 'warn'], {input})
  assert.equal(warn.code, 0)
  assert.equal(lines(warn.stdout).length, 2)
  assert.match(warn.stderr, /warning: stdin:2: malformed JSON/)
  assert.match(warn.stderr, /2 valid, 1 invalid Question records/)
  const quiet = await runCli(['records', 'validate', '--type', 'question', '--on-invalid', 'skip', '-q'], {input})
  assert.equal(quiet.code, 0)
  assert.equal(lines(quiet.stdout).length, 2)
  assert.equal(quiet.stderr, '', 'records validate takes -q like every other command: no summary')
  const skip = await runCli(['records', 'validate', '--type', 'question', '--on-invalid', 'skip'], {input})
  assert.equal(skip.code, 0)
  assert.doesNotMatch(skip.stderr, /warning/)
})

test('bad input: each case gives one clear message, the right exit code, and keeps earlier records', async () => {
  const file = (name: string, data: string | Buffer) => {
    const p = join(tmp, name)
    writeFileSync(p, data)
    return p
  }
  const cases: {name: string; args: string[]; input?: string; code: number; stderr: RegExp; kept?: number}[] = [
    {name: 'malformed JSON', args: ['-i', file('m.jsonl', '{"id":"a","question":"q","answers":[]}\n{"id": }\n')], code: 1, stderr: /m\.jsonl:2: malformed JSON/, kept: 1},
    {name: 'wrong field type', args: [], input: '{"id":7,"question":"q","answers":[]}\n', code: 1, stderr: /stdin:1: invalid Question: id: expected string, got integer/},
    {name: 'truncated last line', args: ['-i', file('t.jsonl', '{"id":"a","question":"q","answers":[]}\n{"id":"b","question":"q","ans')], code: 1, stderr: /t\.jsonl:2: truncated last line/, kept: 1},
    {name: 'empty input', args: [], input: '', code: 1, stderr: /error: stdin: empty input: no records\n\s+fix: .*--allow-empty/},
    {name: 'binary file', args: ['-i', file('b.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]))], code: 1, stderr: /b\.png:1: not text: binary data/},
    {name: 'missing file', args: ['-i', join(tmp, 'nope.jsonl')], code: 2, stderr: /nope\.jsonl: no such file\n\s+fix: Check the path/},
  ]
  for (const c of cases) {
    const r = await runCli(['records', 'validate', '--type', 'question', ...c.args], {input: c.input ?? ''})
    assert.equal(r.code, c.code, `${c.name}: exit ${r.code}, stderr ${r.stderr}`)
    assert.match(r.stderr, c.stderr, c.name)
    assert.equal(lines(r.stdout).length, c.kept ?? 0, `${c.name}: records kept`)
  }
  const empty = await runCli(['records', 'validate', '--type', 'question', '--allow-empty'], {input: ''})
  assert.equal(empty.code, 0)
})

test('usage errors exit 2: unknown --type, unknown flag, bad --on-invalid, missing --type', async () => {
  const unknown = await runCli(['records', 'validate', '--type', 'questions'], {input: '{}\n'})
  assert.equal(unknown.code, 2)
  assert.match(unknown.stderr, /unknown record type "questions"\n\s+fix: Use one of: question, synth-item, trajectory, eval-result, train-metric/)
  for (const args of [['--type', 'question', '--frobnicate'], ['--type', 'question', '--on-invalid', 'ignore'], []]) {
    const r = await runCli(['records', 'validate', ...args], {input: '{}\n'})
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
  }
})

test('records schema prints JSON Schema; without a type it lists them', async () => {
  const r = await runCli(['records', 'schema', 'trajectory'])
  assert.equal(r.code, 0)
  const schema = JSON.parse(r.stdout) as {title: string; properties: Record<string, unknown>}
  assert.equal(schema.title, 'Trajectory')
  assert.ok('loss_mask' in schema.properties)
  const list = await runCli(['records', 'schema'])
  assert.match(list.stdout, /^question\s+v1/m)
  assert.match(list.stdout, /^train-metric\s+v1/m)
  const bad = await runCli(['records', 'schema', 'nope'])
  assert.equal(bad.code, 2)
})
