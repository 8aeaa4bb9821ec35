import {test, before} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, writeFileSync, appendFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {buildWorld} from '../../src/world/build.js'
import {jsonLines, runCli} from '../filter/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'ars-synth-cli-'))
const worldDir = join(dir, 'world')
let seedsText = ''

before(async () => {
  await buildWorld({seed: 3, entities: 400, out: worldDir, seeds: 40})
  seedsText = readFileSync(join(worldDir, 'seeds.jsonl'), 'utf8')
})

test('synthesize --engine kb: items on stdout, rejects with reasons, stats on stderr', async () => {
  const rejects = join(dir, 'rejects.jsonl')
  const r = await runCli(['synthesize', '--engine', 'kb', '--world', worldDir, '--rejects', rejects], seedsText)
  assert.equal(r.code, 0, r.stderr)
  const items = jsonLines(r.stdout)
  const rej = jsonLines(readFileSync(rejects, 'utf8'))
  const seeds = jsonLines(seedsText)
  assert.equal(items.length + rej.length, seeds.length)
  assert.ok(items.length > seeds.length / 2, `${items.length} kept`)
  for (const item of items) {
    assert.equal(item.type, 'synth_item')
    assert.ok(item.hops >= 2)
    assert.equal(item.checks.uniqueness.verdict, 'pass')
  }
  for (const x of rej) assert.ok(Array.isArray(x.reasons) && x.reasons[0].code)
  assert.match(r.stderr, new RegExp(`synthesize: ${seeds.length} seeds, ${items.length} kept, ${rej.length} rejected`))
  assert.match(r.stderr, /mean edits \d\.\d\d, mean hops \d\.\d\d/)
  // Items follow seed order.
  const order = seeds.map((s) => s.id)
  const seen = items.map((i) => order.indexOf(i.seed_id))
  assert.deepEqual(seen, [...seen].sort((a, b) => a - b))
})

test('--resume skips finished seeds (items and rejects) and repairs a cut-off last line', async () => {
  const lines = seedsText.split('\n').filter(Boolean)
  const firstHalf = lines.slice(0, 20).join('\n') + '\n'
  const out = join(dir, 'resume.jsonl')
  const rejects = join(dir, 'resume-rejects.jsonl')
  const first = await runCli(['synthesize', '--world', worldDir, '-o', out, '--rejects', rejects], firstHalf)
  assert.equal(first.code, 0, first.stderr)
  const before = jsonLines(readFileSync(out, 'utf8')).length + jsonLines(readFileSync(rejects, 'utf8')).length
  assert.equal(before, 20)
  // A killed writer leaves half a line: resume must drop it and redo that seed.
  const lastItem = jsonLines(readFileSync(out, 'utf8')).at(-1)!
  const kept = readFileSync(out, 'utf8').split('\n').filter(Boolean).slice(0, -1).join('\n') + '\n'
  writeFileSync(out, kept)
  appendFileSync(out, JSON.stringify(lastItem).slice(0, 40))
  const second = await runCli(['synthesize', '--world', worldDir, '-o', out, '--rejects', rejects, '--resume'], seedsText)
  assert.equal(second.code, 0, second.stderr)
  assert.match(second.stderr, /19 already done \(--resume\)/)
  const items = jsonLines(readFileSync(out, 'utf8'))
  const rej = jsonLines(readFileSync(rejects, 'utf8'))
  const ids = [...items.map((i) => i.seed_id), ...rej.map((x) => x.record.id)]
  assert.equal(ids.length, lines.length)
  assert.equal(new Set(ids).size, lines.length, 'no seed done twice')
})

test('bad usage: clear errors and exit 2', async () => {
  const noWorld = await runCli(['synthesize', '--engine', 'kb'], seedsText)
  assert.equal(noWorld.code, 2)
  assert.match(noWorld.stderr, /--engine kb needs --world DIR/)
  const notWorld = await runCli(['synthesize', '--world', dir], seedsText)
  assert.equal(notWorld.code, 2)
  assert.match(notWorld.stderr, /not a world directory/)
  const resume = await runCli(['synthesize', '--world', worldDir, '--resume'], seedsText)
  assert.equal(resume.code, 2)
  assert.match(resume.stderr, /--resume needs --out FILE/)
  const badSeed = await runCli(['synthesize', '--world', worldDir], '{"id":"x","question":"q?"}\n')
  assert.equal(badSeed.code, 1)
  assert.match(badSeed.stderr, /stdin:1: /)
})

test('--model: the difficulty check runs closed-book and editing stops once the model fails every sample', async () => {
  const script = join(dir, 'closed-book.jsonl')
  // The model knows every seed's answer only when the question is the seed itself.
  const seeds = jsonLines(seedsText).slice(0, 12)
  const scripts = seeds.map((s) => ({match: s.question as string, turns: [`<answer>${s.answers[0]}</answer>`]}))
  scripts.push({turns: ['<answer>unknown</answer>']} as never)
  writeFileSync(script, scripts.map((s) => JSON.stringify(s)).join('\n') + '\n')
  const r = await runCli(['synthesize', '--world', worldDir, '--model', `scripted:${script}`, '--difficulty-samples', '2'], seeds.map((s) => JSON.stringify(s)).join('\n') + '\n')
  assert.equal(r.code, 0, r.stderr)
  const items = jsonLines(r.stdout)
  assert.ok(items.length > 0)
  for (const item of items) {
    assert.equal(item.meta.seed_difficulty.verdict, 'fail', 'the seed is answered closed-book')
    assert.equal(item.checks.difficulty.verdict, 'pass', 'the synthesized question is not')
    assert.equal(item.checks.difficulty.samples, 2)
    assert.equal(item.meta.stop, 'model-fails')
  }
})
