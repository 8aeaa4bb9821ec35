import {Flags} from '@oclif/core'

/** `--base-url`, repeatable: one server, or several as a load-balanced, health-checked pool (src/llm/generation-pool.ts). */
export const baseUrlFlag = Flags.string({
  multiple: true,
  helpValue: 'URL',
  description: 'openai: models: server root ending in /v1 (default OPENAI_BASE_URL, else http://127.0.0.1:8000/v1). Repeat it (or give URL,URL) for a pool: requests go to the least-busy healthy server, and a server that fails is taken out and its requests sent to the others.',
})
