// The eval stage's door to the LLM registry (src/llm/registry.ts `resolveModel`), imported lazily so
// `ars eval score|compare|list` never load model backends.
import type {LanguageModel} from '../llm/index.js'

export async function resolveLanguageModel(spec: string, what = '--judge', baseUrl?: readonly string[]): Promise<LanguageModel> {
  const {resolveModel} = await import('../llm/index.js')
  try {
    return await resolveModel(spec, baseUrl?.length ? {baseUrl} : {})
  } catch (error) {
    // The registry names the flag `--model`; say which flag it really was.
    if (what !== '--model' && error instanceof Error) error.message = error.message.replace(/^--model /, `${what} `)
    throw error
  }
}
