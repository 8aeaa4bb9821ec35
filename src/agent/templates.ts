// Prompt templates of the three agent formats, as data. `{question}` is replaced by the question text. They
// follow the wording of the published agents (ASearcher, DeepResearcher, Search-R1) so models trained there
// behave here; docs/agent.md shows them rendered. Each is a function of the tools enabled (tool-specs.ts): the
// default tools give the published wording byte for byte.
import {DEFAULT_TOOLS, TOOL_SPECS, type ToolName} from './tool-specs.js'

export interface PromptTemplate {
  /** System message (empty: none; the instructions then live in the user message, as Search-R1 does). */
  system: string
  /** User message; `{question}` is substituted. */
  user: string
}

/** "<a>, <b> or <c>" (one item: "<a>"). */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`
}

/** ASearcher: one line per tool in the user message; the default tools give the published wording. */
export function asearcherTemplate(tools: readonly ToolName[] = DEFAULT_TOOLS): PromptTemplate {
  const lines = [
    'A conversation between User and Assistant. The user asks a question, and the Assistant answers it. The Assistant analyzes the question and the information it has gathered in its mind, keeps the important relevant facts, calls a search engine to find the information it lacks, accesses web pages by their urls, and finally gives the user the answer.',
    'The Assistant reasons inside <think> and </think>, writing down the facts it has learned so far.',
  ]
  for (const tool of tools) {
    if (tool === 'search') lines.push('The Assistant searches with <search> query </search>; the top results are returned between <information> and </information>.')
    else if (tool === 'access') lines.push('The Assistant reads a page with <access> url </access>; the page is returned between <information> and </information> one part at a time, and accessing the same url again returns the next part.')
    else {
      const spec = TOOL_SPECS[tool]
      lines.push(`To ${spec.purpose}, the Assistant writes <${tool}> ${spec.argument} </${tool}>; ${spec.result} is returned between <information> and </information>.`)
    }
  }
  const actions = orList([...tools, 'answer'].map((t) => `<${t}>`))
  lines.push(`When the Assistant knows the answer it gives it inside <answer> and </answer>, without explanation, e.g. <answer> Beijing </answer>. Each reply contains exactly one ${actions}.`, '', 'User: {question}')
  return {system: '', user: lines.join('\n')}
}

/** DeepResearcher: JSON tool calls listed in the system message. */
export function deepresearcherTemplate(tools: readonly ToolName[] = DEFAULT_TOOLS): PromptTemplate {
  const calls = tools.map((tool) => {
    const {name, key, list, example} = TOOL_SPECS[tool].json
    const value = tool === 'search' ? '["first query", "optional second query"]' : list ? `[${JSON.stringify(example)}]` : JSON.stringify(example)
    return `<tool_call>{"name": "${name}", "arguments": {"${key}": ${value}}}</tool_call>`
  })
  const about = ['Tool results come back inside <tool_response> and </tool_response>.']
  if (tools.includes('access')) about.push('browse_webpage returns a page one part at a time; browsing the same url again returns the next part.')
  const extra = tools.filter((t) => t !== 'search' && t !== 'access').map((t) => `${TOOL_SPECS[t].json.name}: to ${TOOL_SPECS[t].purpose}; ${TOOL_SPECS[t].result} is returned.`)
  return {
    system: [
      'You are a research assistant that answers questions by searching the web and reading pages.',
      'Think step by step inside <think> and </think>, noting what you have learned from each result.',
      '',
      'You may call one tool per reply, as JSON inside <tool_call> and </tool_call>:',
      ...calls,
      about.join(' '),
      ...extra,
      'When you are confident, give the final answer, short and without explanation, inside <answer> and </answer>.',
    ].join('\n'),
    user: 'Question: {question}',
  }
}

const SEARCH_R1_PROMPT =
  'Answer the given question. You must conduct reasoning inside <think> and </think> first every time you get new information. After reasoning, if you find you lack some knowledge, you can call a search engine by <search> query </search> and it will return the top searched results between <information> and </information>. You can search as many times as your want.{tools} If you find no further external knowledge needed, you can directly provide the answer inside <answer> and </answer>, without detailed illustrations. For example, <answer> Beijing </answer>. Question: {question}\n'

/** Search-R1: its published prompt verbatim; tools beyond search add one sentence each after the search one. */
export function searchR1Template(tools: readonly ToolName[] = ['search']): PromptTemplate {
  const extra = tools.filter((t) => t !== 'search').map((t) => ` To ${TOOL_SPECS[t].purpose}, you can write <${t}> ${TOOL_SPECS[t].argument} </${t}> and ${TOOL_SPECS[t].result} will be returned between <information> and </information>.`)
  return {system: '', user: SEARCH_R1_PROMPT.replace('{tools}', () => extra.join(''))}
}

export const ASEARCHER_TEMPLATE: PromptTemplate = asearcherTemplate()
export const DEEPRESEARCHER_TEMPLATE: PromptTemplate = deepresearcherTemplate()
export const SEARCH_R1_TEMPLATE: PromptTemplate = searchR1Template()

export function renderTemplate(template: PromptTemplate, question: string): {system: string; user: string} {
  // Function replacer: `$` sequences in a question must stay literal.
  return {system: template.system, user: template.user.replace('{question}', () => question)}
}

/** The compact format's prompt: the question alone (small models learn the protocol from demonstrations). */
export const COMPACT_TEMPLATE: PromptTemplate = {system: '', user: '{question}'}
