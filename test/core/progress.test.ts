import {test} from 'node:test'
import assert from 'node:assert/strict'
import {Writable} from 'node:stream'
import {ProgressDrawer} from '../../src/cli/progress-bar.js'
import {ProgressTask} from '../../src/core/progress.js'

function sink(): {stream: NodeJS.WriteStream; text: () => string} {
  let out = ''
  const w = new Writable({
    write(chunk, _enc, cb) {
      out += chunk.toString()
      cb()
    },
  }) as unknown as NodeJS.WriteStream
  return {stream: w, text: () => out}
}

test('without a TTY: a plain status line per interval and a summary at the end', () => {
  const s = sink()
  let now = 0
  const drawer = new ProgressDrawer({stream: s.stream, tty: false, intervalMs: 1000, now: () => now})
  const task = new ProgressTask(drawer.callback, 'rollout', 100, 'episodes')
  for (let i = 0; i < 30; i++) {
    now += 100
    task.advance()
  }
  task.done('reward 0.5')
  const lines = s.text().trim().split('\n')
  assert.deepEqual(lines, [
    'rollout: 10/100 episodes (10.0/s)',
    'rollout: 20/100 episodes (10.0/s)',
    'rollout: 30/100 episodes (10.0/s)',
    'rollout: done, 30 episodes in 3.0s — reward 0.5',
  ])
})

test('slow work is shown as seconds per unit, not 0.0/s', () => {
  const s = sink()
  let now = 0
  const drawer = new ProgressDrawer({stream: s.stream, tty: false, intervalMs: 1000, now: () => now})
  const task = new ProgressTask(drawer.callback, 'train', 4, 'steps')
  for (let i = 0; i < 2; i++) {
    now += 25_000
    task.advance()
  }
  task.done()
  assert.deepEqual(s.text().trim().split('\n'), ['train: 1/4 steps (25.0 s each)', 'train: 2/4 steps (25.0 s each)', 'train: done, 2 steps in 50.0s'])
})

test('quiet drops progress but keeps warnings', () => {
  const s = sink()
  const drawer = new ProgressDrawer({stream: s.stream, tty: false, quiet: true})
  const task = new ProgressTask(drawer.callback, 'index', 10)
  task.advance(10)
  task.done()
  drawer.callback({kind: 'log', level: 'info', message: 'hello'})
  drawer.callback({kind: 'log', level: 'warn', message: 'disk almost full'})
  assert.equal(s.text(), 'warning: disk almost full\n')
})

test('ProgressTask without a callback is silent and does not throw', () => {
  const task = new ProgressTask(undefined, 'x', 1)
  task.advance()
  task.setTotal(2)
  task.done()
  assert.equal(task.label, 'x')
})
