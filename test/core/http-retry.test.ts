// The one HTTP retry loop (src/core/http-retry.ts) that web search, the retrieval client and OpenAI models share.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {backoffDelay, isRetryableStatus, withRetries, type AttemptOutcome} from '../../src/core/http-retry.js'

const errors = {waitTooLong: (ms: number) => new Error(`wait ${ms}`), giveUp: (p: string, n: number, r: boolean) => new Error(`${p} after ${n} (${r ? 'retryable' : 'final'})`)}

test('retries a retryable problem with backoff, honours retry-after, and stops at the budget', async () => {
  const waits: number[] = []
  const outcomes: AttemptOutcome<string, string>[] = [{ok: false, retry: true, problem: '503'}, {ok: false, retry: true, retryAfterMs: 1234, problem: '429'}, {ok: true, value: 'done'}]
  const value = await withRetries(async (i) => outcomes[i]!, {...errors, retries: 3, backoffMs: 100, random: () => 0.5, sleep: async (ms) => void waits.push(ms)})
  assert.equal(value, 'done')
  assert.deepEqual(waits, [100, 1234])
  await assert.rejects(withRetries(async () => ({ok: false, retry: true, problem: '500'}), {...errors, retries: 2, sleep: async () => {}}), /500 after 3 \(retryable\)/)
})

test('a problem not worth retrying, or a retry-after past the limit, fails at once', async () => {
  let calls = 0
  await assert.rejects(withRetries(async () => (calls++, {ok: false, retry: false, problem: '403'}), {...errors, sleep: async () => assert.fail('no wait')}), /403 after 1 \(final\)/)
  await assert.rejects(withRetries(async () => (calls++, {ok: false, retry: true, retryAfterMs: 3_600_000, problem: '429'}), {...errors, sleep: async () => assert.fail('no wait')}), /wait 3600000/)
  assert.equal(calls, 2)
  const controller = new AbortController()
  controller.abort(new Error('stop'))
  await assert.rejects(withRetries(async () => ({ok: true, value: 1}), {...errors, signal: controller.signal}), /stop/)
})

test('backoff doubles, is capped, and jitters ±25 %; statuses worth a retry', () => {
  assert.equal(backoffDelay(0, {backoffMs: 100, random: () => 0.5}), 100)
  assert.equal(backoffDelay(3, {backoffMs: 100, random: () => 0.5}), 800)
  assert.equal(backoffDelay(10, {backoffMs: 100, maxBackoffMs: 1000, random: () => 0}), 750)
  assert.equal(backoffDelay(0, {backoffMs: 100, random: () => 0.999999}) < 125, true)
  assert.deepEqual([408, 409, 425, 429, 500, 503].map(isRetryableStatus), [true, true, true, true, true, true])
  assert.deepEqual([400, 401, 403, 404].map(isRetryableStatus), [false, false, false, false])
})
