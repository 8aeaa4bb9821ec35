// `--tools` and `--attachments`, shared by every command that builds an agent (rollout, train, eval): one parse
// into the format (which declares the tools) and the options that give AgentTools the matching handlers.
import {Flags} from '@oclif/core'
import {existsSync, statSync} from 'node:fs'
import {UsageError} from '../../src/core/index.js'
import {agentFormat, defaultToolsOf, type AgentFormat} from '../../src/agent/index.js'
import {parseToolList, TOOL_NAMES, type ToolName} from '../../src/agent/index.js'

export const toolsFlags = {
  tools: Flags.string({description: `Tools the agent may call, comma-separated from ${TOOL_NAMES.join(', ')} (default: the format's own, search,access; search-r1: search).`, helpValue: 'LIST'}),
  attachments: Flags.string({description: 'Folder of question attachments (GAIA file_name) that the file tool reads.', helpValue: 'DIR'}),
}

export interface AgentToolChoice {
  tools: ToolName[]
  /** Options for resolveAgentTools / AgentTools. */
  toolOptions: {enabled: ToolName[]; attachmentsDir?: string}
}

/**
 * Validates `--tools` / `--attachments` against each other. Without --tools the list is `fallback` (default: the
 * format's own), plus file when --attachments is given.
 */
export function toolChoice(flags: {tools?: string | undefined; attachments?: string | undefined}, formatName: string, fallback?: readonly ToolName[]): AgentToolChoice {
  const base = fallback ?? defaultToolsOf(formatName)
  const tools = parseToolList(flags.tools, flags.attachments !== undefined && !base.includes('file') ? [...base, 'file'] : base)
  if (flags.attachments !== undefined && !(existsSync(flags.attachments) && statSync(flags.attachments).isDirectory())) {
    throw new UsageError(`--attachments ${flags.attachments}: no such folder`, {code: 'flag', fix: 'Pass the folder holding the attached files (GAIA: the split folder beside metadata.jsonl).'})
  }
  if (tools.includes('file') && flags.attachments === undefined) throw new UsageError('--tools includes file but no --attachments DIR was given', {code: 'flag', fix: 'Add --attachments DIR (the folder of the questions\' attached files), or drop file from --tools.'})
  if (flags.attachments !== undefined && !tools.includes('file')) throw new UsageError('--attachments needs the file tool', {code: 'flag', fix: `Add file to --tools (e.g. --tools ${[...tools, 'file'].join(',')}).`})
  return {tools, toolOptions: {enabled: tools, ...(flags.attachments !== undefined ? {attachmentsDir: flags.attachments} : {})}}
}

export function formatWithTools(formatName: string, choice: AgentToolChoice): AgentFormat {
  return agentFormat(formatName, {tools: choice.tools})
}
