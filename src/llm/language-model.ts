// LanguageModel: what the agent loop, synthesis, judging and eval call. Token-level when the backend allows it
// (RL needs the exact token ids and the behaviour log-prob of each sampled token); text-level otherwise.
// Resolved from `--model provider:id` (openai:, onnx:, scripted:, or a model folder path).
import type {ChatMessage, TextTokenizer} from '../model/index.js'

// The tokenizer types belong to the model (src/model/text-tokenizer.ts); re-exported for the LanguageModel's users.
export type {ChatMessage, TextTokenizer}

export interface SamplingOptions {
  maxTokens: number
  /** 0 = greedy. */
  temperature?: number
  topP?: number
  topK?: number
  seed?: number
  /** Generation stops after any of these strings appears (the stop string is kept in the output). */
  stop?: string[]
  /** Keep generating past end-of-sequence tokens until maxTokens or a stop string (vLLM's `ignore_eos`; local engines). */
  ignoreEos?: boolean
  /** Ask for per-token log-probs of the sampled tokens. */
  logprobs?: boolean
  /** Also return the N most likely tokens at each step with their log-probs (token-level models; 0 = off). */
  topLogprobs?: number
  /** Called with each token as it is sampled (token-level models), before generate resolves: for streaming. */
  onToken?: (token: GeneratedToken) => void
  signal?: AbortSignal
}

/** One sampled token, as `onToken` reports it. */
export interface GeneratedToken {
  tokenId: number
  /** Same meaning as GenerateResult.logprobs[i]. */
  logprob: number
  /** The most likely tokens at this step, most likely first, when `topLogprobs` was asked. */
  topLogprobs?: TopLogprob[]
  /** Policy version that sampled it (local engines). */
  version?: number
}

export interface TopLogprob {
  tokenId: number
  logprob: number
}

export type GenerateInput =
  | {kind: 'chat'; messages: ChatMessage[]}
  | {kind: 'text'; prompt: string}
  /** Continue an exact token sequence (local engines and servers that accept token-id prompts). */
  | {kind: 'tokens'; tokenIds: number[]}

export interface GenerateResult {
  text: string
  /** Ids of the generated tokens, when the backend exposes them. */
  tokenIds?: number[]
  /** Log-prob of each generated token under the sampling policy (same length as tokenIds). */
  logprobs?: number[]
  finishReason: 'stop' | 'length' | 'abort' | 'error'
  /** Policy version that produced these tokens (local engines; may change between calls). */
  policyVersion?: number
  /** Per-token policy versions, when a generation straddled a weight swap (same length as tokenIds). */
  policyVersions?: number[]
  /** The `topLogprobs` most likely tokens at each step (same length as tokenIds), when asked. */
  topLogprobs?: TopLogprob[][]
  usage: {promptTokens: number; completionTokens: number}
}

export interface LanguageModel {
  readonly specificationVersion: 'ars-lm-v1'
  readonly id: string
  readonly capabilities: {tokens: boolean; logprobs: boolean; chat: boolean}
  /** Present when the model works on token ids (needed for training trajectories). */
  readonly tokenizer?: TextTokenizer
  /** Context length in tokens, when known. */
  readonly contextLength?: number
  /** Token ids that end a generation (eos, `<|im_end|>`): a server shows their text to no client. */
  readonly stopTokenIds?: readonly number[]
  generate(input: GenerateInput, options: SamplingOptions): Promise<GenerateResult>
  close?(): Promise<void>
}
