import {test} from 'node:test'
import assert from 'node:assert/strict'
import {DEFAULT_SAVE_EVERY_MINUTES, SaveSchedule, checkSaveEveryMinutes} from '../../src/train/save-schedule.js'

test('by default a checkpoint is due every 10 minutes even with no step interval', () => {
  let now = 0
  const schedule = new SaveSchedule({now: () => now})
  assert.equal(DEFAULT_SAVE_EVERY_MINUTES, 10)
  now = 9 * 60_000
  assert.equal(schedule.due(5), false)
  now = 10 * 60_000
  assert.equal(schedule.due(6), true)
  schedule.saved()
  now = 15 * 60_000
  assert.equal(schedule.due(7), false, 'the clock restarts at each checkpoint')
})

test('step and time triggers combine; 0 turns either off', () => {
  let now = 0
  const steps = new SaveSchedule({everySteps: 4, everyMinutes: 0, now: () => now})
  now = 1e9
  assert.deepEqual([1, 2, 3, 4, 8].map((s) => steps.due(s)), [false, false, false, true, true])
  const never = new SaveSchedule({everySteps: 0, everyMinutes: 0, now: () => now})
  now = 2e9
  assert.equal(never.due(100), false)
})

test('--save-every-minutes must be a number ≥ 0', () => {
  checkSaveEveryMinutes(0)
  checkSaveEveryMinutes(0.5)
  assert.throws(() => checkSaveEveryMinutes(-1), /expected a number ≥ 0, got -1/)
  assert.throws(() => checkSaveEveryMinutes(Number.NaN), /got NaN/)
})
