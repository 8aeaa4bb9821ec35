// ars world facts: closed-book QA for every KB fact, in the closed-book solver's exact prompt, with the facts of
// held-out question splits left out.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {SMALL_WORLD} from './helpers.js'
import {lines, runCli} from '../helpers/cli.js'
import {CLOSED_BOOK_SYSTEM, ClosedBookSolver} from '../../src/answer/index.js'
import {parseRecord, SftExampleType, type SftExample} from '../../src/core/records/index.js'
import {ScriptedModel} from '../../src/llm/scripted.js'
import {conversationTokens} from '../../src/agent/conversation-tokens.js'
import {HfTokenizer} from '../../src/model/tokenizer.js'
import {ROOT} from '../helpers/cli.js'

interface KbEntity {id: string; name: string; attributes: Record<string, string | number>; relations: Record<string, string[]>}
const kb = new Map<string, KbEntity>(readFileSync(join(SMALL_WORLD, 'kb.jsonl'), 'utf8').trim().split('\n').map((l) => {
  const e = JSON.parse(l) as KbEntity
  return [e.id, e]
}))
const heldOut = new Set<string>()
for (const split of ['dev', 'test']) {
  for (const l of readFileSync(join(SMALL_WORLD, 'questions', `${split}.jsonl`), 'utf8').trim().split('\n')) for (const f of (JSON.parse(l) as {supporting_facts: string[]}).supporting_facts) heldOut.add(f)
}

const run = await runCli(['world', 'facts', '--world', SMALL_WORLD], {timeoutMs: 60_000})
const examples: SftExample[] = lines(run.stdout).map((v) => parseRecord(SftExampleType, v))

test('every KB fact not held out is asked, with the KB\'s answer, in the closed-book prompt', () => {
  assert.equal(run.code, 0, run.stderr)
  const all = new Set<string>()
  for (const e of kb.values()) for (const k of [...Object.keys(e.attributes), ...Object.keys(e.relations)]) all.add(`${e.id}:${k}`)
  const asked = new Set(examples.map((x) => (x.meta as {fact: string}).fact))
  const expected = [...all].filter((f) => !heldOut.has(f))
  const missing = expected.filter((f) => !asked.has(f))
  assert.deepEqual(missing, [])
  assert.equal(asked.size, expected.length)
  for (const f of asked) assert.ok(!heldOut.has(f), `held-out fact ${f} was asked`)
  assert.match(run.stderr, new RegExp(`world facts: ${examples.length} examples; \\d+ facts held out`))
  for (const x of examples) {
    const [id, key] = (x.meta as {fact: string}).fact.split(':') as [string, string]
    const e = kb.get(id) as KbEntity
    const answer = key in e.attributes ? String(e.attributes[key]) : (kb.get((e.relations[key] as string[])[0] as string) as KbEntity).name
    assert.equal(x.messages.length, 3)
    assert.deepEqual([x.messages[0]?.role, x.messages[0]?.content, x.messages[1]?.role, x.messages[2]?.role], ['system', CLOSED_BOOK_SYSTEM, 'user', 'assistant'])
    assert.equal(x.messages[2]?.content, `<answer>${answer}</answer>`)
    assert.ok(x.messages[1]?.content.endsWith('?'))
  }
})

test('seed questions are among the wordings: the facts behind simple questions are "known"', () => {
  const asked = new Set(examples.map((x) => x.messages[1]?.content))
  const seeds = readFileSync(join(SMALL_WORLD, 'seeds.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as {question: string; supporting_facts: string[]})
  const known = seeds.filter((s) => s.supporting_facts.every((f) => !heldOut.has(f)))
  assert.ok(known.length > seeds.length * 0.8)
  const verbatim = known.filter((s) => asked.has(s.question)).length
  assert.equal(verbatim, known.length)
})

test('a facts example tokenises to the closed-book solver\'s prompt followed by the answer', async () => {
  const tokenizer = await HfTokenizer.load(join(ROOT, 'datasets', 'tokenizer-world-2k'))
  const x = examples[0] as SftExample
  const answer = (x.messages[2] as {content: string}).content
  // The solver's generated ids come right after its prompt; a scripted model replays the answer.
  const model = new ScriptedModel([{turns: [answer]}], {tokenizer})
  const solver = new ClosedBookSolver(model)
  assert.equal(await solver.solve({id: 'x', question: x.messages[1]!.content, answers: [], sample: 0}), answer.replace(/<\/?answer>/g, ''))
  const rendered = conversationTokens(x.messages, tokenizer)
  const prompt = tokenizer.encode(tokenizer.applyChatTemplate([x.messages[0]!, x.messages[1]!], {addGenerationPrompt: true}))
  assert.deepEqual(rendered.tokenIds, [...prompt, ...tokenizer.encode(answer)])
  assert.deepEqual(rendered.lossMask, [...prompt.map(() => 0), ...tokenizer.encode(answer).map(() => 1)])
})

test('--holdout none keeps every fact; a bad split is a usage error', async () => {
  const all = await runCli(['world', 'facts', '--world', SMALL_WORLD, '--holdout', 'none', '-q'], {timeoutMs: 60_000})
  assert.equal(all.code, 0, all.stderr)
  assert.ok(lines(all.stdout).length > examples.length)
  const bad = await runCli(['world', 'facts', '--world', SMALL_WORLD, '--holdout', 'seed'])
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /--holdout: expected a comma list of train, dev, test \(or none\), got "seed"/)
})

test('--about keeps only facts about the entities the given questions walk through', async () => {
  const r = await runCli(['world', 'facts', '--world', SMALL_WORLD, '--about', join(SMALL_WORLD, 'seeds.jsonl'), '-q'], {timeoutMs: 60_000})
  assert.equal(r.code, 0, r.stderr)
  const about = lines(r.stdout).map((v) => parseRecord(SftExampleType, v))
  const entities = new Set(readFileSync(join(SMALL_WORLD, 'seeds.jsonl'), 'utf8').trim().split('\n').flatMap((l) => (JSON.parse(l) as {meta: {path: string[]}}).meta.path))
  assert.ok(about.length > 1000 && about.length < examples.length)
  for (const x of about) assert.ok(entities.has((x.meta as {fact: string}).fact.split(':')[0] as string))
  const facts = new Set(about.map((x) => (x.meta as {fact: string}).fact))
  for (const x of examples) if (entities.has((x.meta as {fact: string}).fact.split(':')[0] as string)) assert.ok(facts.has((x.meta as {fact: string}).fact))
  const notWorld = await runCli(['world', 'facts', '--world', SMALL_WORLD, '--about', '-'], {input: JSON.stringify({type: 'question', version: 1, id: 'x', question: 'Who?', answers: ['y'], source: 's'}) + '\n'})
  assert.equal(notWorld.code, 1)
  assert.match(notWorld.stderr, /stdin:1: meta\.path: expected the list of entity ids/)
})
