// Prompt templates of the three agent formats, as data. `{question}` is replaced by the question text. They
// follow the wording of the published agents (ASearcher, DeepResearcher, Search-R1) so models trained there
// behave here; docs/agent.md shows them rendered.

export interface PromptTemplate {
  /** System message (empty: none; the instructions then live in the user message, as Search-R1 does). */
  system: string
  /** User message; `{question}` is substituted. */
  user: string
}

export const ASEARCHER_TEMPLATE: PromptTemplate = {
  system: '',
  user: [
    'A conversation between User and Assistant. The user asks a question, and the Assistant answers it. The Assistant analyzes the question and the information it has gathered in its mind, keeps the important relevant facts, calls a search engine to find the information it lacks, accesses web pages by their urls, and finally gives the user the answer.',
    'The Assistant reasons inside <think> and </think>, writing down the facts it has learned so far.',
    'The Assistant searches with <search> query </search>; the top results are returned between <information> and </information>.',
    'The Assistant reads a page with <access> url </access>; the page is returned between <information> and </information> one part at a time, and accessing the same url again returns the next part.',
    'When the Assistant knows the answer it gives it inside <answer> and </answer>, without explanation, e.g. <answer> Beijing </answer>. Each reply contains exactly one <search>, <access> or <answer>.',
    '',
    'User: {question}',
  ].join('\n'),
}

export const DEEPRESEARCHER_TEMPLATE: PromptTemplate = {
  system: [
    'You are a research assistant that answers questions by searching the web and reading pages.',
    'Think step by step inside <think> and </think>, noting what you have learned from each result.',
    '',
    'You may call one tool per reply, as JSON inside <tool_call> and </tool_call>:',
    '<tool_call>{"name": "web_search", "arguments": {"query": ["first query", "optional second query"]}}</tool_call>',
    '<tool_call>{"name": "browse_webpage", "arguments": {"url_list": ["https://example.org/page"]}}</tool_call>',
    'Tool results come back inside <tool_response> and </tool_response>. browse_webpage returns a page one part at a time; browsing the same url again returns the next part.',
    'When you are confident, give the final answer, short and without explanation, inside <answer> and </answer>.',
  ].join('\n'),
  user: 'Question: {question}',
}

export const SEARCH_R1_TEMPLATE: PromptTemplate = {
  system: '',
  user: 'Answer the given question. You must conduct reasoning inside <think> and </think> first every time you get new information. After reasoning, if you find you lack some knowledge, you can call a search engine by <search> query </search> and it will return the top searched results between <information> and </information>. You can search as many times as your want. If you find no further external knowledge needed, you can directly provide the answer inside <answer> and </answer>, without detailed illustrations. For example, <answer> Beijing </answer>. Question: {question}\n',
}

export function renderTemplate(template: PromptTemplate, question: string): {system: string; user: string} {
  // Function replacer: `$` sequences in a question must stay literal.
  return {system: template.system, user: template.user.replace('{question}', () => question)}
}

/** The compact format's prompt: the question alone (small models learn the protocol from demonstrations). */
export const COMPACT_TEMPLATE: PromptTemplate = {system: '', user: '{question}'}
