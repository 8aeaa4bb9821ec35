// Loads a Hugging Face tokenizer (tokenizer.json + tokenizer_config.json) for token-level providers, through
// the model package's HfTokenizer, so `openai:` over vLLM or `ars serve model` can build exact token sequences.
import type {TextTokenizer} from './language-model.js'

export async function loadTokenizer(path: string): Promise<TextTokenizer> {
  const {HfTokenizer, resolveTokenizerFiles} = await import('../model/index.js')
  const dir = path.endsWith('tokenizer.json') ? path.slice(0, -'tokenizer.json'.length) || '.' : path
  return new HfTokenizer(await resolveTokenizerFiles(dir), path)
}
