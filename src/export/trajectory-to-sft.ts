// Trajectory → SftExample: an episode re-rendered as the conversation the agent loop shows a model in a chosen
// agent format (its prompt template, its action syntax, its observation wrapper), so any trajectory — the world
// oracle's included — becomes supervised data for the real loop. Tokenised with conversationTokens it is the
// sequence runEpisode would feed the model for the same turns.
import type {SftExample} from '../core/index.js'
import type {Trajectory} from '../core/index.js'
import {agentFormat, type AgentAction, type AgentFormat} from '../agent/index.js'
import {renderTemplate} from '../agent/index.js'
import {DEFAULT_TOOLS, TOOL_NAMES, TOOL_SPECS, type ToolName} from '../agent/index.js'

export interface TrajectoryToSftOptions {
  /** Agent format to render in (default: the trajectory's own). */
  format?: AgentFormat
  /** Keep only episodes whose reward is at least this (episodes without a reward are then dropped). */
  minReward?: number
  /** Shorten each observation to about this many characters (default: keep whole). */
  maxObservationChars?: number
}

/** Why a trajectory gave no example (counted by the command). */
export type SkipReason = 'reward' | 'no-answer' | 'malformed-action' | 'access-unsupported' | 'tool-unsupported' | 'multi-call' | 'layout'

export type SftConversion = {kind: 'example'; example: SftExample} | {kind: 'skip'; reason: SkipReason; detail: string}

/** The reply text of one action in `format`'s syntax (what a model trained on it should write). */
export function actionText(format: AgentFormat, action: Exclude<AgentAction, {kind: 'malformed'}>): string {
  if (action.kind === 'answer') return `<answer>${action.answer}</answer>`
  const tool: ToolName = action.kind === 'call' ? action.tool : action.kind
  const inputs = action.kind === 'search' ? action.queries : action.kind === 'access' ? action.urls : action.inputs
  if (format.name === 'deepresearcher') {
    const {name, key, list} = TOOL_SPECS[tool].json
    return `<tool_call>${spacedJson({name, arguments: {[key]: list ? inputs : inputs[0]}})}</tool_call>`
  }
  return `<${tool}>${inputs[0]}</${tool}>`
}

/** The tools an episode used beyond its format's defaults, so its replies parse as they were written. */
function toolsOf(t: Trajectory): ToolName[] | undefined {
  const used = new Set<string>(t.tool_calls.map((c) => c.name))
  if (![...used].some((n) => !(DEFAULT_TOOLS as readonly string[]).includes(n))) return undefined
  return TOOL_NAMES.filter((n) => used.has(n) || DEFAULT_TOOLS.includes(n))
}

/** JSON with `, ` and `: ` separators, as the DeepResearcher prompt shows its tool calls (Python's json.dumps). */
function spacedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(spacedJson).join(', ')}]`
  if (value !== null && typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${spacedJson(v)}`).join(', ')}}`
  return JSON.stringify(value)
}

/** Where the action starts in a reply: the first action tag outside <think>…</think>. */
function actionStart(reply: string, format: AgentFormat): number {
  const tags = format.name === 'deepresearcher' ? ['<tool_call>', '<answer>'] : [...format.tools.map((t) => `<${t}>`), '<answer>']
  let i = 0
  for (;;) {
    const think = reply.indexOf('<think>', i)
    const end = think === -1 ? reply.length : think
    let best = -1
    for (const tag of tags) {
      const at = reply.indexOf(tag, i)
      if (at !== -1 && at < end && (best === -1 || at < best)) best = at
    }
    if (best !== -1 || think === -1) return best
    const close = reply.indexOf('</think>', think + 7)
    if (close === -1) return -1
    i = close + 8
  }
}

/** The tool text inside a recorded observation (Trajectory messages hold the wrapper trimmed). */
export function observationText(content: string): string {
  const m = /^\s*<(information|tool_response)>\n?([\s\S]*?)\n?<\/\1>\s*$/.exec(content)
  return m ? (m[2] as string) : content
}

/**
 * Shortens text to about `max` characters by water-filling over its blank-line-separated blocks: short blocks
 * (a page header, a hit's title and URL) stay whole and the budget left is shared by the long ones, so a
 * shortened result list still shows every hit's URL.
 */
export function shortenObservation(text: string, max: number): string {
  if (text.length <= max) return text
  const blocks = text.split('\n\n')
  const budget = Math.max(0, max - 2 * (blocks.length - 1))
  const order = blocks.map((b, i) => ({i, n: b.length})).sort((a, b) => a.n - b.n)
  const limit = new Array<number>(blocks.length).fill(0)
  let left = budget
  order.forEach(({i, n}, k) => {
    const share = Math.floor(left / (order.length - k))
    limit[i] = Math.min(n, share)
    left -= limit[i] as number
  })
  return blocks.map((b, i) => (b.length <= (limit[i] as number) ? b : `${b.slice(0, Math.max(0, (limit[i] as number) - 1)).trimEnd()}…`)).join('\n\n')
}

export function trajectoryToSft(t: Trajectory, options: TrajectoryToSftOptions = {}): SftConversion {
  const used = toolsOf(t)
  const source = agentFormat(t.format, used ? {tools: used} : {})
  const target = options.format ?? source
  if (options.minReward !== undefined && (t.reward === null || t.reward < options.minReward)) {
    return {kind: 'skip', reason: 'reward', detail: `reward ${t.reward} < ${options.minReward}`}
  }
  const first = t.messages.findIndex((m) => m.role === 'assistant')
  if (first === -1 || t.messages.at(-1)?.role !== 'assistant') return {kind: 'skip', reason: 'no-answer', detail: `finish_reason ${t.finish_reason}: the episode does not end with a reply`}
  const {system, user} = renderTemplate(target.template, t.question)
  const messages: SftExample['messages'] = []
  if (system) messages.push({role: 'system', content: system})
  messages.push({role: 'user', content: user})
  const rest = t.messages.slice(first)
  for (let k = 0; k < rest.length; k++) {
    const m = rest[k] as Trajectory['messages'][number]
    if (m.role === 'tool') {
      const text = observationText(m.content)
      // Stored as Trajectory records store it: the format's wrapper without its surrounding blank lines.
      messages.push({role: 'tool', content: target.observation(options.maxObservationChars ? shortenObservation(text, options.maxObservationChars) : text).trim()})
      continue
    }
    if (m.role !== 'assistant') return {kind: 'skip', reason: 'layout', detail: `a ${m.role} message after the first reply`}
    const action = source.parse(m.content, false)
    if (action.kind === 'malformed') return {kind: 'skip', reason: 'malformed-action', detail: action.problem}
    const last = k === rest.length - 1
    if (last !== (action.kind === 'answer')) return {kind: 'skip', reason: 'no-answer', detail: last ? `the last reply is a ${action.kind}, not an answer` : 'an answer before the last reply'}
    if (action.kind === 'access' && !target.tools.includes('access')) return {kind: 'skip', reason: 'access-unsupported', detail: `${target.name} has no access tool`}
    if (action.kind === 'call' && !target.tools.includes(action.tool)) return {kind: 'skip', reason: 'tool-unsupported', detail: `the ${target.name} format was not given the ${action.tool} tool`}
    const calls = action.kind === 'search' ? action.queries.length : action.kind === 'access' ? action.urls.length : action.kind === 'call' ? action.inputs.length : 1
    if (calls > 1 && target.name !== 'deepresearcher') return {kind: 'skip', reason: 'multi-call', detail: `${calls} calls in one reply; ${target.name} takes one`}
    // The same format keeps the reply verbatim (token for token); another format keeps the thoughts and rewrites the action.
    const start = actionStart(m.content, source)
    // A format without thoughts (compact) keeps only the action.
    const content = target === source ? m.content : target.thoughts === false ? actionText(target, action) : `${m.content.slice(0, Math.max(0, start))}${actionText(target, action)}`
    messages.push({role: 'assistant', content})
  }
  const example: SftExample = {
    type: 'sft_example',
    version: 1,
    id: t.id,
    messages,
    train_on: 'assistant',
    weight: 1,
    source: `trajectory:${t.id}`,
    meta: {question_id: t.question_id, format: target.name, from_format: source.name, model: t.model, reward: t.reward, layout: 'agent'},
  }
  return {kind: 'example', example}
}

