// What an episode has said so far, in the form its model reads it. One interface, two implementations, so the agent
// loop has no mode branches:
// - TokenTranscript (token-level models with a tokenizer): one exact token sequence (token-trace.ts) — prompt mask 0,
//   generated tokens mask 1 with behaviour log-probs and versions, tool output mask 0; what the model is shown is a
//   view of it that drops the oldest tool outputs when the context is full.
// - ChatTranscript (chat APIs): alternating messages, tool output sent as user turns, sizes counted by the model's
//   tokenizer or estimated (≈ 4 characters a token); the oldest tool outputs are replaced when the context is full.
// Both keep the chat messages the Trajectory records.
import {chatMlTemplate} from '../llm/index.js'
import type {ChatMessage, GenerateInput, GenerateResult, LanguageModel, TextTokenizer} from '../llm/index.js'
import {TokenTrace, type VersionSpan} from './token-trace.js'

/** What the model is given for its next turn. */
export interface TurnInput {
  input: GenerateInput
  /** Its size in tokens (estimated for a chat model without a tokenizer). */
  promptTokens: number
  /** Tool outputs replaced by the placeholder to fit, and their tokens. */
  dropped: number
  droppedTokens: number
}

/** The transcript's part of the Trajectory record. */
export interface TranscriptRecord {
  token_ids: number[]
  loss_mask: Array<0 | 1>
  behaviour_logprobs: number[]
  version_spans: VersionSpan[]
  /** stats.tokens: the sequence's length (chat: the last prompt plus the last reply). */
  tokens: number
  /** Some generation came without log-probs (then behaviour_logprobs is empty). */
  missingLogprobs: boolean
}

export interface Transcript {
  /** The conversation as chat messages (system, user, assistant and tool turns), recorded in the Trajectory. */
  readonly messages: ChatMessage[]
  /** Whether behaviour log-probs are asked for by default (token-level models: training needs them). */
  readonly logprobsByDefault: boolean
  /** The next turn's input within `context` tokens, leaving `room` for the reply; undefined when it cannot fit. */
  next(context: number, room: number): TurnInput | undefined
  /**
   * Records the model's reply; returns its text and its generated tokens. `version` is the policy version of the
   * episode's first turn, used when the reply names none.
   */
  reply(result: GenerateResult, version: number): {text: string; tokens: number}
  /** Records a tool observation (already wrapped by the format); returns its tokens. */
  observe(wrapped: string): number
  /** The record's token fields; `lastPromptTokens` is what the model reported for the last prompt. */
  record(lastPromptTokens: number, wantLogprobs: boolean): TranscriptRecord
}

/**
 * The transcript for `model`: token-level when it generates from token ids and has a tokenizer, chat otherwise.
 * `messages` are the opening (system, user); `placeholder` is the format-wrapped text that replaces a dropped tool output.
 */
export function openTranscript(model: LanguageModel, messages: ChatMessage[], placeholder: string): Transcript {
  const tokenizer = model.tokenizer
  return model.capabilities.tokens && tokenizer !== undefined ? new TokenTranscript(tokenizer, messages, placeholder) : new ChatTranscript(messages, placeholder, tokenizer)
}

export class TokenTranscript implements Transcript {
  readonly logprobsByDefault = true
  readonly #trace = new TokenTrace()
  readonly #placeholderIds: number[]

  constructor(readonly tokenizer: TextTokenizer, readonly messages: ChatMessage[], placeholder: string) {
    const prompt = tokenizer.applyChatTemplate ? tokenizer.applyChatTemplate(messages, {addGenerationPrompt: true}) : chatMlTemplate(messages)
    this.#trace.appendPrompt(tokenizer.encode(prompt))
    this.#placeholderIds = tokenizer.encode(placeholder)
  }

  next(context: number, room: number): TurnInput | undefined {
    const view = this.#trace.view(context, room, this.#placeholderIds)
    if (!view) return undefined
    return {input: {kind: 'tokens', tokenIds: view.tokenIds}, promptTokens: view.tokenIds.length, dropped: view.droppedSegments, droppedTokens: view.droppedTokens}
  }

  reply(result: GenerateResult, version: number): {text: string; tokens: number} {
    const ids = result.tokenIds ?? this.tokenizer.encode(result.text)
    const text = result.tokenIds ? result.text : this.tokenizer.decode(ids)
    this.#trace.appendGenerated(ids, result.logprobs, result.policyVersions?.length === ids.length ? result.policyVersions : (result.policyVersion ?? version))
    this.messages.push({role: 'assistant', content: text})
    return {text, tokens: ids.length}
  }

  observe(wrapped: string): number {
    this.messages.push({role: 'tool', content: wrapped.trim()})
    const ids = this.tokenizer.encode(wrapped)
    this.#trace.appendTool(ids)
    return ids.length
  }

  record(_lastPromptTokens: number, wantLogprobs: boolean): TranscriptRecord {
    const t = this.#trace
    return {
      token_ids: t.tokenIds, loss_mask: t.lossMask, behaviour_logprobs: !t.missingLogprobs && wantLogprobs ? t.logprobs : [], version_spans: t.versionSpans,
      tokens: t.length, missingLogprobs: t.missingLogprobs,
    }
  }
}

export class ChatTranscript implements Transcript {
  readonly logprobsByDefault = false
  readonly #placeholder: string

  constructor(readonly messages: ChatMessage[], placeholder: string, readonly tokenizer?: TextTokenizer) {
    this.#placeholder = placeholder.trim()
  }

  next(context: number, room: number): TurnInput | undefined {
    const fitted = fitMessages(this.messages, context - room, this.#placeholder, this.tokenizer)
    if (!fitted) return undefined
    return {
      input: {kind: 'chat', messages: fitted.messages.map((m) => (m.role === 'tool' ? {role: 'user', content: m.content} : m))},
      promptTokens: fitted.tokens, dropped: fitted.dropped, droppedTokens: fitted.droppedTokens,
    }
  }

  reply(result: GenerateResult): {text: string; tokens: number} {
    this.messages.push({role: 'assistant', content: result.text})
    return {text: result.text, tokens: result.usage.completionTokens || estimateTokens(result.text, this.tokenizer)}
  }

  observe(wrapped: string): number {
    this.messages.push({role: 'tool', content: wrapped.trim()})
    return estimateTokens(wrapped, this.tokenizer)
  }

  record(lastPromptTokens: number): TranscriptRecord {
    const last = this.messages.at(-1)
    return {
      token_ids: [], loss_mask: [], behaviour_logprobs: [], version_spans: [],
      tokens: lastPromptTokens + (last?.role === 'assistant' ? estimateTokens(last.content, this.tokenizer) : 0), missingLogprobs: false,
    }
  }
}

/** Rough token count for chat models without a tokenizer (≈ 4 characters per token). */
function estimateTokens(text: string, tokenizer?: TextTokenizer): number {
  return tokenizer ? tokenizer.encode(text).length : Math.ceil(text.length / 4)
}

/** Messages within `limit` tokens: system and question kept, oldest tool outputs replaced first. */
function fitMessages(messages: ChatMessage[], limit: number, placeholder: string, tokenizer?: TextTokenizer): {messages: ChatMessage[]; tokens: number; dropped: number; droppedTokens: number} | undefined {
  const sizes = messages.map((m) => estimateTokens(m.content, tokenizer) + 4)
  let total = sizes.reduce((a, b) => a + b, 0)
  if (total <= limit) return {messages, tokens: total, dropped: 0, droppedTokens: 0}
  const out = [...messages]
  const placeholderSize = estimateTokens(placeholder, tokenizer) + 4
  let dropped = 0
  let droppedTokens = 0
  for (let i = 0; i < out.length && total > limit; i++) {
    if (out[i]!.role !== 'tool' || sizes[i]! <= placeholderSize) continue
    total -= sizes[i]! - placeholderSize
    droppedTokens += sizes[i]!
    out[i] = {role: 'tool', content: placeholder}
    dropped++
  }
  return total <= limit ? {messages: out, tokens: total, dropped, droppedTokens} : undefined
}
