// The agent-flag group: the flags that mean the same thing in every command that runs a search agent (rollout,
// eval, filter --difficulty, synthesize --engine llm, train), each written once with one description. A command
// picks the ones it needs; `use` names when the flag applies in that command (e.g. "--difficulty rollouts") and
// `default` keeps each command's own default. --tools/--attachments live in tools-flags.ts, beside their check.
import {Flags} from '@oclif/core'
import {FORMAT_NAMES, REWARD_METRICS} from '../../src/agent/index.js'
import {allowPrivateFlag} from './search-flags.js'
import {baseUrlFlag} from './base-url-flag.js'

export {allowPrivateFlag, baseUrlFlag}

type FormatName = (typeof FORMAT_NAMES)[number]
const when = (use: string | undefined, defaultText?: string): string => {
  const parts = [use, defaultText === undefined ? undefined : `default: ${defaultText}`].filter((part) => part !== undefined)
  return parts.length > 0 ? ` (${parts.join('; ')})` : ''
}

/** `--search`: where the agent searches. */
export function searchFlag(options: {use?: string; closedBook?: boolean} = {}) {
  return Flags.string({helpValue: 'S', description: searchDescription(options)})
}

/** `--search` that the command cannot run without (`-s` where `short` is set). */
export function requiredSearchFlag(options: {short?: boolean; closedBook?: boolean} = {}) {
  return Flags.string({...(options.short ? {char: 's' as const} : {}), required: true, helpValue: 'S', description: searchDescription(options)})
}

function searchDescription(options: {use?: string; closedBook?: boolean}): string {
  return `Search${when(options.use)}: an index folder, a world folder, a retrieval-server URL, serper: or searxng:URL${options.closedBook ? ', or "none" (closed-book)' : ''}.`
}

const FORMAT_DESCRIPTION = 'Agent format and prompt template'

/** The agent format (`--format` in rollout/train, `--agent-format` where --format names a file format). */
export function agentFormatFlag(options: {default: FormatName; use?: string}): ReturnType<typeof formatWithDefault>
export function agentFormatFlag(options?: {use?: string; defaultText?: string}): ReturnType<typeof formatWithoutDefault>
export function agentFormatFlag(options: {default?: FormatName; use?: string; defaultText?: string} = {}) {
  return options.default === undefined ? formatWithoutDefault(options.use, options.defaultText) : formatWithDefault(options.default, options.use)
}
function formatWithDefault(value: FormatName, use?: string) {
  return Flags.option({options: FORMAT_NAMES, default: value, description: `${FORMAT_DESCRIPTION}${when(use)}.`})()
}
function formatWithoutDefault(use?: string, defaultText?: string) {
  return Flags.option({options: FORMAT_NAMES, description: `${FORMAT_DESCRIPTION}${when(use, defaultText)}.`})()
}

/** `--max-turns`: the turn limit per episode. */
export function maxTurnsFlag(options: {default: number; use?: string}): ReturnType<typeof maxTurnsWithDefault>
export function maxTurnsFlag(options: {use?: string; defaultText: string}): ReturnType<typeof maxTurnsWithoutDefault>
export function maxTurnsFlag(options: {default?: number; use?: string; defaultText?: string}) {
  return options.default === undefined ? maxTurnsWithoutDefault(options.use, options.defaultText) : maxTurnsWithDefault(options.default, options.use)
}
function maxTurnsWithDefault(value: number, use?: string) {
  return Flags.integer({min: 1, default: value, description: `Turn limit per episode${when(use)}.`})
}
function maxTurnsWithoutDefault(use?: string, defaultText?: string) {
  return Flags.integer({min: 1, description: `Turn limit per episode${when(use, defaultText)}.`})
}

export const maxTokensPerTurnFlag = Flags.integer({default: 1024, min: 1, description: 'Tokens per model reply.'})

export function contextLengthFlag(defaultText: string) {
  return Flags.integer({min: 64, description: `Context in tokens (default: ${defaultText}).`})
}

export const searchTopKFlag = Flags.integer({default: 5, min: 1, description: 'Hits per search.'})

export function rewardFlag() {
  return Flags.option({options: REWARD_METRICS, description: 'Reward metric (default: f1; em for search-r1). Null when a question has no answers.'})()
}
