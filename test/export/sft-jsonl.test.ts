// export --format sft-jsonl: a trajectory re-rendered in an agent format tokenises to exactly the sequence
// runEpisode feeds the model for the same turns (token ids compared with the world's BPE tokenizer), for the
// loop's own trajectories, across formats, and for the world oracle's trajectories on the real world index.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, symlinkSync, mkdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ROOT, lines, runCli} from '../helpers/cli.js'
import {MemorySearch} from '../helpers/memory-search.js'
import {runEpisode} from '../../src/agent/loop.js'
import {AgentTools} from '../../src/agent/tools.js'
import {agentFormat, ASEARCHER_FORMAT, DEEPRESEARCHER_FORMAT, SEARCH_R1_FORMAT, type AgentFormat} from '../../src/agent/formats.js'
import {conversationTokens} from '../../src/agent/conversation-tokens.js'
import {shortenObservation, trajectoryToSft, type SftConversion} from '../../src/export/trajectory-to-sft.js'
import {ScriptedModel} from '../../src/llm/scripted.js'
import {HfTokenizer} from '../../src/model/tokenizer.js'
import {InvalidPolicy} from '../../src/core/jsonl.js'
import {parseRecord, QuestionType, SftExampleType, TrajectoryType, type Question, type SftExample, type Trajectory} from '../../src/core/records/index.js'
import {buildIndex, readCorpus} from '../../src/search/bm25/build-index.js'
import {resolveSearch} from '../../src/search/registry.js'
import {loadWorld} from '../../src/world/load.js'
import {Oracle} from '../../src/world/oracle.js'
import {TruthPageReader} from '../../src/browse/site-truth-reader.js'

const tokenizer = await HfTokenizer.load(join(ROOT, 'datasets', 'tokenizer-world-2k'))
const docs = [
  {id: 'veltria', title: 'Veltria', text: 'Veltria is a country. Its capital is Osk.\n\nOsk lies on the river Brenn.'},
  {id: 'brenn', title: 'Brenn', text: 'The Brenn is a river in Veltria.'},
]
const question: Question = parseRecord(QuestionType, {type: 'question', version: 1, id: 'q1', question: 'What is the capital of Veltria?', answers: ['Osk'], source: 'test'})

function example(c: SftConversion): SftExample {
  assert.equal(c.kind, 'example', c.kind === 'skip' ? `${c.reason}: ${c.detail}` : '')
  return parseRecord(SftExampleType, (c as {example: SftExample}).example)
}

async function episode(format: AgentFormat, turns: string[], tools = new AgentTools({search: new MemorySearch(docs)})): Promise<Trajectory> {
  const model = new ScriptedModel([{turns}], {tokenizer})
  return runEpisode(question, {model, tools, format, seed: 1, reward: {metric: 'em', formatPenalty: 0}})
}

const SCRIPTS: Record<string, string[]> = {
  asearcher: ['<think>Find Veltria.</think>\n<search>Veltria capital</search>', '<think>Open it.</think>\n<access>doc:veltria</access>', '<think>Osk.</think>\n<answer>Osk</answer>'],
  deepresearcher: ['<think>Find it.</think>\n<tool_call>{"name": "web_search", "arguments": {"query": ["Veltria capital"]}}</tool_call>', '<tool_call>{"name": "browse_webpage", "arguments": {"url_list": ["doc:veltria"]}}</tool_call>', '<answer>Osk</answer>'],
  'search-r1': ['<think>Search.</think>\n<search>Veltria capital</search>', '<think>Osk.</think>\n<answer>Osk</answer>'],
}

for (const format of [ASEARCHER_FORMAT, DEEPRESEARCHER_FORMAT, SEARCH_R1_FORMAT]) {
  test(`${format.name}: the exported conversation tokenises to runEpisode's exact token ids and loss mask`, async () => {
    const t = await episode(format, SCRIPTS[format.name] as string[])
    assert.equal(t.finish_reason, 'answer')
    assert.ok(t.token_ids.length > 100)
    const sft = example(trajectoryToSft(t))
    assert.equal(sft.messages.filter((m) => m.role === 'tool').length, t.stats.turns - 1)
    const rendered = conversationTokens(sft.messages, tokenizer)
    assert.deepEqual(rendered.tokenIds, t.token_ids)
    assert.deepEqual(rendered.lossMask, t.loss_mask)
  })
}

test('re-rendered in another format, the conversation is what the loop feeds a model replaying it in that format', async () => {
  const source = await episode(ASEARCHER_FORMAT, SCRIPTS.asearcher as string[])
  const sft = example(trajectoryToSft(source, {format: DEEPRESEARCHER_FORMAT}))
  const replies = sft.messages.filter((m) => m.role === 'assistant').map((m) => m.content)
  assert.equal(replies[0], '<think>Find Veltria.</think>\n<tool_call>{"name": "web_search", "arguments": {"query": ["Veltria capital"]}}</tool_call>')
  assert.equal(sft.messages[0]?.role, 'system')
  const replay = await episode(DEEPRESEARCHER_FORMAT, replies)
  assert.equal(replay.reward, 1)
  const rendered = conversationTokens(sft.messages, tokenizer)
  assert.deepEqual(rendered.tokenIds, replay.token_ids)
  assert.deepEqual(rendered.lossMask, replay.loss_mask)
})

test('episodes that cannot be demonstrations are skipped with their reason', async () => {
  const good = await episode(ASEARCHER_FORMAT, SCRIPTS.asearcher as string[])
  assert.deepEqual(trajectoryToSft(good, {format: SEARCH_R1_FORMAT}), {kind: 'skip', reason: 'access-unsupported', detail: 'search-r1 has no access tool'})
  assert.equal((trajectoryToSft({...good, reward: 0.5}, {minReward: 1}) as {reason: string}).reason, 'reward')
  assert.equal((trajectoryToSft({...good, reward: null}, {minReward: 0}) as {reason: string}).reason, 'reward')
  const malformed = await episode(ASEARCHER_FORMAT, ['I think the answer is Osk.', '<answer>Osk</answer>'])
  assert.equal((trajectoryToSft(malformed) as {reason: string}).reason, 'malformed-action')
  const unfinished = await episode(ASEARCHER_FORMAT, ['<search>Veltria</search>'])
  assert.equal(unfinished.finish_reason, 'turn_limit')
  assert.equal((trajectoryToSft(unfinished) as {reason: string}).reason, 'no-answer')
})

test('shortened observations keep every hit title and URL and stay near the budget', () => {
  const hits = Array.from({length: 5}, (_, i) => `[${i + 1}] Title ${i}\nURL: http://world.local/wiki/Page_${i}.html\n${'lorem ipsum '.repeat(30)}`).join('\n\n')
  const short = shortenObservation(hits, 600)
  assert.ok(short.length <= 600 + 5, `${short.length}`)
  for (let i = 0; i < 5; i++) assert.ok(short.includes(`http://world.local/wiki/Page_${i}.html`), short)
  assert.equal(shortenObservation('short', 600), 'short')
})

// The world oracle with the agent's tools: its trajectories are demonstrations for the real loop.
const world = join(mkdtempSync(join(tmpdir(), 'ars-export-sft-')), 'world')
mkdirSync(world)
const source = join(ROOT, 'datasets', 'world-small')
for (const f of ['world.json', 'kb.jsonl', 'site', 'corpus.jsonl', 'questions']) symlinkSync(join(source, f), join(world, f))
await buildIndex(readCorpus(join(source, 'corpus.jsonl'), new InvalidPolicy('fail')), join(world, 'index'))
const trainQuestions = readFileSync(join(source, 'questions', 'train.jsonl'), 'utf8').split('\n').slice(0, 6).map((l) => parseRecord(QuestionType, JSON.parse(l)))

test('oracle trajectories exported in ASearcher format replay through runEpisode token for token', async () => {
  const search = await resolveSearch(world)
  const {world: w} = await loadWorld(world)
  const reader = new TruthPageReader(world)
  const tools = new AgentTools({search, reader, topK: 5})
  let replayed = 0
  for (const q of trainQuestions) {
    const t = await new Oracle({world: w, search, reader, tools}).solve(q)
    if (t.reward !== 1) continue
    const sft = example(trajectoryToSft(t, {format: agentFormat('asearcher'), minReward: 1}))
    assert.equal(sft.messages[0]?.role, 'user', 'the ASearcher template has no system message; the oracle\'s own prompt is gone')
    const replies = sft.messages.filter((m) => m.role === 'assistant').map((m) => m.content)
    const model = new ScriptedModel([{turns: replies}], {tokenizer})
    const replay = await runEpisode(q, {model, tools, format: ASEARCHER_FORMAT, reward: {metric: 'em', formatPenalty: 0}})
    assert.equal(replay.reward, 1, q.question)
    const rendered = conversationTokens(sft.messages, tokenizer)
    assert.deepEqual(rendered.tokenIds, replay.token_ids, q.question)
    assert.deepEqual(rendered.lossMask, replay.loss_mask)
    replayed++
  }
  assert.ok(replayed >= 5, `only ${replayed} of ${trainQuestions.length} oracle episodes were correct`)
})

test('ars rollout --model oracle | ars export --format sft-jsonl writes valid SftExamples and counts skips', async () => {
  const input = trainQuestions.map((q) => JSON.stringify(q)).join('\n') + '\n'
  const traj = await runCli(['rollout', '--model', 'oracle', '--search', world, '-q'], {input})
  assert.equal(traj.code, 0, traj.stderr)
  const r = await runCli(['export', '--format', 'sft-jsonl', '--agent-format', 'asearcher', '--min-reward', '1', '--max-observation-chars', '400'], {input: traj.stdout})
  assert.equal(r.code, 0, r.stderr)
  const out = lines(r.stdout).map((v) => parseRecord(SftExampleType, v))
  const kept = lines(traj.stdout).map((v) => parseRecord(TrajectoryType, v)).filter((t) => (t.reward ?? 0) >= 1).length
  assert.equal(out.length, kept)
  assert.match(r.stderr, new RegExp(`export sft-jsonl: ${trainQuestions.length} trajectories → ${kept} examples`))
  for (const e of out) for (const m of e.messages.filter((x) => x.role === 'tool')) assert.ok(m.content.length < 400 + 80, `${m.content.length}`)
})

test('export data formats: bad flags are usage errors', async () => {
  const noModel = await runCli(['export', '--format', 'onnx', '--out', '/tmp/x'])
  assert.equal(noModel.code, 2)
  assert.match(noModel.stderr, /needs the model folder/)
  const wrongFlag = await runCli(['export', '--format', 'areal', '--min-reward', '1'], {input: ''})
  assert.equal(wrongFlag.code, 2)
  assert.match(wrongFlag.stderr, /--min-reward applies to --format sft-jsonl only/)
  const badReward = await runCli(['export', '--format', 'sft-jsonl', '--min-reward', 'high'], {input: ''})
  assert.equal(badReward.code, 2)
  assert.match(badReward.stderr, /--min-reward: expected a number, got "high"/)
  const notTraj = await runCli(['export', '--format', 'sft-jsonl'], {input: JSON.stringify(question) + '\n'})
  assert.equal(notTraj.code, 1)
  assert.match(notTraj.stderr, /stdin:1/)
})

test.after(() => rmSync(join(world, '..'), {recursive: true, force: true}))
