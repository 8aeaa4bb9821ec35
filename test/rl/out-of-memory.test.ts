import {test} from 'node:test'
import assert from 'node:assert/strict'
import {outOfMemory} from '../../src/rl/policy-updater.js'

test('a wasm abort from the trainer thread becomes an error that names --micro-batch-tokens', () => {
  const e = outOfMemory('Aborted(). Build with -sASSERTIONS for more info.')
  assert.ok(e)
  assert.equal(e.code, 'train-oom')
  assert.match(e.message, /ran out of memory.*Aborted\(\)/)
  assert.match(e.fix ?? '', /--micro-batch-tokens/)
  assert.equal(outOfMemory('Loss is NaN; refusing to apply the step'), undefined, 'other failures pass through unchanged')
})
