// The compact agent format (decision 0960): its parser, its search view, the search-only world oracle that writes
// its demonstrations, and their export as SFT examples without thoughts.
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {agentFormat, ASEARCHER_FORMAT, COMPACT_FORMAT} from '../../src/agent/formats.js'
import {resolveAgentTools} from '../../src/agent/resolve-tools.js'
import {focusLine, type AgentTools} from '../../src/agent/tools.js'
import {Oracle} from '../../src/world/oracle.js'
import {loadWorld} from '../../src/world/load.js'
import {trajectoryToSft} from '../../src/export/trajectory-to-sft.js'
import {worldQuestions, worldWithIndex} from '../rl/rl-setup.js'

let tools: AgentTools
let worldDir: string

before(async () => {
  worldDir = await worldWithIndex()
  tools = await resolveAgentTools({search: worldDir})
})
after(async () => {
  await tools.close()
})

test('compact: the question alone as prompt, search and answer only, no <think>', () => {
  const f = agentFormat('compact')
  assert.equal(f, COMPACT_FORMAT)
  assert.deepEqual(f.template, {system: '', user: '{question}'})
  assert.deepEqual(f.tools, ['search'])
  assert.equal(f.thoughts, false)
  assert.deepEqual(f.parse('<search>Quiet Engine</search>', false), {kind: 'search', queries: ['Quiet Engine'], raw: '<search>Quiet Engine</search>'})
  assert.equal(f.parse('<access>http://x</access>', false).kind, 'malformed')
})

test('an unclosed tag closed by another tag is malformed, not an answer with the stray tag in it', () => {
  for (const f of [ASEARCHER_FORMAT, COMPACT_FORMAT]) {
    const a = f.parse('<answer>194 novel</search>', false)
    assert.equal(a.kind, 'malformed')
    assert.match((a as {problem: string}).problem, /Close it with <\/answer>/)
    // A reply that simply ended (a server stripped the stop string) is still an answer.
    assert.deepEqual(f.parse('<answer>Veloria', false), {kind: 'answer', answer: 'Veloria', raw: '<answer>Veloria'})
  }
})

test('the compact search view: the top two hits, their titles and the openings of their text, no URLs', async () => {
  const session = tools.session()
  const r = await session.search('Anika Haresdane', undefined, COMPACT_FORMAT.searchView)
  assert.equal(r.shown.length, 2)
  assert.ok(r.hits > 2, 'the search itself still returns the tools\' top-k')
  const lines = r.text.split('\n')
  assert.equal(lines.length, 2)
  assert.match(lines[0]!, /^\[1\] Anika Haresdane: Anika Haresdane \(born 1957\) is a writer from Ostrava\. Type: writer Born: 1957, Falburg/)
  assert.match(lines[1]!, /^\[2\] /)
  assert.ok(!r.text.includes('URL:') && !r.text.includes('http://'))
  // The query is the first hit's title: nothing to focus on there; the second may add its line naming Anika Haresdane.
  assert.ok(lines[0]!.length <= 120 + 50, lines[0])
  for (const line of lines) assert.ok(line.length <= 120 + 90 + 50, line)
  // The default view is unchanged: URLs and snippets for every hit.
  assert.match((await tools.session().search('Anika Haresdane')).text, /URL: http:\/\/world\.local\/wiki\/Anika_Haresdane\.html/)
})

test('focus lines: the line a query\'s extra words match follows the opening, once, cut like the opening', async () => {
  const text = 'The Norovford Medal is an award in sport, established in 1898.\nType: award\nField: sport\nPresented by: Eldenan & Lindestad\nEstablished: 1898\nThe Norovford Medal is presented by Eldenan & Lindestad.\nRecipients\nPiet Delimwick (1990)'
  // "presents" and "Presented" are one English term; the infobox row wins the tie with the prose that repeats it.
  assert.equal(focusLine(text, 'Norovford Medal', 'Norovford Medal presents', text.slice(0, 60)), 'Presented by: Eldenan & Lindestad')
  assert.equal(focusLine(text, 'Norovford Medal', 'Norovford Medal Delimwick 1990', text.slice(0, 60)), 'Piet Delimwick (1990)')
  // The name alone has nothing beyond the title to match; a line the opening already shows is not repeated.
  assert.equal(focusLine(text, 'Norovford Medal', 'Norovford Medal', text.slice(0, 60)), undefined)
  assert.equal(focusLine(text, 'Norovford Medal', 'Norovford Medal sport', text), undefined)
  // Through the tools: an award's presenter, cut off in the opening, is shown whole when the query asks for it.
  const {world} = await loadWorld(worldDir)
  let checked = 0
  for (let i = 0; i < world.size && checked < 5; i++) {
    const e = world.entity(i)
    if (e.kind !== 'award') continue
    const plain = await tools.session().search(world.title(i), undefined, COMPACT_FORMAT.searchView)
    const asked = await tools.session().search(`${world.title(i)} presents`, undefined, COMPACT_FORMAT.searchView)
    const first = (r: {text: string}): string => r.text.split('\n')[0]!
    const head = `[1] ${world.title(i)}:`
    if (!first(asked).startsWith(head) || !first(plain).startsWith(head) || !first(plain).endsWith('…') || /Presented by: \S+ /.test(first(plain))) continue
    assert.match(first(asked), /… Presented by: [^…]+$/, first(asked))
    assert.ok(first(asked).startsWith(first(plain)), 'the opening is the same with or without the extra word')
    checked++
  }
  assert.ok(checked >= 1, 'no award in the world has its presenter past the opening')
})

test('the search-only oracle solves from result lists, searches only names it was shown, and exports without thoughts', async () => {
  const {world} = await loadWorld(worldDir)
  const kindWords = new Set(Array.from({length: world.size}, (_, i) => world.entity(i).kind.split(' ')).flat())
  const questions = worldQuestions(40)
  let solved = 0
  let unjustified = 0
  let focused = 0
  for (const q of questions) {
    const t = await new Oracle({world, search: tools.search, reader: tools.reader!, tools, format: COMPACT_FORMAT, now: () => 0}).solve(q)
    assert.equal(t.format, 'compact')
    assert.ok(t.tool_calls.every((c) => c.name === 'search'))
    const replies = t.messages.filter((m) => m.role === 'assistant').map((m) => m.content)
    assert.ok(replies.every((r) => !r.includes('<think>')), replies.join(' | '))
    // Every word of every query is in the question or an earlier observation, or is an entity kind ("album"):
    // a title's disambiguator ("Quelestead (2012 album)") is never typed before a result showed the year.
    const seen = [q.question]
    t.messages.forEach((m) => {
      if (m.role === 'tool') seen.push(m.content)
      const query = /^<search>(.+)<\/search>$/.exec(m.role === 'assistant' ? m.content : '')?.[1]
      if (query && !q.question.includes(query.trim()) && query.trim().split(' ').some((w) => q.question.includes(w) && !world.title(0).includes(w) && !kindWords.has(w))) focused++
      for (const word of query?.split(' ') ?? []) assert.ok(kindWords.has(word) || seen.some((s) => s.includes(word)), `"${word}" of the query "${query}" was never shown (${q.question})`)
    })
    if (t.reward === 1) {
      solved++
      const sft = trajectoryToSft(t, {minReward: 1})
      assert.equal(sft.kind, 'example')
      const ex = (sft as {example: {messages: Array<{role: string; content: string}>}}).example
      assert.deepEqual(ex.messages[0], {role: 'user', content: q.question})
      assert.match(ex.messages.at(-1)!.content, /^<answer>.+<\/answer>$/)
    } else if (String(t.reward_detail?.failure ?? '').includes('not shown')) unjustified++
  }
  // 17 of these 40 with the opening alone; focus lines and the question's word in the query (decision 0960) solve 31.
  assert.ok(solved >= 28, `${solved}/40 solved`)
  assert.ok(focused >= 5, `only ${focused} queries added a word of the question`)
  assert.ok(unjustified >= 1, 'no question needed a name no result showed (the check never fired)')
})

test('compact actions put a space after the tag, so a name copied from a result is the same tokens in the action', async () => {
  const {loadTokenizer} = await import('../../src/llm/local-tokenizer.js')
  const tokenizer = await loadTokenizer('datasets/policy-search-sft')
  const {world} = await loadWorld(worldDir)
  const q = worldQuestions(40).find((x) => x.hops === 1)!
  const t = await new Oracle({world, search: tools.search, reader: tools.reader!, tools, format: COMPACT_FORMAT, now: () => 0}).solve(q)
  const replies = t.messages.filter((m) => m.role === 'assistant').map((m) => m.content)
  for (const r of replies) assert.match(r, /^<(search|answer)> \S/, r)
  // The answer as the last observation shows it (" Name" in running text) is a contiguous run of the action's ids.
  const answer = /^<answer> (.+)<\/answer>$/.exec(replies.at(-1)!)![1]!
  const inText = tokenizer.encode(` ${answer}`)
  const inAction = tokenizer.encode(replies.at(-1)!)
  const at = inAction.findIndex((_, i) => inText.every((id, k) => inAction[i + k] === id))
  assert.ok(at > 0, `${JSON.stringify(inText)} is not inside ${JSON.stringify(inAction)}`)
  // Glued to the tag the same name is other tokens: the reason for the space.
  const glued = tokenizer.encode(`<answer>${answer}</answer>`)
  assert.ok(glued.findIndex((_, i) => inText.every((id, k) => glued[i + k] === id)) === -1 || /^\d+$/.test(answer))
  assert.equal(COMPACT_FORMAT.parse(replies.at(-1)!, false).kind, 'answer')
  assert.deepEqual(COMPACT_FORMAT.parse(`<answer> ${answer}</answer>`, false), {kind: 'answer', answer, raw: `<answer> ${answer}</answer>`})
})
