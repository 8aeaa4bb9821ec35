// The committed tiny policy (datasets/policy-tiny, scripts/train-tiny-policy.sh): it loads as a model folder and
// answers closed-book in the trained form, and knows the seeds better than the questions synthesized from them.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {ROOT} from '../helpers/cli.js'
import {resolveModel} from '../../src/llm/registry.js'
import {CLOSED_BOOK_SYSTEM, ClosedBookSolver} from '../../src/answer/index.js'
import {matchesAnyGold} from '../../src/answer/index.js'

const POLICY = join(ROOT, 'datasets', 'policy-tiny')

test('datasets/policy-tiny loads and answers seed questions closed-book in the <answer> form it was trained on', async () => {
  assert.ok(existsSync(join(POLICY, 'model.safetensors')), 'run scripts/train-tiny-policy.sh')
  const model = await resolveModel(POLICY)
  try {
    assert.equal(model.capabilities.tokens, true)
    const config = JSON.parse(readFileSync(join(POLICY, 'config.json'), 'utf8')) as {hidden_size: number; num_hidden_layers: number}
    assert.deepEqual([config.hidden_size, config.num_hidden_layers], [64, 2])
    const seeds = readFileSync(join(ROOT, 'datasets', 'world-small', 'seeds.jsonl'), 'utf8').trim().split('\n').slice(0, 8).map((l) => JSON.parse(l) as {id: string; question: string; answers: string[]})
    for (const s of seeds) {
      const r = await model.generate({kind: 'chat', messages: [{role: 'system', content: CLOSED_BOOK_SYSTEM}, {role: 'user', content: s.question}]}, {maxTokens: 48, temperature: 0, stop: ['</answer>']})
      // A trained policy replies with one short answer in tags; an untrained one babbles to the token budget.
      assert.match(r.text, /^<answer>[^<\n]{1,60}<\/answer>$/, `${s.question} → ${JSON.stringify(r.text)}`)
      assert.equal(r.finishReason, 'stop')
    }
  } finally {
    await model.close?.()
  }
})

test('the committed policy answers seeds closed-book more often than the questions synthesized from them', async () => {
  // Fixture: the first 80 items of the measurement in datasets/policy-tiny/README.md (ars synthesize with this
  // policy as the difficulty model). Greedy answers: 9.0% of all 433 seeds right versus 1.6% of their synthesized
  // versions; the margin asserted here is below what was measured on this prefix (9 versus 1).
  const pairs = readFileSync(join(ROOT, 'test', 'fixtures', 'policy-tiny-synth-pairs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as {seed_id: string; seed_question: string; question: string; answers: string[]})
  const model = await resolveModel(POLICY)
  try {
    const solver = new ClosedBookSolver(model, {temperature: 0})
    let seeds = 0
    let synthesized = 0
    for (const p of pairs) {
      if (matchesAnyGold(await solver.solve({id: p.seed_id, question: p.seed_question, answers: p.answers, sample: 0}), p.answers)) seeds++
      if (matchesAnyGold(await solver.solve({id: `${p.seed_id}~synth`, question: p.question, answers: p.answers, sample: 0}), p.answers)) synthesized++
    }
    assert.ok(seeds >= synthesized + 5, `seeds right ${seeds}/${pairs.length}, synthesized right ${synthesized}/${pairs.length}`)
  } finally {
    await model.close?.()
  }
})
