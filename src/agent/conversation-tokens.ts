// The token sequence of a conversation exactly as the agent loop feeds it to a token-level model (decision 0600):
// the messages before the first assistant reply go through the chat template with the generation prompt, and every
// later message is appended as its own encoded text — replies (trainable) and observations (never trained on).
// SFT examples written by `export --format sft-jsonl` and `world facts` are laid out for this rendering.
import {DataError} from '../core/index.js'
import {chatMlTemplate} from '../llm/index.js'
import type {ChatMessage, TextTokenizer} from '../llm/index.js'

export type TrainOn = 'assistant' | 'last_assistant' | 'all'

export interface ConversationTokens {
  tokenIds: number[]
  /** 1 where the token is trained on. */
  lossMask: Array<0 | 1>
}

/**
 * Renders `messages` as `runEpisode` would have built the sequence: prompt = chat template over the leading
 * system/user messages (with the generation prompt), then assistant and tool messages appended, each encoded on
 * its own. Tool messages hold the observation as Trajectory records store it — the format's wrapper without the
 * blank lines every format puts around it (`<information>\n…\n</information>`) — and are fed as `\n\n…\n\n`.
 * No end-of-turn token follows the last reply: generation ends at the format's stop string, which the reply holds.
 */
export function conversationTokens(messages: readonly ChatMessage[], tokenizer: TextTokenizer, trainOn: TrainOn = 'assistant', where?: string): ConversationTokens {
  const first = messages.findIndex((m) => m.role === 'assistant')
  const promptEnd = first === -1 ? messages.length : first
  if (promptEnd === 0) throw new DataError('messages start with an assistant reply: expected system/user messages before it', {code: 'sft-layout', where, fix: 'Put the question (and any system prompt) before the first assistant message.'})
  for (let i = promptEnd; i < messages.length; i++) {
    const role = (messages[i] as ChatMessage).role
    if (role !== 'assistant' && role !== 'tool') {
      throw new DataError(`messages[${i}]: role ${role} after the first assistant reply; expected assistant or tool (the agent layout continues one assistant turn)`, {code: 'sft-layout', where, fix: 'Give observations role "tool"; multi-turn chats with later user turns are not in the agent layout.'})
    }
  }
  const prompt = messages.slice(0, promptEnd)
  const text = tokenizer.applyChatTemplate ? tokenizer.applyChatTemplate([...prompt], {addGenerationPrompt: true}) : chatMlTemplate([...prompt])
  const tokenIds = tokenizer.encode(text)
  const lossMask: Array<0 | 1> = new Array(tokenIds.length).fill(trainOn === 'all' ? 1 : 0)
  let lastAssistant = -1
  for (let i = messages.length - 1; i >= promptEnd; i--) {
    if ((messages[i] as ChatMessage).role === 'assistant') {
      lastAssistant = i
      break
    }
  }
  for (let i = promptEnd; i < messages.length; i++) {
    const m = messages[i] as ChatMessage
    const ids = tokenizer.encode(m.role === 'tool' ? `\n\n${m.content}\n\n` : m.content)
    const trained = trainOn === 'all' || (m.role === 'assistant' && (trainOn === 'assistant' || i === lastAssistant))
    for (const id of ids) {
      tokenIds.push(id)
      lossMask.push(trained ? 1 : 0)
    }
  }
  return {tokenIds, lossMask}
}
