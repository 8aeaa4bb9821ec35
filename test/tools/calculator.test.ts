// The calculator: mathjs on 64-digit BigNumbers (exact decimals, whole integers, units, fractions), the risky
// mathjs functions disabled, and a slow expression stopped by the sandbox worker's deadline.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {createCalculator} from '../../src/tools/calculator.js'
import {AgentTools} from '../../src/agent/tools.js'
import {MemorySearch} from '../helpers/memory-search.js'

const calc = createCalculator()

test('exact arithmetic, whole integers, units, fractions, percentages, statistics', () => {
  assert.equal(calc('0.1 + 0.2'), '0.3')
  assert.equal(calc('(1.1 * 3) == 3.3'), 'true')
  assert.equal(calc('2^100'), '1267650600228229401496703205376')
  assert.equal(calc('100000000 * 123456789'), '12345678900000000')
  assert.equal(calc('1/3'), '0.33333333333333333333')
  assert.equal(calc('5 km to mile'), '3.1068559611866698481 mile')
  assert.equal(calc('2 inch + 3 cm to mm'), '80.8 mm')
  assert.equal(calc('fraction(1/3) + fraction(1/6)'), '1/2')
  assert.equal(calc('12.5% * 80'), '10')
  assert.equal(calc('round(12.3456, 2)'), '12.35')
  assert.equal(calc('mean(1, 2, 3, 4)'), '2.5')
  assert.equal(calc('x = 3; x * 2'), '6')
})

test('the functions mathjs\'s security notes name are disabled; bad input is an error for the model', () => {
  for (const fn of ['import({})', 'createUnit("foo")', 'evaluate("1")', 'parse("1")', 'compile("1")', 'simplify("x + x")', 'derivative("x^2", "x")', 'resolve("x", {})', 'config({number: "number"})']) {
    assert.throws(() => calc(fn), /is disabled in the calculator/, fn)
  }
  assert.throws(() => calc('5 +'), /Unexpected end of expression/)
  assert.throws(() => calc('unknownFn(1)'), /Undefined function unknownFn/)
  assert.throws(() => calc('   '), /empty expression/)
  assert.throws(() => calc('1+'.repeat(1500) + '1'), /takes at most 2000/)
  assert.throws(() => calc('f(x) = x^2'), /is a function, not a value/)
})

test('through the agent tools: a worker thread answers, and an expression past its deadline is stopped', async () => {
  const tools = new AgentTools({search: new MemorySearch([]), enabled: ['calculator'], calculatorTimeoutMs: 300, sandboxWorkers: 1})
  try {
    const session = tools.session()
    assert.equal(await session.call('calculator', '0.1 + 0.2'), '0.3')
    const t0 = performance.now()
    await assert.rejects(session.call('calculator', 'ones(5000, 5000)'), /did not finish within 300 ms, so its sandbox was stopped/)
    assert.ok(performance.now() - t0 < 10_000)
    await assert.rejects(new AgentTools({search: new MemorySearch([])}).session().call('calculator', '1'), /the calculator tool is not enabled/)
  } finally {
    await tools.close()
  }
})
