// What the agent's sandboxed tools cost per call: the calculator (mathjs in a worker thread) against mathjs in
// the event loop, and the code tool (a fresh QuickJS wasm runtime per program, in a worker thread) against
// node:vm in the event loop — the same answers without isolation. Also the first call of each (worker + engine
// load). `node dist/bench/tools.bench.js`
import {runInNewContext} from 'node:vm'
import {AgentTools} from '../src/agent/tools.js'
import {createCalculator} from '../src/tools/calculator.js'
import {MemorySearch} from '../test/helpers/memory-search.js'
import {report} from './harness.js'

const CALLS = 50
const EXPRESSIONS = ['0.1 + 0.2', '5 km to mile', '2^100', 'round(17 / 3, 4)']
const PROGRAMS = ['[3, 1, 2].sort().join(",")', 'let s = 0; for (let i = 0; i < 100000; i++) s += i % 7; s', 'JSON.stringify(Array.from({length: 50}, (_, i) => i * i))']

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

async function timeEach(fn: (i: number) => Promise<unknown> | unknown): Promise<number> {
  const ms: number[] = []
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now()
    await fn(i)
    ms.push(performance.now() - t0)
  }
  return median(ms)
}

export async function run(): Promise<void> {
  const tools = new AgentTools({search: new MemorySearch([]), enabled: ['calculator', 'code'], sandboxWorkers: 1})
  const session = tools.session()
  try {
    let t0 = performance.now()
    await session.call('calculator', '1 + 1')
    const calcFirst = performance.now() - t0
    t0 = performance.now()
    await session.call('code', '1 + 1')
    const codeFirst = performance.now() - t0
    const calcTool = await timeEach((i) => session.call('calculator', EXPRESSIONS[i % EXPRESSIONS.length] as string))
    const calc = createCalculator()
    const calcInline = await timeEach((i) => calc(EXPRESSIONS[i % EXPRESSIONS.length] as string))
    const codeTool = await timeEach((i) => session.call('code', PROGRAMS[i % PROGRAMS.length] as string))
    const codeVm = await timeEach((i) => runInNewContext(PROGRAMS[i % PROGRAMS.length] as string, {}, {timeout: 5000}))
    const round = (x: number): number => Math.round(x * 100) / 100
    report({bench: 'tools', figure: 'calculator ms/call (median, warm worker)', unit: 'ms', ars: round(calcTool), peer: 'mathjs evaluate in the event loop (no worker, no deadline)', peer_value: round(calcInline), ratio: round(calcInline / calcTool), notes: `first call (worker start + mathjs load) ${Math.round(calcFirst)} ms`})
    report({bench: 'tools', figure: 'code ms/call (median, warm worker, fresh QuickJS runtime per program)', unit: 'ms', ars: round(codeTool), peer: 'node:vm runInNewContext in the event loop (not a sandbox)', peer_value: round(codeVm), ratio: round(codeVm / codeTool), notes: `first call (QuickJS wasm load) ${Math.round(codeFirst)} ms`})
  } finally {
    await tools.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run()
