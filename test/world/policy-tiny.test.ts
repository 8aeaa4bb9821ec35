// The committed tiny policy (datasets/policy-tiny, scripts/train-tiny-policy.sh): it loads as a model folder and
// generates, closed-book and as an agent on the embedded world.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {ROOT} from '../helpers/cli.js'
import {resolveModel} from '../../src/llm/registry.js'
import {CLOSED_BOOK_SYSTEM} from '../../src/filter/closed-book.js'

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
