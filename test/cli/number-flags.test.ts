// The typed number flags of commands/_shared/number-flags.ts: one wording (flag, accepted range, value given),
// checked when oclif parses the command line, printed by the base command as a usage error (exit 2).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {Parser} from '@oclif/core'
import {integerFlag, numberFlag, parseNumberValue, probabilityFlag, rangeText, unwrapFlagParseMessage} from '../../commands/_shared/number-flags.js'
import {isArsError} from '../../src/core/index.js'
import {runCli} from '../helpers/cli.js'

const flags = {
  n: integerFlag({min: 1, max: 8, default: 2}),
  t: numberFlag({min: 0, default: 1}),
  p: probabilityFlag({}),
  level: probabilityFlag({minExclusive: true, maxExclusive: true, default: 0.95}),
}

async function parseError(argv: string[]): Promise<Error & {code?: string; exit?: number}> {
  try {
    await Parser.parse(argv, {flags})
  } catch (error) {
    return error as Error
  }
  assert.fail(`${argv.join(' ')} parsed`)
}

test('each kind reads good values as numbers and keeps defaults', async () => {
  const {flags: parsed} = await Parser.parse(['--n', '8', '--t', '1e-3', '--p', '0.5'], {flags})
  assert.deepEqual(parsed, {n: 8, t: 0.001, p: 0.5, level: 0.95})
  const {flags: defaults} = await Parser.parse([], {flags})
  assert.deepEqual(defaults, {n: 2, t: 1, level: 0.95})
})

test('a bad value of each kind is one usage error naming the flag, the range and the value', async () => {
  const cases: Array<[string[], string]> = [
    [['--n', '1.5'], '--n: expected an integer in [1, 8], got "1.5"'],
    [['--n', '9'], '--n: expected an integer in [1, 8], got "9"'],
    [['--t', '-1'], '--t: expected a number ≥ 0, got "-1"'],
    [['--t', 'abc'], '--t: expected a number ≥ 0, got "abc"'],
    [['--p', '1.2'], '--p: expected a number in [0, 1], got "1.2"'],
    [['--level', '1'], '--level: expected a number in (0, 1), got "1"'],
  ]
  for (const [argv, message] of cases) {
    const error = await parseError(argv)
    assert.ok(isArsError(error), `${argv.join(' ')}: ${error.message}`)
    assert.equal(error.exit, 2)
    assert.equal(error.code, 'flag')
    assert.equal(unwrapFlagParseMessage(error.message), message)
  }
})

test('the range text and the fix read as the accepted values', () => {
  assert.equal(rangeText({}), 'a number')
  assert.equal(rangeText({min: 0, minExclusive: true}), 'a number > 0')
  assert.equal(rangeText({max: 1, maxExclusive: true, integer: true}), 'an integer < 1')
  assert.throws(() => parseNumberValue('std', '0', {min: 0, minExclusive: true}, 0.02), (e: Error & {fix?: string}) => e.fix === 'Pass a number > 0, e.g. --std 0.02.')
  assert.throws(() => parseNumberValue('x', ' ', {}), /--x: expected a number, got " "/)
})

test('commands print the error and its fix once, without oclif\'s wrapping, and exit 2', async () => {
  const runs: Array<[string[], RegExp]> = [
    [['eval', 'compare', 'a.jsonl', 'b.jsonl', '--level', '1.5'], /^error: --level: expected a number in \(0, 1\), got "1.5"\n {2}fix: Pass a number in \(0, 1\), e.g. --level 0.95.\n$/],
    [['model', 'init', '--preset', 'tiny', '--out', 'never-written', '--std', '0'], /^error: --std: expected a number > 0, got "0"\n/],
    [['rollout', '--model', 'oracle', '--top-p', '2'], /^error: --top-p: expected a number in \[0, 1\], got "2"\n/],
  ]
  for (const [argv, stderr] of runs) {
    const r = await runCli(argv)
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, stderr)
  }
})
