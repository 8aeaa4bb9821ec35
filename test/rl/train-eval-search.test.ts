// `ars train --eval-search`: trained on one corpus, measured on another. The held-out episodes search the
// --eval-search corpus (their answers at step 0 equal a run trained on that corpus), the training episodes keep
// --search, the choice is recorded in run.json, and the flag without --eval-every is refused.
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ROOT, runCli} from '../helpers/cli.js'

const POLICY = join(ROOT, 'datasets', 'policy-search-sft')
const WORLD = join(ROOT, 'datasets', 'world-small')
const DEV = join(WORLD, 'questions', 'dev.jsonl')

let root: string
let elsewhere: string
let questions: string

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'ars-train-eval-search-'))
  // A corpus that holds none of the world's facts: its searches return one irrelevant page.
  const corpus = join(root, 'corpus.jsonl')
  writeFileSync(corpus, JSON.stringify({id: 'x', title: 'Gardening', text: 'Tomatoes need sun and water.'}) + '\n')
  elsewhere = join(root, 'index')
  const built = await runCli(['index', corpus, '--out', elsewhere, '-q'])
  assert.equal(built.code, 0, built.stderr)
  questions = join(root, 'q.jsonl')
  writeFileSync(questions, readFileSync(join(WORLD, 'questions', 'train.jsonl'), 'utf8').split('\n').slice(0, 2).join('\n') + '\n')
})

after(async () => {
  await rm(root, {recursive: true, force: true})
})

const run = (out: string, search: string, extra: string[] = []) =>
  runCli(['train', '--model', POLICY, '--questions', questions, '--search', search, '--out', join(root, out), '--format', 'compact', '--steps', '1',
    '--samples', '2', '--batch-questions', '1', '--max-turns', '3', '--max-tokens-per-turn', '32', '--concurrency', '4', '--backend', 'wasm', '--quiet',
    '--eval-every', '1', '--eval-questions', DEV, '--eval-limit', '6', ...extra], {timeoutMs: 180_000})

type Result = {id: string; prediction: string | null; stats: {tool_calls: number; tool_tokens: number}}
const step0 = (out: string): Result[] =>
  readFileSync(join(root, out, 'evals', 'step-000000.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Result)
const answers = (rs: Result[]) => rs.map((r) => [r.id, r.prediction, r.stats.tool_calls, r.stats.tool_tokens])

test('held-out episodes search --eval-search; training keeps --search; recorded in run.json', async () => {
  const [onWorld, split, onElsewhere] = await Promise.all([run('world', WORLD), run('split', elsewhere, ['--eval-search', WORLD]), run('elsewhere', elsewhere)])
  for (const r of [onWorld, split, onElsewhere]) assert.equal(r.code, 0, r.stderr)
  // Same weights at step 0, greedy, same corpus: the same answers and observations as the run trained on the world.
  assert.deepEqual(answers(step0('split')), answers(step0('world')))
  assert.ok(step0('world').some((r) => r.stats.tool_calls > 0), 'the policy searched')
  // Without --eval-search the held-out episodes saw the other corpus: different observations.
  assert.notDeepEqual(answers(step0('elsewhere')), answers(step0('world')))
  const flags = JSON.parse(readFileSync(join(root, 'split', 'run.json'), 'utf8')).flags
  assert.equal(flags.search, elsewhere)
  assert.equal(flags.eval_search, WORLD)
  assert.equal(JSON.parse(readFileSync(join(root, 'world', 'run.json'), 'utf8')).flags.eval_search, undefined)
})

test('--eval-search without --eval-every is refused before anything is written', async () => {
  const r = await runCli(['train', '--model', POLICY, '--questions', questions, '--search', elsewhere, '--out', join(root, 'refused'), '--steps', '1', '--eval-search', WORLD])
  assert.equal(r.code, 2, r.stderr)
  assert.match(r.stderr, /--eval-every/)
  assert.equal(existsSync(join(root, 'refused')), false)
})
