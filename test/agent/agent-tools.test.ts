// The extra tools through every agent format: each format declares calculator, code and file in its own
// convention, a scripted model calls each one, the outputs come back as observations with loss mask 0, errors
// come back as text, and the golden `ars rollout --tools … --attachments DIR` run does the same from the CLI.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ByteTokenizer} from '../../src/llm/byte-tokenizer.js'
import {ScriptedModel} from '../../src/llm/scripted.js'
import {runEpisode} from '../../src/agent/loop.js'
import {AgentTools} from '../../src/agent/tools.js'
import {agentFormat, ASEARCHER_FORMAT, DEEPRESEARCHER_FORMAT, FORMAT_NAMES, SEARCH_R1_FORMAT} from '../../src/agent/formats.js'
import {ASEARCHER_TEMPLATE, DEEPRESEARCHER_TEMPLATE, SEARCH_R1_TEMPLATE} from '../../src/agent/templates.js'
import {parseToolList, TOOL_NAMES} from '../../src/agent/tool-specs.js'
import {trajectoryToSft} from '../../src/export/trajectory-to-sft.js'
import {TrajectoryType, parseRecord, type Question} from '../../src/core/records/index.js'
import {MemorySearch} from '../helpers/memory-search.js'
import {lines, runCli} from '../helpers/cli.js'
import {buildBm25} from '../helpers/bm25.js'

const tok = new ByteTokenizer()
const dir = mkdtempSync(join(tmpdir(), 'ars-agent-tools-'))
test.after(() => rmSync(dir, {recursive: true, force: true}))
writeFileSync(join(dir, 'table.csv'), 'name,age\nAda,36\nAlan,41\n')
const question: Question = {type: 'question', version: 1, id: 'g1', question: 'How old is Ada, plus 0.1 + 0.2?', answers: ['36.3'], source: 'test', meta: {file_name: 'table.csv'}}
const ALL = [...TOOL_NAMES]
// One set of tools (one sandbox worker, loaded once) for the three formats.
const tools = new AgentTools({search: new MemorySearch([{id: 'ada', title: 'Ada', text: 'Ada is a person.'}]), enabled: ALL, attachmentsDir: dir, sandboxWorkers: 1})
test.after(() => tools.close())

/** One reply per tool in the format's own syntax, then an answer. */
const REPLIES: Record<string, string[]> = {
  tags: ['<think>Add first.</think><calculator>0.1 + 0.2</calculator>', '<code>console.log(6 * 7)</code>', '<code>throw new Error("boom")</code>', '<file>table.csv</file>', '<search>Ada</search>', '<answer>36.3</answer>'],
  json: [
    '<think>Add first.</think><tool_call>{"name": "calculator", "arguments": {"expression": "0.1 + 0.2"}}</tool_call>',
    '<tool_call>{"name": "run_code", "arguments": {"code": "console.log(6 * 7)"}}</tool_call>',
    '<tool_call>{"name": "run_code", "arguments": {"code": "throw new Error(\\"boom\\")"}}</tool_call>',
    '<tool_call>{"name": "read_file", "arguments": {"file_name": "table.csv"}}</tool_call>',
    '<tool_call>{"name": "web_search", "arguments": {"query": ["Ada"]}}</tool_call>',
    '<answer>36.3</answer>',
  ],
}

test('the default tools leave every format exactly as published; --tools parsing', () => {
  assert.equal(agentFormat('asearcher'), ASEARCHER_FORMAT)
  assert.equal(agentFormat('asearcher', {tools: ['search', 'access']}), ASEARCHER_FORMAT)
  assert.equal(agentFormat('search-r1', {tools: ['search']}), SEARCH_R1_FORMAT)
  assert.deepEqual(ASEARCHER_FORMAT.template, ASEARCHER_TEMPLATE)
  assert.ok(ASEARCHER_TEMPLATE.user.includes('Each reply contains exactly one <search>, <access> or <answer>.'))
  assert.ok(SEARCH_R1_TEMPLATE.user.includes('You can search as many times as your want. If you find no further external knowledge needed'))
  assert.deepEqual(DEEPRESEARCHER_FORMAT.template, DEEPRESEARCHER_TEMPLATE)
  assert.deepEqual(ASEARCHER_FORMAT.stop, ['</search>', '</access>', '</answer>'])
  assert.deepEqual(parseToolList('file, calculator,search'), ['search', 'calculator', 'file'])
  assert.deepEqual(parseToolList(undefined, ['search']), ['search'])
  assert.throws(() => parseToolList('search,abacus'), /--tools: unknown tool "abacus"/)
  assert.throws(() => parseToolList('calculator'), /includes search/)
})

for (const name of FORMAT_NAMES) {
  test(`${name}: declares, parses and runs calculator, code and file; observations are masked, errors are text`, async () => {
    const format = agentFormat(name, {tools: ALL})
    const prompt = format.template.system + format.template.user
    if (name === 'deepresearcher') {
      for (const call of ['"name": "calculator", "arguments": {"expression":', '"name": "run_code", "arguments": {"code":', '"name": "read_file", "arguments": {"file_name":']) assert.ok(prompt.includes(call), call)
      assert.deepEqual(format.stop, ['</tool_call>', '</answer>'])
    } else if (name === 'compact') {
      // Compact declares nothing in its prompt (the question alone): small models learn the protocol from demonstrations.
      assert.equal(prompt, '{question}')
      assert.deepEqual(format.stop, ['</search>', '</access>', '</calculator>', '</code>', '</file>', '</answer>'])
    } else {
      for (const tag of ['<calculator> expression </calculator>', '<code> program </code>', '<file> file name </file>']) assert.ok(prompt.includes(tag), tag)
      assert.deepEqual(format.stop, ['</search>', '</access>', '</calculator>', '</code>', '</file>', '</answer>'])
    }
    {
      const model = new ScriptedModel([{turns: REPLIES[name === 'deepresearcher' ? 'json' : 'tags'] as string[]}], {tokenizer: tok})
      const t = parseRecord(TrajectoryType, await runEpisode(question, {model, tools, format, reward: {metric: 'em'}, temperature: 0}))
      assert.equal(t.finish_reason, 'answer')
      assert.equal(t.reward, 1)
      assert.deepEqual(t.tool_calls.map((c) => [c.name, c.arguments, c.ok]), [
        ['calculator', {expression: '0.1 + 0.2'}, true],
        ['code', {code: 'console.log(6 * 7)'}, true],
        ['code', {code: 'throw new Error("boom")'}, false],
        ['file', {file: 'table.csv'}, true],
        ['search', {query: 'Ada'}, true],
      ])
      assert.equal(t.tool_calls[0]!.result, '0.3')
      assert.equal(t.tool_calls[1]!.result, '42')
      assert.equal(t.tool_calls[2]!.result, 'Error: code "throw new Error(\\"boom\\")" failed: Error: boom (line 1)')
      assert.match(t.tool_calls[3]!.result, /^File: table.csv\nPart 1 of 1\n\nname,age\nAda,36\nAlan,41\n\n\[End of file\.\]$/)
      // The question names its attachment; every tool output is an observation in the format's wrapper.
      assert.ok(t.messages.some((m) => m.role === 'user' && m.content.includes('Attached file: table.csv')))
      const wrap = name === 'deepresearcher' ? 'tool_response' : 'information'
      assert.deepEqual(t.messages.filter((m) => m.role === 'tool').map((m) => m.content.split('\n')[1]), ['0.3', '42', 'Error: code "throw new Error(\\"boom\\")" failed: Error: boom (line 1)', 'File: table.csv', name === 'compact' ? '[1] Ada: Ada is a person.' : '[1] Ada'])
      assert.ok(t.messages.filter((m) => m.role === 'tool').every((m) => m.content.startsWith(`<${wrap}>`)))
      // Loss mask: exactly the model's replies are trained on; tool output (the CSV, the results) never is.
      const trained = tok.decode(t.token_ids.filter((_, i) => t.loss_mask[i] === 1))
      assert.equal(trained, t.messages.filter((m) => m.role === 'assistant').map((m) => m.content).join(''))
      assert.ok(!trained.includes('Ada,36') && !trained.includes('=> ') && !trained.includes('\n0.3\n'))
      // SFT export reads the episode back in its own format, extra tools included.
      const sft = trajectoryToSft(t)
      assert.equal(sft.kind, 'example', sft.kind === 'skip' ? sft.detail : '')
    }
  })
}

test('malformed calls of the new tools are returned as text; a format needing a tool the episode lacks is refused', async () => {
  const format = agentFormat('deepresearcher', {tools: ['search', 'calculator']})
  assert.deepEqual(format.parse('<tool_call>{"name": "calculator", "arguments": {}}</tool_call>', false), {kind: 'malformed', problem: 'calculator needs arguments.expression: a string. Use <tool_call>{"name": "web_search", "arguments": {"query": ["..."]}}</tool_call>, <tool_call>{"name": "calculator", "arguments": {"expression": "..."}}</tool_call>, or <answer>answer</answer>.', raw: '<tool_call>{"name": "calculator", "arguments": {}}</tool_call>'})
  assert.match((format.parse('<tool_call>{"name": "run_code", "arguments": {"code": "1"}}</tool_call>', false) as {problem: string}).problem, /^Unknown tool "run_code"/)
  const tags = agentFormat('asearcher', {tools: ['search', 'code']})
  assert.equal((tags.parse('<code> </code>', false) as {problem: string}).problem, 'Empty <code></code>: put a program between the tags.')
  assert.deepEqual(tags.parse('<think><code>1</code></think><code>2</code>', false), {kind: 'call', tool: 'code', inputs: ['2'], raw: '<think><code>1</code></think><code>2</code>'})
  const model = new ScriptedModel([{turns: ['<answer>x</answer>']}])
  await assert.rejects(runEpisode(question, {model, tools: new AgentTools({search: new MemorySearch([])}), format: tags}), /declares code but the tools given to the episode cannot run it/)
})

test('golden: ars rollout --tools search,calculator,code,file --attachments DIR', async () => {
  const {dir: index} = await buildBm25([{id: 'ada', title: 'Ada', text: 'Ada is 36.'}])
  const script = join(dir, 'script.jsonl')
  writeFileSync(script, JSON.stringify({turns: ['<calculator>36 + 0.3</calculator>', '<file>table.csv</file>', '<code>[1, 2].map((x) => x * 2)</code>', '<answer>36.3</answer>']}) + '\n')
  const input = JSON.stringify({id: 'g1', question: 'How old is Ada plus 0.3?', answers: ['36.3'], meta: {file_name: 'table.csv'}}) + '\n'
  const base = ['rollout', '--model', `scripted:${script}`, '--tokenizer', 'byte', '--search', index, '-q']
  const r = await runCli([...base, '--tools', 'search,calculator,code,file', '--attachments', dir], {input})
  assert.equal(r.code, 0, r.stderr)
  const [t] = lines(r.stdout).map((v) => parseRecord(TrajectoryType, v))
  assert.deepEqual(t!.tool_calls.map((c) => [c.name, c.ok, c.result.split('\n')[0]]), [['calculator', true, '36.3'], ['file', true, 'File: table.csv'], ['code', true, '=> [2, 4]']])
  assert.equal(t!.reward, 1)
  const noSearch = await runCli([...base, '--tools', 'calculator'], {input})
  assert.equal(noSearch.code, 2)
  assert.match(noSearch.stderr, /--tools: expected a list that includes search/)
  const noDir = await runCli([...base, '--tools', 'search,file'], {input})
  assert.equal(noDir.code, 2)
  assert.match(noDir.stderr, /--tools includes file but no --attachments DIR was given/)
})

test('golden: ars filter --difficulty --tools search,calculator rolls the agent out with the calculator; file is refused', async () => {
  const {dir: index} = await buildBm25([{id: 'ada', title: 'Ada', text: 'Ada is 36.'}])
  const script = join(dir, 'filter-script.jsonl')
  // The right answer comes only after the calculator's observation is in the prompt.
  writeFileSync(script, [
    {match: '<information>\n42\n</information>', turns: ['(not played)', '<answer>42</answer>']},
    {turns: ['<calculator>6 * 7</calculator>', '<answer>no calculator result seen</answer>']},
  ].map((x) => JSON.stringify(x)).join('\n') + '\n')
  const rejects = join(dir, 'rejects.jsonl')
  const input = JSON.stringify({id: 'f1', question: 'What is six times seven?', answers: ['42']}) + '\n'
  const base = ['filter', '--difficulty', '--model', `scripted:${script}`, '--search', index, '--samples', '2', '-q']
  const r = await runCli([...base, '--tools', 'search,calculator', '--rejects', rejects], {input})
  assert.equal(r.code, 0, r.stderr)
  // Both rollouts answered 42 with the calculator's help: pass rate 1, outside the default 0<p<1.
  assert.equal(r.stdout, '')
  const rejected = JSON.parse(readFileSync(rejects, 'utf8')) as {reasons: Array<{code: string; pass_rate: number}>}
  assert.deepEqual(rejected.reasons.map((x) => [x.code, x.pass_rate]), [['always-solved', 1]])
  const withFile = await runCli([...base, '--tools', 'search,file'], {input})
  assert.equal(withFile.code, 2)
  assert.match(withFile.stderr, /filter --difficulty cannot offer file/)
})
