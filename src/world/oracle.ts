// The oracle: a scripted agent that solves a world question with the real tools by walking its KB path —
// search for each page on the path, open it, and accept a supporting fact only once it is seen in page text.
// The answer is computed from the facts it saw, so a wrong or unreachable page shows up as a wrong answer.
// It writes ASearcher-format Trajectory records (<think>, <search>, <access>, <information>, <answer>).
import type {Page, PageReader} from '../browse/index.js'
import type {Question} from '../core/index.js'
import type {Trajectory, ToolCallRecord} from '../core/index.js'
import {analyzerByName, type SearchHit, type SearchProvider} from '../search/index.js'
import type {AgentTools, ToolSession} from '../agent/index.js'
import type {AgentFormat} from '../agent/index.js'
import {DataError} from '../core/index.js'
import {parseFactId} from './entity.js'
import {questionQuery} from './load.js'
import {answersFor, factView} from './query.js'
import type {World} from './world.js'

export const ORACLE_SYSTEM_PROMPT = 'You are a search agent. Think inside <think></think>. To search, write <search>query</search>; to open a page, write <access>url</access>. Tool results arrive inside <information></information>. When you are sure, give the final answer inside <answer></answer>.'

export interface OracleOptions {
  world: World
  search: SearchProvider
  reader: PageReader
  /** Results requested per search (default 10). */
  topK?: number
  /** Characters of page text quoted back per access (default 3000; evidence lines are always kept). */
  maxObservation?: number
  /**
   * The agent's own tools: when given, observations are exactly what the agent loop would show (result lists and
   * page parts from a ToolSession, `topK` = the tools' hits per search), and a page is accessed again until the
   * parts read show the evidence — so the trajectory is a demonstration for `runEpisode` (export --format sft-jsonl).
   */
  tools?: AgentTools
  /**
   * The agent format the trajectory is written in (default ASearcher). A format without `access` (compact,
   * Search-R1) makes the oracle search-only: a fact counts as seen when the result list shows it, and its replies
   * carry no <think> when the format has none — what an agent of that format can do, and nothing more.
   */
  format?: AgentFormat
  /** Clock for tool timings (tests inject one). */
  now?: () => number
  signal?: AbortSignal
}

interface Visit {
  index: number
  page: Pick<Page, 'text' | 'links'>
}

export class Oracle {
  readonly #o: Required<Omit<OracleOptions, 'signal' | 'tools' | 'format'>> & {signal?: AbortSignal; tools?: AgentTools; format?: AgentFormat}

  constructor(options: OracleOptions) {
    this.#o = {topK: options.tools?.topK ?? 10, maxObservation: 3000, now: () => performance.now(), ...options}
  }

  async solve(question: Question, sampleIndex = 0): Promise<Trajectory> {
    const {world, now} = this.#o
    const start = now()
    const format = this.#o.format
    const searchOnly = format !== undefined && !format.tools.includes('access')
    const thoughts = format?.thoughts !== false
    const reply = (thought: string, action: string): string => (thoughts ? `<think>${thought}</think>\n${action}` : action)
    const sp = format?.tagSpace ?? ''
    const messages: Trajectory['messages'] = [{role: 'system', content: ORACLE_SYSTEM_PROMPT}, {role: 'user', content: question.question}]
    const toolCalls: ToolCallRecord[] = []
    checkOracleQuestion(world, question)
    const facts = oracleFacts(question)
    const path = oraclePath(question)
    const seen = new Set<string>()
    const visits: Visit[] = []
    const session: ToolSession | undefined = this.#o.tools?.session()
    let turn = 0
    let failure: string | undefined

    const call = async (name: 'search' | 'access', args: Record<string, unknown>, run: () => Promise<string>): Promise<{ok: boolean; text: string}> => {
      const t0 = now()
      let ok = true
      let text: string
      let error: string | undefined
      try {
        text = await run()
      } catch (e) {
        ok = false
        error = (e as Error).message
        text = `Error: ${error}`
      }
      toolCalls.push({turn, name, arguments: args, ok, result: text, ...(error ? {error} : {}), started_ms: Math.max(0, t0 - start), duration_ms: Math.max(0, now() - t0)})
      messages.push({role: 'tool', content: `<information>\n${text}\n</information>`})
      turn++
      return {ok, text}
    }

    for (const [step, index] of path.entries()) {
      const title = world.title(index)
      // Search-only demonstrations may only look up what the agent could know: a name in the question or in a
      // result list already shown (a name the KB path knows but no observation shows would teach guessing).
      const shown = searchOnly ? [question.question, ...messages.filter((m) => m.role === 'tool').map((m) => m.content)] : undefined
      if (shown && step > 0) {
        const name = world.entity(index).name
        if (!shown.some((text) => text.includes(name))) {
          failure = `${name} is not shown by the question or an earlier result`
          break
        }
      }
      const wanted = `/wiki/${world.slug(index)}.html`
      let url: string | undefined
      let queries = searchQueries(world, index, shown?.join(' '))
      if (searchOnly && session && format?.searchView?.focusChars) {
        const best = await this.#focusedQuery(world, queries, question.question, wanted, facts, visits, index, session, format.searchView)
        if (best !== undefined) queries = [best]
      }
      for (const query of queries) {
        messages.push({role: 'assistant', content: reply(`I need the page about ${title}.`, `<search>${sp}${query}</search>`)})
        let hits: SearchHit[] = []
        const r = await call('search', {query}, async () => {
          if (session) {
            const result = await session.search(query, this.#o.signal, format?.searchView)
            hits = result.shown
            return result.text
          }
          hits = await this.#o.search.search(query, {topK: this.#o.topK, signal: this.#o.signal})
          return hits.map((h, k) => `[${k + 1}] ${h.title}\n${h.url}\n${h.snippet}`).join('\n\n') || 'No results.'
        })
        url = r.ok ? hits.find((h) => pathOf(h.url) === wanted)?.url : undefined
        // Search-only: what the result list shows of the page is all that is read.
        if (url && searchOnly) visits.push({index, page: {text: r.text, links: []}})
        if (url) break
      }
      if (searchOnly) {
        if (!url) {
          failure = `no search result shows ${wanted}`
          break
        }
        for (const f of facts) if (!seen.has(f) && factVisible(world, f, visits)) seen.add(f)
        continue
      }
      // Fall back to a link on a page already read (how a person would navigate), if the search missed.
      url ??= visits.flatMap((v) => v.page.links).find((l) => pathOf(l.url) === wanted)?.url
      if (!url) {
        failure = `no search result or link leads to ${wanted}`
        break
      }
      const targetUrl = url
      let page: Page | undefined
      const evidence = (): string[] => evidenceFor(world, facts, index, visits)
      messages.push({role: 'assistant', content: reply(`The result ${title} should state what I need.`, `<access>${targetUrl}</access>`)})
      let parts = 1
      let read = ''
      const r = await call('access', {url: targetUrl}, async () => {
        page = await this.#o.reader.read(targetUrl, {signal: this.#o.signal})
        if (!session) return observation(page, this.#o.maxObservation, evidence())
        const part = await session.access(targetUrl, this.#o.signal)
        parts = part.parts
        read = part.text
        return part.text
      })
      // With the agent's tools a page comes one part at a time: read on while the evidence is not yet shown.
      for (let part = 1; r.ok && session && part < parts && !evidence().every((e) => read.includes(e)); part++) {
        messages.push({role: 'assistant', content: reply(`${title}: part ${part} did not show everything; reading on.`, `<access>${targetUrl}</access>`)})
        await call('access', {url: targetUrl}, async () => {
          const next = await session.access(targetUrl, this.#o.signal)
          read += `\n${next.text}`
          return next.text
        })
      }
      if (!r.ok || !page) {
        failure = `could not read ${targetUrl}`
        break
      }
      visits.push({index, page})
      for (const f of facts) if (!seen.has(f) && factVisible(world, f, visits)) seen.add(f)
    }

    const missing = facts.filter((f) => !seen.has(f))
    const derived = answersFor(questionQuery(question), factView(world, [...seen]))
    const answer = failure === undefined && missing.length === 0 && derived.length === 1 ? (derived[0] as string) : null
    const summary = answer !== null
      ? `The pages state: ${facts.map((f) => describeFact(world, f)).join('; ')}. So the answer is ${answer}.`
      : `I could not confirm the answer (${failure ?? (missing.length > 0 ? `facts not found on the pages: ${missing.join(', ')}` : `the facts on the pages give ${derived.length} answers, not one`)}).`
    messages.push({role: 'assistant', content: reply(summary, `<answer>${sp}${answer ?? 'unknown'}</answer>`)})
    const correct = answer !== null && question.answers.some((a) => normalize(a) === normalize(answer))
    return {
      type: 'trajectory', version: 1, id: `${question.id}-oracle-${sampleIndex}`, question_id: question.id, sample_index: sampleIndex, policy_version: 0,
      model: 'oracle', format: format?.name ?? 'asearcher', question: question.question, answers: question.answers, messages, tool_calls: toolCalls,
      token_ids: [], loss_mask: [], behaviour_logprobs: [], version_spans: [], answer, reward: question.answers.length ? (correct ? 1 : 0) : null,
      reward_detail: {exact_match: correct ? 1 : 0, facts_seen: seen.size, facts_total: facts.length, ...(failure ? {failure} : {})},
      finish_reason: 'answer', stats: {turns: turn + 1, tokens: 0, model_tokens: 0, tool_calls: toolCalls.length, wall_ms: Math.max(0, now() - start)},
      meta: {oracle: true, path: path.map((i) => `e${i}`), ...(session ? {agent_tools: true} : {})},
    }
  }

  /**
   * With a view that shows the line a query's extra words match (compact's `focusChars`), the query for one step of
   * the path: the name (or name and kind) plus one word of the question that the page holds ("Norovford Medal
   * presents" shows "Presented by: …"), or the name alone; of these, the first that lists the page and shows the most
   * of the answer's facts. Probed without recording, so a demonstration types one consistent query per step: the
   * question's word whenever the page has it (decision 0960, third attempt). Undefined when no candidate lists the page.
   */
  async #focusedQuery(world: World, bases: readonly string[], question: string, wanted: string, facts: readonly string[], visits: readonly Visit[], index: number, session: ToolSession, view: NonNullable<AgentFormat['searchView']>): Promise<string | undefined> {
    const analyzer = analyzerByName('english')
    // Each candidate is searched once: the names probed for the page's terms come round again as candidates.
    const results = new Map<string, Awaited<ReturnType<ToolSession['search']>>>()
    const search = async (query: string): Promise<Awaited<ReturnType<ToolSession['search']>>> => {
      let result = results.get(query)
      if (!result) results.set(query, (result = await session.search(query, this.#o.signal, view)))
      return result
    }
    let pageTerms: Set<string> | undefined
    for (const base of bases) {
      const text = (await search(base)).shown.find((h) => pathOf(h.url) === wanted)?.text
      if (text !== undefined) {
        pageTerms = new Set(analyzer.terms(text))
        break
      }
    }
    const questionWords = [...new Set(question.split(/[^\p{L}\p{N}'’-]+/u).filter((w) => w.length > 0))]
    let best: {query: string; score: number} | undefined
    for (const base of bases) {
      const baseTerms = new Set(analyzer.terms(base))
      const words = questionWords.filter((w) => {
        const term = analyzer.term(w.toLowerCase())
        return term !== '' && !baseTerms.has(term) && (pageTerms === undefined || pageTerms.has(term))
      })
      for (const query of [...words.map((w) => `${base} ${w}`), base]) {
        const result = await search(query)
        if (!result.shown.some((h) => pathOf(h.url) === wanted)) continue
        const withThis = [...visits, {index, page: {text: result.text, links: []}}]
        const score = facts.filter((f) => factVisible(world, f, withThis)).length
        if (best === undefined || score > best.score) best = {query, score}
      }
    }
    return best?.query
  }
}

/**
 * The pages the oracle walks: meta.path for world questions; for synthesized items (no meta.path) the pages of
 * their injected facts' subjects, in order — each such page states its fact.
 */
export function oraclePath(question: Question): number[] {
  const path = (question.meta as {path?: unknown}).path
  if (Array.isArray(path)) return path.map((id) => Number(String(id).slice(1)))
  const subjects: number[] = []
  for (const fact of oracleFacts(question)) {
    const parsed = parseFactId(fact)
    if (parsed && !subjects.includes(parsed.index)) subjects.push(parsed.index)
  }
  return subjects
}

/**
 * The facts the answer rests on: supporting_facts, plus meta.supporting_facts that a KB-synthesized item carries
 * (its own supporting_facts are only the injected facts; the seed's facts are in meta).
 */
export function oracleFacts(question: Question): string[] {
  const fromMeta = (question.meta as {supporting_facts?: unknown}).supporting_facts
  const extra = Array.isArray(fromMeta) ? fromMeta.filter((f): f is string => typeof f === 'string') : []
  return [...new Set([...(question.supporting_facts ?? []), ...extra])]
}

/** Why the oracle cannot solve `question` on `world` (undefined when it can try). */
export function oracleCannotSolve(world: World, question: Question): string | undefined {
  const meta = question.meta as {query?: {op?: unknown}; path?: unknown}
  if (!meta.query || typeof meta.query !== 'object' || typeof meta.query.op !== 'string') return 'it has no meta.query, so it is not a question of this world (the oracle answers only world questions and KB-synthesized items)'
  const inWorld = (index: number): boolean => Number.isInteger(index) && index >= 0 && index < world.size
  if (meta.path !== undefined) {
    if (!Array.isArray(meta.path) || !meta.path.every((id) => typeof id === 'string' && /^e\d+$/.test(id))) return 'meta.path must be a list of entity ids like "e12"'
    const outside = (meta.path as string[]).find((id) => !inWorld(Number(id.slice(1))))
    if (outside) return `meta.path names ${outside}, which this world (${world.size} entities) does not have; is the question from another world?`
  }
  const facts = oracleFacts(question)
  const bad = facts.find((f) => {
    const parsed = parseFactId(f)
    return !parsed || !inWorld(parsed.index)
  })
  if (bad !== undefined) return `supporting fact ${JSON.stringify(bad)} is not a fact of this world`
  if (meta.path === undefined && facts.length === 0) return 'it has neither meta.path nor supporting facts, so there is no page to read the answer from'
  try {
    questionQuery(question)
    answersFor(questionQuery(question), factView(world, facts))
  } catch (error) {
    return `its meta.query does not evaluate on this world (${(error as Error).message})`
  }
  return undefined
}

/**
 * Throws a DataError naming the question id, and `where` (its file:line) when the question came from a line,
 * when the oracle cannot solve it (see oracleCannotSolve).
 */
export function checkOracleQuestion(world: World, question: Question, where?: string): void {
  const reason = oracleCannotSolve(world, question)
  if (reason) throw new DataError(`question ${JSON.stringify(question.id)}: the oracle cannot solve it: ${reason}`, {where, code: 'oracle-question', fix: 'Roll out questions from the world given as --search (its questions/*.jsonl, or synthesize --engine kb items grown from its seeds), or use a model; --on-invalid skip|warn passes over such questions.'})
}

/**
 * The queries the oracle tries for an entity: its title without punctuation, then its name with its kind. With
 * `shown` (search-only demonstrations), a query keeps only words the question or an earlier result showed (the kind
 * word aside: the question names it, "the film …"), so a title's disambiguator ("Quelestead (2012 album)") is not
 * searched before any observation showed the year: demonstrations that type unseen facts teach guessing (decision
 * 0960).
 */
function searchQueries(world: World, index: number, shown?: string): string[] {
  const e = world.entity(index)
  const title = world.title(index)
  const cleanTitle = title.replace(/[()",]/g, ' ').replace(/\s+/g, ' ').trim()
  if (shown === undefined) return [...new Set([cleanTitle, `${e.name} ${e.kind}`])]
  const kindWords = new Set(e.kind.split(' '))
  const known = (query: string): boolean => query.split(' ').every((w) => kindWords.has(w) || shown.includes(w))
  const candidates = [cleanTitle, e.name, `${e.name} ${e.kind}`]
  return [...new Set(candidates.filter(known))]
}

function pathOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname)
  } catch {
    return url
  }
}

function normalize(s: string): string {
  return s.toLowerCase().replace(/\s+/g, ' ').trim()
}

/** The strings that must appear in page text for a fact to count as seen. */
function factEvidence(world: World, fact: string): {subject: number; value: string; object?: number} | undefined {
  const p = parseFactId(fact)
  if (!p) return undefined
  const e = world.entity(p.index)
  const attr = e.attributes[p.key]
  if (attr !== undefined) return {subject: p.index, value: String(attr)}
  const target = (e.relations as Record<string, number[] | undefined>)[p.key]?.[0]
  if (target === undefined) return undefined
  return {subject: p.index, value: world.entity(target).name, object: target}
}

/** A fact is seen when the subject's page shows its value, or a visited page lists the subject with it. */
function factVisible(world: World, fact: string, visits: readonly Visit[]): boolean {
  const ev = factEvidence(world, fact)
  if (!ev) return false
  const subjectName = world.entity(ev.subject).name
  for (const v of visits) {
    const text = v.page.text
    if (v.index === ev.subject && text.includes(ev.value)) return true
    if (ev.object !== undefined && v.index === ev.object && text.includes(subjectName)) return true
    if (ev.object === undefined && text.includes(`${subjectName} (${ev.value})`)) return true
  }
  return false
}

function evidenceFor(world: World, facts: readonly string[], index: number, visits: readonly Visit[]): string[] {
  void visits
  const out: string[] = []
  for (const f of facts) {
    const ev = factEvidence(world, f)
    if (!ev) continue
    if (ev.subject === index) out.push(ev.value)
    else if (ev.object === index) out.push(world.entity(ev.subject).name)
  }
  return out
}

/** The page's opening plus every line holding evidence, within a budget: what the agent "read". */
function observation(page: Page, max: number, evidence: readonly string[]): string {
  const text = `${page.title}\n${page.text}`
  if (text.length <= max) return text
  const lines = text.split('\n')
  const keep = new Set<number>()
  let used = 0
  for (let k = 0; k < lines.length && used < max / 2; k++) {
    keep.add(k)
    used += (lines[k] as string).length + 1
  }
  for (let k = 0; k < lines.length; k++) if (evidence.some((e) => (lines[k] as string).includes(e))) keep.add(k)
  const out: string[] = []
  let last = -1
  for (const k of [...keep].sort((a, b) => a - b)) {
    if (k !== last + 1) out.push('…')
    out.push(lines[k] as string)
    last = k
  }
  return out.join('\n')
}

function describeFact(world: World, fact: string): string {
  const ev = factEvidence(world, fact)
  const p = parseFactId(fact)
  if (!ev || !p) return fact
  return `${world.entity(ev.subject).name} ${p.key.replace(/_/g, ' ')} ${ev.value}`
}
