// The agent's tool catalogue as data: each tool's name, the one argument it takes, and the words every agent
// format uses to declare it (formats.ts / templates.ts turn these into their own syntax). `--tools` picks a
// subset per run; the default is the format's own (search and access; Search-R1 search only).
import {UsageError} from '../core/index.js'

export const TOOL_NAMES = ['search', 'access', 'calculator', 'code', 'file'] as const
export type ToolName = (typeof TOOL_NAMES)[number]

export interface ToolSpec {
  readonly name: ToolName
  /** What goes between the tags (`<calculator>expression</calculator>`). */
  readonly argument: string
  /** "To …" phrase for prompts that declare the tool in prose. */
  readonly purpose: string
  /** What comes back, as the subject of "… is returned". */
  readonly result: string
  /** JSON tool-call convention (DeepResearcher): the call's name and its argument key. */
  readonly json: {readonly name: string; readonly key: string; readonly list: boolean; readonly example: string}
  /** Key of the ToolCallRecord's `arguments`. */
  readonly recordKey: string
}

export const TOOL_SPECS: Readonly<Record<ToolName, ToolSpec>> = {
  search: {name: 'search', argument: 'query', purpose: 'search the web', result: 'the top results', json: {name: 'web_search', key: 'query', list: true, example: 'first query'}, recordKey: 'query'},
  access: {name: 'access', argument: 'url', purpose: 'read a web page', result: 'the page, one part at a time (accessing the same url again returns the next part),', json: {name: 'browse_webpage', key: 'url_list', list: true, example: 'https://example.org/page'}, recordKey: 'url'},
  calculator: {
    name: 'calculator',
    argument: 'expression',
    purpose: 'compute exactly (arithmetic, fractions, percentages, functions such as sqrt or round, and units such as 5 km to mile)',
    result: 'the result',
    json: {name: 'calculator', key: 'expression', list: false, example: '(2.5 + 3) * 4 / 7'},
    recordKey: 'expression',
  },
  code: {
    name: 'code',
    argument: 'program',
    purpose: 'run a JavaScript program in a sandbox without files or network (print with console.log)',
    result: 'what it prints and the value of its last expression',
    json: {name: 'run_code', key: 'code', list: false, example: 'console.log([3, 1, 2].sort())'},
    recordKey: 'code',
  },
  file: {
    name: 'file',
    argument: 'file name',
    purpose: 'read a file attached to the question (PDF, spreadsheet, CSV, Word or text)',
    result: 'the file, one part at a time (reading the same file again returns the next part),',
    json: {name: 'read_file', key: 'file_name', list: false, example: 'data.xlsx'},
    recordKey: 'file',
  },
}

export const DEFAULT_TOOLS: readonly ToolName[] = ['search', 'access']

export function isToolName(name: string): name is ToolName {
  return (TOOL_NAMES as readonly string[]).includes(name)
}

/**
 * `--tools a,b,c` → tool names in catalogue order (so a prompt does not depend on how the flag was spelled).
 * Undefined gives `fallback` (the format's default). `search` is required: every format is a search agent.
 */
export function parseToolList(flag: string | undefined, fallback: readonly ToolName[] = DEFAULT_TOOLS): ToolName[] {
  if (flag === undefined) return [...fallback]
  const names = flag.split(',').map((s) => s.trim()).filter(Boolean)
  for (const n of names) {
    if (!isToolName(n)) throw new UsageError(`--tools: unknown tool ${JSON.stringify(n)}`, {code: 'flag', fix: `Use a comma-separated list of ${TOOL_NAMES.join(', ')} (e.g. --tools search,access,calculator).`})
  }
  if (!names.includes('search')) throw new UsageError(`--tools: expected a list that includes search, got ${JSON.stringify(flag)}`, {code: 'flag', fix: `Add search (e.g. --tools search,${names.join(',') || 'access'}); the agent formats are search agents.`})
  return TOOL_NAMES.filter((t) => names.includes(t))
}
