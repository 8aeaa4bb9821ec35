// The agent loop: one episode of think → act (search / access / answer) → observe, with any LanguageModel.
// What the model reads is a Transcript (transcript.ts): token-level models get one exact token sequence (prompt
// mask 0, generated mask 1 with behaviour log-probs, tool output mask 0), chat models alternating messages; the
// loop itself is the same for both. Tool failures and malformed actions go back to the model as text; only a
// broken backend (ModelBackendError) escapes as an exception.
import {isArsError, trajectoryId} from '../core/index.js'
import type {Question} from '../core/index.js'
import type {ToolCallRecord, Trajectory} from '../core/index.js'
import {ContextOverflowError, ModelBackendError, isAbortError} from '../llm/index.js'
import type {ChatMessage, GenerateResult, LanguageModel} from '../llm/index.js'
import {type AgentAction, type AgentFormat, ASEARCHER_FORMAT} from './formats.js'
import {computeReward, type RewardOptions} from './reward.js'
import {abortedBy, answerGiven, firstStop, tokenBudget, turnLimit, type EpisodeState, type FinishReason, type StopCondition} from './stop-conditions.js'
import {renderTemplate} from './templates.js'
import {TOOL_SPECS, type ToolName} from './tool-specs.js'
import {cleanText, type AgentTools, type ToolSession} from './tools.js'
import {openTranscript} from './transcript.js'
import {UsageError} from '../core/index.js'
import {attachmentsOf} from '../tools/index.js'

export interface EpisodeOptions {
  model: LanguageModel
  tools: AgentTools
  /** Default ASearcher. */
  format?: AgentFormat
  /** Default 32. */
  maxTurns?: number
  /** Tokens per model reply (default 1024). */
  maxTokensPerTurn?: number
  /** Tokens the model may generate over the whole episode (default: no budget beyond the context). */
  maxModelTokens?: number
  /** Context in tokens (default: the model's, else 32768). */
  contextLength?: number
  /** A turn needs at least this much room; below it old tool output is dropped, then the episode ends (default 32). */
  minTurnTokens?: number
  /** Default 1 (sampling); 0 is greedy. */
  temperature?: number
  topP?: number
  topK?: number
  /** Seed of the episode; turn t samples with seed + t. */
  seed?: number
  /** Ask for behaviour log-probs (default: true for token-level models, which training needs). */
  logprobs?: boolean
  /** Extra stop conditions, checked after the built-in ones. */
  stopWhen?: StopCondition[]
  signal?: AbortSignal
  /** Reward when the question has answers; null skips scoring. */
  reward?: RewardOptions | null
  sampleIndex?: number
  /** Clock in ms (tests inject one). */
  now?: () => number
}

/** What replaces a dropped tool output, inside the format's own observation tags so the turn structure stays. */
const PLACEHOLDER = '[earlier tool output removed to fit the context]'

export async function runEpisode(question: Question, options: EpisodeOptions): Promise<Trajectory> {
  const now = options.now ?? (() => performance.now())
  const t0 = now()
  const model = options.model
  const format = options.format ?? ASEARCHER_FORMAT
  const maxTurns = options.maxTurns ?? 32
  const perTurn = options.maxTokensPerTurn ?? 1024
  const context = options.contextLength ?? model.contextLength ?? 32768
  const minTurn = options.minTurnTokens ?? 32
  const conditions: StopCondition[] = [answerGiven(), turnLimit(maxTurns)]
  if (options.maxModelTokens !== undefined) conditions.push(tokenBudget(options.maxModelTokens))
  if (options.signal) conditions.push(abortedBy(options.signal))
  conditions.push(...(options.stopWhen ?? []))

  const missing = options.tools.missing(format.tools)
  if (missing.length) throw new UsageError(`the ${format.name} format declares ${missing.join(', ')} but the tools given to the episode cannot run ${missing.length > 1 ? 'them' : 'it'}`, {code: 'tools', fix: 'Build the tools with the same --tools list (and --attachments DIR for file).'})
  const session: ToolSession = options.tools.session(question)
  const {system, user} = renderTemplate(format.template, questionText(question, format))
  const messages: ChatMessage[] = []
  if (system) messages.push({role: 'system', content: system})
  messages.push({role: 'user', content: user})
  const transcript = openTranscript(model, messages, format.observation(PLACEHOLDER))
  const wantLogprobs = options.logprobs ?? transcript.logprobsByDefault

  const state: EpisodeState = {turns: 0, modelTokens: 0, answer: null}
  const toolCalls: ToolCallRecord[] = []
  const truncations: Array<{turn: number; dropped_outputs: number; dropped_tokens: number}> = []
  let finish: FinishReason | undefined
  let policyVersion: number | undefined
  let malformed = 0
  let toolTokens = 0
  let lastPromptTokens = 0
  let error: string | undefined

  while (!(finish = firstStop(conditions, state))) {
    // 1. What the model sees, within the context.
    const turn = transcript.next(context, Math.min(minTurn, perTurn))
    if (!turn) {
      finish = 'context_overflow'
      break
    }
    if (turn.dropped > 0) truncations.push({turn: state.turns, dropped_outputs: turn.dropped, dropped_tokens: turn.droppedTokens})
    let maxTokens = Math.min(perTurn, context - turn.promptTokens)
    if (options.maxModelTokens !== undefined) maxTokens = Math.min(maxTokens, options.maxModelTokens - state.modelTokens)

    // 2. Generate.
    let result: GenerateResult
    try {
      result = await model.generate(turn.input, {
        maxTokens,
        temperature: options.temperature ?? 1,
        topP: options.topP,
        topK: options.topK,
        seed: options.seed === undefined ? undefined : options.seed + state.turns,
        stop: [...format.stop],
        logprobs: wantLogprobs,
        signal: options.signal,
      })
    } catch (e) {
      if (options.signal?.aborted || isAbortError(e)) finish = 'aborted'
      else if (e instanceof ContextOverflowError) finish = 'context_overflow'
      else if (e instanceof ModelBackendError || (isArsError(e) && e.exit === 2)) throw e
      else {
        finish = 'error'
        error = (e as Error)?.message ?? String(e)
      }
      break
    }
    lastPromptTokens = result.usage.promptTokens || turn.promptTokens
    policyVersion ??= result.policyVersion ?? 0
    state.turns++
    const {text, tokens} = transcript.reply(result, policyVersion)
    state.modelTokens += tokens
    if (result.finishReason === 'abort') {
      finish = 'aborted'
      break
    }

    // 3. Act.
    const action: AgentAction = format.parse(text, result.finishReason === 'length')
    if (action.kind === 'answer') {
      state.answer = action.answer
      continue
    }
    // No observation is appended when the episode is over anyway: its tokens would never be read.
    const over = firstStop(conditions.slice(1), state)
    if (over) {
      if (action.kind === 'malformed') malformed++
      finish = over
      break
    }
    let observation: string
    if (action.kind === 'malformed') {
      malformed++
      observation = action.problem
    } else {
      observation = await runTool(action, session, format, state.turns - 1, t0, now, toolCalls, options.signal)
      if (options.signal?.aborted) {
        finish = 'aborted'
        break
      }
    }
    toolTokens += transcript.observe(format.observation(observation))
  }

  const answer = state.answer
  const outcome = options.reward && finish !== 'aborted' ? computeReward(answer, question.answers, options.reward) : undefined
  const sampleIndex = options.sampleIndex ?? 0
  const meta: Record<string, unknown> = {}
  if (truncations.length) meta.truncations = truncations
  if (error) meta.error = error
  const recorded = transcript.record(lastPromptTokens, wantLogprobs)
  if (recorded.missingLogprobs) meta.missing_logprobs = true
  return {
    type: 'trajectory',
    version: 1,
    id: trajectoryId(question.id, sampleIndex),
    question_id: question.id,
    sample_index: sampleIndex,
    policy_version: policyVersion ?? 0,
    model: model.id,
    format: format.name,
    question: question.question,
    answers: question.answers,
    messages,
    tool_calls: toolCalls,
    token_ids: recorded.token_ids,
    loss_mask: recorded.loss_mask,
    behaviour_logprobs: recorded.behaviour_logprobs,
    version_spans: recorded.version_spans,
    answer,
    reward: outcome ? outcome.reward : null,
    ...(outcome ? {reward_detail: outcome.detail} : {}),
    finish_reason: finish,
    stats: {
      turns: state.turns,
      tokens: recorded.tokens,
      model_tokens: state.modelTokens,
      tool_calls: toolCalls.length,
      tool_tokens: toolTokens,
      malformed_actions: malformed,
      truncations: truncations.length,
      wall_ms: Math.max(0, now() - t0),
    },
    meta,
  }
}

/** The question as the prompt shows it: with the file tool on, its attachments are named after it. */
function questionText(question: Question, format: AgentFormat): string {
  if (!format.tools.includes('file')) return question.question
  const names = attachmentsOf(question)
  return names.length ? `${question.question}\n\nAttached file${names.length > 1 ? 's' : ''}: ${names.join(', ')}` : question.question
}

/** An argument as error text shows it: short ones whole, a long program by its start. */
function preview(item: string): string {
  return JSON.stringify(item.length > 80 ? `${item.slice(0, 77)}…` : item)
}

async function runTool(action: Exclude<AgentAction, {kind: 'answer' | 'malformed'}>, session: ToolSession, format: AgentFormat, turn: number, t0: number, now: () => number, calls: ToolCallRecord[], signal?: AbortSignal): Promise<string> {
  const tool: ToolName = action.kind === 'call' ? action.tool : action.kind
  const items = action.kind === 'search' ? action.queries : action.kind === 'access' ? action.urls : action.inputs
  const parts: string[] = []
  for (const item of items) {
    const started = now()
    const args = {[TOOL_SPECS[tool].recordKey]: item}
    try {
      const text = await session.call(tool, item, signal, format.searchView)
      calls.push({turn, name: tool, arguments: args, ok: true, result: text, started_ms: Math.max(0, started - t0), duration_ms: Math.max(0, now() - started)})
      parts.push(text)
    } catch (e) {
      if (signal?.aborted) return ''
      // Reader errors know their own tool text; everything else is reported by its message.
      const toolText = (e as {toolText?: () => string})?.toolText
      const reason = cleanText(typeof toolText === 'function' ? toolText.call(e) : e instanceof Error ? e.message : String(e))
      const text = `Error: ${tool} ${preview(item)} failed: ${reason}`
      calls.push({turn, name: tool, arguments: args, ok: false, result: text, error: reason, started_ms: Math.max(0, started - t0), duration_ms: Math.max(0, now() - started)})
      parts.push(text)
    }
  }
  return parts.join('\n\n')
}
