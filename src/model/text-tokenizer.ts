// The text-level tokenizer a model carries, and the chat messages its template renders. They belong to the model
// (src/model/tokenizer.ts implements them, the ONNX engine decodes with them); src/llm's LanguageModel exposes them.

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool'
  content: string
}

export interface TextTokenizer {
  encode(text: string): number[]
  decode(ids: readonly number[]): string
  /** Render chat messages as the model's prompt text (chat template), ending ready for the assistant turn. */
  applyChatTemplate?(messages: ChatMessage[], options?: {addGenerationPrompt?: boolean}): string
}
