// Agent formats: how a model's reply becomes an action and how tool output goes back to it. ASearcher
// (<search>/<access>/<answer>), DeepResearcher (JSON in <tool_call>), Search-R1 (search only, EM reward).
// Each format is built for the tools of a run (`--tools`, tool-specs.ts): FORMATS is the table a new format
// joins — a default tool list, a reward, and a builder that declares, stops on and parses every tool.
import {UsageError} from '../core/index.js'
import {asearcherTemplate, COMPACT_TEMPLATE, deepresearcherTemplate, searchR1Template, type PromptTemplate} from './templates.js'
import {DEFAULT_TOOLS, TOOL_SPECS, type ToolName} from './tool-specs.js'

/** How one search's results are shown (an agent format's choice; defaults are the tools' own settings). */
export interface SearchView {
  /** Show at most this many of the hits (default all `topK`). */
  maxHits?: number
  /** Characters of text per hit (default the tools' `snippetChars`). */
  snippetChars?: number
  /** Show each hit's URL (default true; formats without `access` have nothing to open). */
  urls?: boolean
  /** Show the opening of the hit's text instead of the query-centred snippet (default false). */
  lead?: boolean
  /**
   * Also show the line of the hit's text that best matches the query's words its title lacks, cut at this many
   * characters, after the opening (` … line`) — the passage a web engine would show for "Norovford Medal
   * presented" — when that line is not already in the opening shown (default none: the opening only).
   */
  focusChars?: number
}

export type AgentAction =
  | {kind: 'search'; queries: string[]; raw: string}
  | {kind: 'access'; urls: string[]; raw: string}
  | {kind: 'answer'; answer: string; raw: string}
  /** A tool beyond search and access (calculator, code, file): one input per call. */
  | {kind: 'call'; tool: Exclude<ToolName, 'search' | 'access'>; inputs: string[]; raw: string}
  /** Not a valid action: `problem` goes back to the model as text. */
  | {kind: 'malformed'; problem: string; raw: string}

export interface AgentFormat {
  readonly name: FormatName
  readonly template: PromptTemplate
  /** How search results are shown (default: the tools' own: top-k hits with title, URL and a snippet). */
  readonly searchView?: SearchView
  /** False when replies carry no <think> (compact): exports then keep only the action. Default true. */
  readonly thoughts?: boolean
  /**
   * Text written between an opening action tag and its argument by demonstrations (compact: one space). With a
   * byte-level BPE a name after a space ("ĠKelmaria") is not the same tokens as the name glued to a tag
   * ("K|elmaria"), so without the space copying a name from the question or a result into a query or an answer is a
   * translation between two spellings, not a copy (decision 0960). Parsers trim it either way. Default ''.
   */
  readonly tagSpace?: string
  /** Generation stops after these (kept in the output). */
  readonly stop: readonly string[]
  /** Tools declared to the model and parsed (default: search and access; Search-R1 search only). */
  readonly tools: readonly ToolName[]
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
  return text.replace(/<\/?(information|tool_response|tool_call|answer|search|access|think|calculator|code|file)>/gi, (m) => m.replace('<', '‹').replace('>', '›'))
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

const article = (word: string): string => (/^[aeio]/i.test(word) ? `an ${word}` : `a ${word}`)

/** The action a tool tag or JSON call stands for, with its inputs. */
function toolAction(tool: ToolName, inputs: string[], raw: string): AgentAction {
  if (tool === 'search') return {kind: 'search', queries: inputs, raw}
  if (tool === 'access') return {kind: 'access', urls: inputs, raw}
  return {kind: 'call', tool, inputs, raw}
}

function tagFormat(name: 'asearcher' | 'search-r1' | 'compact', template: PromptTemplate, tools: readonly ToolName[], extra: Pick<AgentFormat, 'searchView' | 'thoughts' | 'tagSpace'> = {}): AgentFormat {
  const tags = [...tools, 'answer']
  const usage = tags.map((t) => `<${t}>${t === 'answer' ? 'answer' : TOOL_SPECS[t as ToolName].argument}</${t}>`).join(', ')
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
      if (!body) return {kind: 'malformed', problem: `Empty <${found.tag}></${found.tag}>: put ${article(TOOL_SPECS[found.tag as ToolName].argument)} between the tags.`, raw: reply}
      return toolAction(found.tag as ToolName, [body], reply)
    },
    observation: (text) => `\n\n<information>\n${text}\n</information>\n\n`,
  }
}

function jsonToolUsage(tools: readonly ToolName[]): string {
  const calls = tools.map((t) => {
    const {name, key, list} = TOOL_SPECS[t].json
    return `<tool_call>{"name": "${name}", "arguments": {"${key}": ${list ? '["..."]' : '"..."'}}}</tool_call>`
  })
  return `Use ${calls.join(', ')}${calls.length > 1 ? ',' : ''} or <answer>answer</answer>.`
}

function deepresearcherFormat(tools: readonly ToolName[]): AgentFormat {
  const usage = jsonToolUsage(tools)
  const byName = new Map(tools.map((t) => [TOOL_SPECS[t].json.name, t]))
  return {
    name: 'deepresearcher',
    template: deepresearcherTemplate(tools),
    tools,
    stop: ['</tool_call>', '</answer>'],
    defaultReward: 'f1',
    parse(reply, truncated) {
      const found = firstTag(outsideThink(reply), ['tool_call', 'answer'])
      if (!found) return {kind: 'malformed', problem: truncated ? `Your reply reached the per-turn token limit before an action. ${usage}` : `Invalid action: no <tool_call> or <answer> found outside <think>. ${usage}`, raw: reply}
      if (!found.closed && truncated) return {kind: 'malformed', problem: `Your <${found.tag}> was cut off by the per-turn token limit. ${usage}`, raw: reply}
      const body = found.body.trim()
      if (found.tag === 'answer') return body ? {kind: 'answer', answer: body, raw: reply} : {kind: 'malformed', problem: 'Empty <answer></answer>: put the answer between the tags.', raw: reply}
      let call: unknown
      try {
        call = JSON.parse(body)
      } catch (error) {
        return {kind: 'malformed', problem: `Invalid tool call: the JSON does not parse (${(error as Error).message}). ${usage}`, raw: reply}
      }
      const {name, arguments: args} = (call ?? {}) as {name?: unknown; arguments?: Record<string, unknown>}
      const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim())
      const tool = typeof name === 'string' ? byName.get(name) : undefined
      if (tool === 'search') {
        const queries = list(args?.query ?? args?.queries)
        return queries.length ? {kind: 'search', queries, raw: reply} : {kind: 'malformed', problem: `web_search needs arguments.query: a string or a list of strings. ${usage}`, raw: reply}
      }
      if (tool === 'access') {
        const urls = list(args?.url_list ?? args?.url ?? args?.urls)
        return urls.length ? {kind: 'access', urls, raw: reply} : {kind: 'malformed', problem: `browse_webpage needs arguments.url_list: a list of urls. ${usage}`, raw: reply}
      }
      if (tool) {
        const {name: callName, key} = TOOL_SPECS[tool].json
        const inputs = list(args?.[key])
        return inputs.length ? toolAction(tool, inputs, reply) : {kind: 'malformed', problem: `${callName} needs arguments.${key}: a string. ${usage}`, raw: reply}
      }
      return {kind: 'malformed', problem: `Unknown tool ${JSON.stringify(name)}. ${usage}`, raw: reply}
    },
    observation: (text) => `\n\n<tool_response>\n${text}\n</tool_response>\n\n`,
  }
}

/** Every agent format: add a row here (and its name to FORMAT_NAMES) to add one. */
export const FORMATS: Readonly<Record<FormatName, {readonly defaultTools: readonly ToolName[]; build(tools: readonly ToolName[]): AgentFormat}>> = {
  asearcher: {defaultTools: DEFAULT_TOOLS, build: (tools) => tagFormat('asearcher', asearcherTemplate(tools), tools)},
  deepresearcher: {defaultTools: DEFAULT_TOOLS, build: (tools) => deepresearcherFormat(tools)},
  'search-r1': {defaultTools: ['search'], build: (tools) => tagFormat('search-r1', searchR1Template(tools), tools)},
  // Compact: for small models trained here (decision 0960). The question alone as the prompt (the protocol is
  // learned from demonstrations), no <think>, and each search shows the top two hits' titles with the opening of
  // their text (120 characters; no URLs: there is nothing to open) — a short fact sheet per search. An episode is
  // ~150–300 tokens where ASearcher's prompt alone is 428.
  compact: {defaultTools: ['search'], build: (tools) => tagFormat('compact', COMPACT_TEMPLATE, tools, {searchView: {maxHits: 2, snippetChars: 120, urls: false, lead: true, focusChars: 90}, thoughts: false, tagSpace: ' '})},
}

export const ASEARCHER_FORMAT: AgentFormat = FORMATS.asearcher.build(FORMATS.asearcher.defaultTools)
export const SEARCH_R1_FORMAT: AgentFormat = FORMATS['search-r1'].build(FORMATS['search-r1'].defaultTools)
export const DEEPRESEARCHER_FORMAT: AgentFormat = FORMATS.deepresearcher.build(FORMATS.deepresearcher.defaultTools)
export const COMPACT_FORMAT: AgentFormat = FORMATS.compact.build(FORMATS.compact.defaultTools)

/** Formats built so far by name and tools, so one run's episodes share one object (the defaults are the constants above). */
const BUILT = new Map<string, AgentFormat>([ASEARCHER_FORMAT, DEEPRESEARCHER_FORMAT, SEARCH_R1_FORMAT, COMPACT_FORMAT].map((f) => [`${f.name}:${f.tools.join(',')}`, f]))

/** The tools a format uses by default. */
export function defaultToolsOf(name: string): readonly ToolName[] {
  return (FORMATS as Record<string, {defaultTools: readonly ToolName[]}>)[name]?.defaultTools ?? DEFAULT_TOOLS
}

/** The format `name` declaring `tools` (default: the format's own; the default formats are shared objects). */
export function agentFormat(name: string, options: {tools?: readonly ToolName[]} = {}): AgentFormat {
  const row = (FORMATS as Record<string, (typeof FORMATS)[FormatName]>)[name]
  if (!row) throw new UsageError(`--format: expected ${FORMAT_NAMES.join(', ')}, got ${JSON.stringify(name)}`, {code: 'format', fix: `Pass --format ${FORMAT_NAMES.join('|')}.`})
  const tools = options.tools ?? row.defaultTools
  const key = `${name}:${tools.join(',')}`
  let format = BUILT.get(key)
  if (!format) BUILT.set(key, (format = row.build(tools)))
  return format
}
