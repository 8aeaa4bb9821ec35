// SFT inputs → token sequences with loss masks: SftExample conversations rendered with the model's chat template
// (loss on assistant content + its closing end-of-turn token) or, when they hold observations, in the agent layout;
// and Trajectory records (their own token_ids and loss_mask when they fit the vocabulary, else their messages in
// the agent layout).
import {DataError} from '../core/index.js'
import type {InvalidPolicy, JsonLine} from '../core/index.js'
import {parseRecord, SftExampleType, TrajectoryType, type SftExample, type Trajectory} from '../core/index.js'
import type {ChatMessage} from '../llm/index.js'
import type {HfTokenizer} from '../model/index.js'
import type {SequenceSample} from './sequences.js'
import {conversationTokens} from '../agent/index.js'

export interface SftSample extends SequenceSample {
  tokenIds: number[]
  lossMask: number[]
  weight: number
  /** `file:line` of the record, for messages. */
  where: string
}

export interface SftDataStats {
  records: number
  sftExamples: number
  trajectories: number
  /** Trajectories trained on their recorded token_ids/loss_mask. */
  trajectoryTokens: number
  /** Trajectories whose token ids did not fit the model's vocabulary (or had none), rendered from messages. */
  trajectoryFallbacks: number
  /** Samples with weight 0 (skipped). */
  zeroWeight: number
}

export const SFT_RECORD_TYPES = [SftExampleType.type, TrajectoryType.type] as const

/**
 * Tokens and loss mask of a conversation, per `trainOn`. The template is rendered prefix by prefix so each
 * assistant message's span is known exactly; every segment is encoded on its own (ChatML puts special tokens at
 * the boundaries, so this equals encoding the whole text, and it is what generation produces after a prompt).
 */
export function renderConversation(tokenizer: HfTokenizer, messages: ChatMessage[], trainOn: SftExample['train_on'], where: string): {tokenIds: number[]; lossMask: number[]} {
  const eos = tokenizer.eosToken ?? '<|im_end|>'
  const full = tokenizer.applyChatTemplate(messages, {addGenerationPrompt: false})
  const assistantIndices = messages.flatMap((m, i) => (m.role === 'assistant' ? [i] : []))
  const trained = trainOn === 'all' ? [] : trainOn === 'last_assistant' ? assistantIndices.slice(-1) : assistantIndices
  const spans: [number, number][] = []
  for (const i of trained) {
    const prompt = tokenizer.applyChatTemplate(messages.slice(0, i), {addGenerationPrompt: true})
    const upTo = tokenizer.applyChatTemplate(messages.slice(0, i + 1), {addGenerationPrompt: false})
    const start = prompt.length
    if (!full.startsWith(prompt) || !full.startsWith(upTo) || upTo.length < start) {
      throw new DataError(`messages[${i}]: the chat template does not render this conversation prefix by prefix, so assistant tokens cannot be located`, {code: 'sft-template', where, fix: 'Use a ChatML-style chat template (tokenizer_config.json chat_template), or train_on: "all".'})
    }
    const content = (messages[i] as ChatMessage).content
    let end = upTo.indexOf(eos, start + (upTo.startsWith(content, start) ? content.length : 0))
    end = end < 0 ? upTo.length : end + eos.length
    spans.push([start, end])
  }
  const tokenIds: number[] = []
  const lossMask: number[] = []
  const push = (text: string, mask: number) => {
    if (text.length === 0) return
    const ids = tokenizer.encode(text)
    tokenIds.push(...ids)
    for (let k = 0; k < ids.length; k++) lossMask.push(mask)
  }
  if (trainOn === 'all') {
    push(full, 1)
    return {tokenIds, lossMask}
  }
  let at = 0
  for (const [start, end] of spans) {
    push(full.slice(at, start), 0)
    push(full.slice(start, end), 1)
    at = end
  }
  push(full.slice(at), 0)
  return {tokenIds, lossMask}
}

/**
 * A Trajectory as the agent's token mode produced it: the chat-templated prompt (messages before the first
 * assistant turn, with the generation prompt), then assistant text (trained) and tool observations (wrapped in
 * blank lines as every agent format does, not trained) appended as raw text — src/agent/conversation-tokens.ts.
 */
export function renderTrajectoryMessages(tokenizer: HfTokenizer, messages: Trajectory['messages']): {tokenIds: number[]; lossMask: number[]} {
  return conversationTokens(messages, tokenizer, 'assistant')
}

export interface ReadSftOptions {
  tokenizer: HfTokenizer
  vocabSize: number
  policy: InvalidPolicy
}

/** Parse each line by its `type` (default sft_example) and turn it into a sample; bad lines go to the policy. */
export async function readSftSamples(lines: AsyncIterable<JsonLine>, options: ReadSftOptions): Promise<{samples: SftSample[]; stats: SftDataStats}> {
  const stats: SftDataStats = {records: 0, sftExamples: 0, trajectories: 0, trajectoryTokens: 0, trajectoryFallbacks: 0, zeroWeight: 0}
  const samples: SftSample[] = []
  for await (const {source, line, value} of lines) {
    const where = `${source}:${line}`
    try {
      const sample = toSample(value, where, options, stats)
      stats.records++
      if (sample.weight === 0) stats.zeroWeight++
      else samples.push(sample)
    } catch (error) {
      if (error instanceof DataError) {
        options.policy.handle(error)
        continue
      }
      throw error
    }
  }
  return {samples, stats}
}

function toSample(value: unknown, where: string, options: ReadSftOptions, stats: SftDataStats): SftSample {
  const declared = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as {type?: unknown}).type : undefined
  if (declared === undefined || declared === SftExampleType.type) {
    const example = parseRecord(SftExampleType, value, where)
    stats.sftExamples++
    // Observations (role tool) mean the agent layout (export --format sft-jsonl): one assistant turn continued
    // with tool output, exactly what runEpisode feeds the model — not a chat with tool turns.
    const agentLayout = example.messages.some((m) => m.role === 'tool')
    const rendered = agentLayout ? conversationTokens(example.messages, options.tokenizer, example.train_on, where) : renderConversation(options.tokenizer, example.messages, example.train_on, where)
    return {...rendered, weight: example.weight, where}
  }
  if (declared === TrajectoryType.type) {
    const trajectory = parseRecord(TrajectoryType, value, where)
    stats.trajectories++
    const fits = trajectory.token_ids.length > 0 && trajectory.token_ids.every((id) => id < options.vocabSize)
    if (fits) {
      stats.trajectoryTokens++
      return {tokenIds: trajectory.token_ids, lossMask: trajectory.loss_mask, weight: 1, where}
    }
    if (trajectory.messages.length === 0) {
      throw new DataError('invalid Trajectory: messages: empty, and token_ids do not fit the model (nothing to train on)', {code: 'record', where, fix: 'Give the trajectory messages, or token ids from this model\'s tokenizer.'})
    }
    stats.trajectoryFallbacks++
    return {...renderTrajectoryMessages(options.tokenizer, trajectory.messages), weight: 1, where}
  }
  throw new DataError(`type: ${JSON.stringify(declared)} cannot be trained on (expected "sft_example" or "trajectory")`, {code: 'record-type', where, fix: 'Feed SftExample records (ars export --format sft-jsonl) or Trajectory records (ars rollout).'})
}
