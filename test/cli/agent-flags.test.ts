// The agent-flag group (commands/_shared/agent-flags.ts): a flag that means the same thing in rollout, eval,
// filter, synthesize and train has one description there, and the old names still parse.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {Parser} from '@oclif/core'
import Rollout from '../../commands/rollout.js'
import Train from '../../commands/train/index.js'
import Eval from '../../commands/eval/index.js'
import Filter from '../../commands/filter.js'
import Synthesize from '../../commands/synthesize.js'

type Flags = Record<string, {description?: string; options?: readonly string[]; aliases?: string[]} | undefined>
const commands: Record<string, Flags> = {rollout: Rollout.flags as Flags, train: Train.flags as Flags, eval: Eval.flags as Flags, filter: Filter.flags as Flags, synthesize: Synthesize.flags as Flags}
// The part of the description every command shares: without a command's own "(when …; default …)" and the
// closed-book choice only eval offers.
const core = (description: string | undefined): string => (description ?? '').replace(/ \([^)]*\)/g, '').replace(/, or "none"/, '').replace(/\.$/, '')

test('a flag shared by the agent commands reads the same in each', () => {
  const shared: Record<string, string[]> = {
    'max-turns': ['rollout', 'train', 'eval', 'filter'],
    'max-tokens-per-turn': ['rollout', 'train'],
    'search-top-k': ['rollout', 'train'],
    'context-length': ['rollout', 'train'],
    'allow-private': ['rollout', 'train', 'eval'],
    'base-url': ['rollout', 'eval', 'filter', 'synthesize'],
    search: ['rollout', 'train', 'eval', 'filter', 'synthesize'],
    reward: ['rollout', 'train'],
  }
  for (const [flag, names] of Object.entries(shared)) {
    const descriptions = new Set(names.map((name) => {
      const definition = commands[name]?.[flag]
      assert.ok(definition, `${name} has --${flag}`)
      return core(definition.description)
    }))
    assert.equal(descriptions.size, 1, `--${flag}: ${[...descriptions].join(' | ')}`)
  }
  const formats = [Rollout.flags.format, Train.flags.format, Eval.flags['agent-format'], Filter.flags['agent-format']] as Array<{options?: readonly string[]; description?: string}>
  assert.equal(new Set(formats.map((f) => `${f.options?.join(',')} ${core(f.description)}`)).size, 1)
})

test('old names and short forms still parse', async () => {
  const {flags} = await Parser.parse(['-m', 'oracle', '-s', 'datasets/world-small', '--read-allow-private', '--format', 'search-r1', '--max-turns', '3'], {flags: Rollout.flags})
  assert.equal(flags['allow-private'], true)
  assert.equal(flags.format, 'search-r1')
  assert.equal(flags['max-turns'], 3)
  assert.equal(flags['search-top-k'], 5)
  await assert.rejects(Parser.parse(['--data', 'x', '--model', 'm', '--search', 'none', '--agent-format', 'nope'], {flags: Eval.flags}), /nope/)
})
