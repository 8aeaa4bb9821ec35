// Agent formats: how a model's reply becomes an action and how tool output goes back to it. ASearcher
// (<search>/<access>/<answer>), DeepResearcher (JSON in <tool_call>), Search-R1 (search only, EM reward).
import {UsageError} from '../core/errors.js'
import {ASEARCHER_TEMPLATE, COMPACT_TEMPLATE, DEEPRESEARCHER_TEMPLATE, SEARCH_R1_TEMPLATE, type PromptTemplate} from './templates.js'
import type {SearchView} from './tools.js'

export type AgentAction =
  | {kind: 'search'; queries: string[]; raw: string}
  | {kind: 'access'; urls: string[]; raw: string}
  | {kind: 'answer'; answer: string; raw: string}
  /** Not a valid action: `problem` goes back to the model as text. */
  | {kind: 'malformed'; problem: string; raw: string}

export interface AgentFormat {
  readonly name: FormatName
  readonly template: PromptTemplate
  /** How search results are shown (default: the tools' own: top-k hits with title, URL and a snippet). */
  readonly searchView?: SearchView
  /** False when replies carry no <think> (compact): exports then keep only the action. Default true. */
  readonly thoughts?: boolean
  /** Generation stops after these (kept in the output). */
  readonly stop: readonly string[]
  /** Tools the format offers (access is absent in Search-R1). */
  readonly tools: ReadonlyArray<'search' | 'access'>
  /** Reward metric the format's papers train with. */
  readonly defaultReward: 'f1' | 'em'
  /** Reads the action from one model reply; `truncated` when the reply hit its token budget. */
  parse(reply: string, truncated: boolean): AgentAction
  /** Wraps tool output (or an error text) as the model sees it. */
  observation(text: string): string
}

export const FORMAT_NAMES = ['asearcher', 'deepresearcher', 'search-r1', 'compact'] as const
export type FormatName = (typeof FORMAT_NAMES)[number]

/** Drops <think>…</think> (an unclosed <think> hides the rest): actions inside thoughts do not count. */
export function outsideThink(reply: string): string {
  let out = ''
  let i = 0
  for (;;) {
    const open = reply.indexOf('<think>', i)
    if (open === -1) return out + reply.slice(i)
    out += reply.slice(i, open)
    const close = reply.indexOf('</think>', open + 7)
    if (close === -1) return out
    i = close + 8
  }
}

/** Removes observation tags from tool text, so page content cannot close or fake an observation. */
export function neutraliseTags(text: string): string {
  return text.replace(/<\/?(information|tool_response|tool_call|answer|search|access|think)>/gi, (m) => m.replace('<', '‹').replace('>', '›'))
}

interface TagFound {
  tag: string
  at: number
  body: string
  closed: boolean
}

function firstTag(text: string, tags: readonly string[]): TagFound | undefined {
  let best: TagFound | undefined
  for (const tag of tags) {
    const open = text.indexOf(`<${tag}>`)
    if (open === -1 || (best && open >= best.at)) continue
    const start = open + tag.length + 2
    const close = text.indexOf(`</${tag}>`, start)
    best = {tag, at: open, body: close === -1 ? text.slice(start) : text.slice(start, close), closed: close !== -1}
  }
  return best
}

function tagFormat(name: 'asearcher' | 'search-r1' | 'compact', template: PromptTemplate, tools: ReadonlyArray<'search' | 'access'>, extra: Pick<AgentFormat, 'searchView' | 'thoughts'> = {}): AgentFormat {
  const tags = [...tools, 'answer']
  const usage = tags.map((t) => `<${t}>${t === 'access' ? 'url' : t === 'answer' ? 'answer' : 'query'}</${t}>`).join(', ')
  return {
    name,
    template,
    tools,
    ...extra,
    stop: tags.map((t) => `</${t}>`),
    defaultReward: name === 'search-r1' ? 'em' : 'f1',
    parse(reply, truncated) {
      const found = firstTag(outsideThink(reply), tags)
      if (!found) {
        const problem = truncated
          ? `Your reply reached the per-turn token limit before an action. Keep thoughts short and end each reply with one of ${usage}.`
          : `Invalid action: no ${tags.map((t) => `<${t}>`).join(', ')} found outside <think>. End each reply with exactly one of ${usage}.`
        return {kind: 'malformed', problem, raw: reply}
      }
      // An unclosed tag is accepted when the reply simply ended (servers that strip the stop string) but not when cut by the budget.
      if (!found.closed && truncated) return {kind: 'malformed', problem: `Your <${found.tag}> was cut off by the per-turn token limit. Close it with </${found.tag}>.`, raw: reply}
      // An unclosed tag whose text holds another tag ("<answer>194 novel</search>") is not an action: the model
      // closed the wrong tag, and keeping "194 novel</search>" as its answer would reward junk.
      if (!found.closed && /<\/?[a-z_]+>/i.test(found.body)) return {kind: 'malformed', problem: `Your <${found.tag}> is closed by another tag. Close it with </${found.tag}>.`, raw: reply}
      const body = found.body.trim()
      if (found.tag === 'answer') return body ? {kind: 'answer', answer: body, raw: reply} : {kind: 'malformed', problem: 'Empty <answer></answer>: put the answer between the tags.', raw: reply}
      if (!body) return {kind: 'malformed', problem: `Empty <${found.tag}></${found.tag}>: put a ${found.tag === 'access' ? 'url' : 'query'} between the tags.`, raw: reply}
      return found.tag === 'search' ? {kind: 'search', queries: [body], raw: reply} : {kind: 'access', urls: [body], raw: reply}
    },
    observation: (text) => `\n\n<information>\n${text}\n</information>\n\n`,
  }
}

export const ASEARCHER_FORMAT: AgentFormat = tagFormat('asearcher', ASEARCHER_TEMPLATE, ['search', 'access'])
export const SEARCH_R1_FORMAT: AgentFormat = tagFormat('search-r1', SEARCH_R1_TEMPLATE, ['search'])
/**
 * Compact: for small models trained here (decision 0940). The question alone as the prompt, no <think>, search
 * only, and each search shows the top two hits' titles with the opening of their text (120 characters; no URLs:
 * there is nothing to open) — a short fact sheet per search. An episode is ~150–300 tokens where ASearcher's prompt
 * alone is 428.
 */
export const COMPACT_FORMAT: AgentFormat = tagFormat('compact', COMPACT_TEMPLATE, ['search'], {searchView: {maxHits: 2, snippetChars: 120, urls: false, lead: true}, thoughts: false})

const TOOL_USAGE = 'Use <tool_call>{"name": "web_search", "arguments": {"query": ["..."]}}</tool_call>, <tool_call>{"name": "browse_webpage", "arguments": {"url_list": ["..."]}}</tool_call>, or <answer>answer</answer>.'

export const DEEPRESEARCHER_FORMAT: AgentFormat = {
  name: 'deepresearcher',
  template: DEEPRESEARCHER_TEMPLATE,
  tools: ['search', 'access'],
  stop: ['</tool_call>', '</answer>'],
  defaultReward: 'f1',
  parse(reply, truncated) {
    const found = firstTag(outsideThink(reply), ['tool_call', 'answer'])
    if (!found) return {kind: 'malformed', problem: truncated ? `Your reply reached the per-turn token limit before an action. ${TOOL_USAGE}` : `Invalid action: no <tool_call> or <answer> found outside <think>. ${TOOL_USAGE}`, raw: reply}
    if (!found.closed && truncated) return {kind: 'malformed', problem: `Your <${found.tag}> was cut off by the per-turn token limit. ${TOOL_USAGE}`, raw: reply}
    const body = found.body.trim()
    if (found.tag === 'answer') return body ? {kind: 'answer', answer: body, raw: reply} : {kind: 'malformed', problem: 'Empty <answer></answer>: put the answer between the tags.', raw: reply}
    let call: unknown
    try {
      call = JSON.parse(body)
    } catch (error) {
      return {kind: 'malformed', problem: `Invalid tool call: the JSON does not parse (${(error as Error).message}). ${TOOL_USAGE}`, raw: reply}
    }
    const {name, arguments: args} = (call ?? {}) as {name?: unknown; arguments?: Record<string, unknown>}
    const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim())
    if (name === 'web_search') {
      const queries = list(args?.query ?? args?.queries)
      return queries.length ? {kind: 'search', queries, raw: reply} : {kind: 'malformed', problem: `web_search needs arguments.query: a string or a list of strings. ${TOOL_USAGE}`, raw: reply}
    }
    if (name === 'browse_webpage') {
      const urls = list(args?.url_list ?? args?.url ?? args?.urls)
      return urls.length ? {kind: 'access', urls, raw: reply} : {kind: 'malformed', problem: `browse_webpage needs arguments.url_list: a list of urls. ${TOOL_USAGE}`, raw: reply}
    }
    return {kind: 'malformed', problem: `Unknown tool ${JSON.stringify(name)}. ${TOOL_USAGE}`, raw: reply}
  },
  observation: (text) => `\n\n<tool_response>\n${text}\n</tool_response>\n\n`,
}

export function agentFormat(name: string): AgentFormat {
  switch (name) {
    case 'asearcher':
      return ASEARCHER_FORMAT
    case 'deepresearcher':
      return DEEPRESEARCHER_FORMAT
    case 'search-r1':
      return SEARCH_R1_FORMAT
    case 'compact':
      return COMPACT_FORMAT
    default:
      throw new UsageError(`--format: expected ${FORMAT_NAMES.join(', ')}, got ${JSON.stringify(name)}`, {code: 'format', fix: `Pass --format ${FORMAT_NAMES.join('|')}.`})
  }
}
