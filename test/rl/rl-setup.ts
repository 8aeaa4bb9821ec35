// Shared parts for the RL controller tests: the tiny model made by the real `ars model init`, the world-small
// index, a short-prompt ASearcher variant, and a tiny model fine-tuned to answer a question right or wrong
// about half the time each (so GRPO groups have reward variance).
import {mkdtempSync, mkdirSync, readFileSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ROOT, runCli} from '../helpers/cli.js'
import {buildIndex, readCorpus} from '../../src/search/bm25/build-index.js'
import {InvalidPolicy} from '../../src/core/jsonl.js'
import {parseRecord, QuestionType, type Question} from '../../src/core/records/index.js'
import {ASEARCHER_FORMAT, type AgentFormat} from '../../src/agent/formats.js'
import {loadCheckpoint, saveCheckpoint} from '../../src/model/checkpoint.js'
import {HfTokenizer} from '../../src/model/tokenizer.js'
import {PolicyTrainer} from '../../src/model/tfjs/policy-trainer.js'
import {packMicroBatches} from '../../src/train/sequences.js'

export const tmp = (label: string): string => mkdtempSync(join(tmpdir(), `ars-rl-${label}-`))

/** `ars model init --preset tiny --tokenizer world` into a temp folder. */
export async function initTinyModel(): Promise<string> {
  const dir = join(tmp('model'), 'tiny')
  const r = await runCli(['model', 'init', '--preset', 'tiny', '--tokenizer', 'world', '--out', dir, '--seed', '3'])
  if (r.code !== 0) throw new Error(`model init failed: ${r.stderr}`)
  return dir
}

/** world-small linked into a temp folder with its BM25 index built. */
export async function worldWithIndex(): Promise<string> {
  const source = join(ROOT, 'datasets', 'world-small')
  const world = join(tmp('world'), 'world')
  mkdirSync(world)
  for (const f of ['world.json', 'kb.jsonl', 'site', 'corpus.jsonl', 'questions']) symlinkSync(join(source, f), join(world, f))
  await buildIndex(readCorpus(join(source, 'corpus.jsonl'), new InvalidPolicy('fail')), join(world, 'index'))
  return world
}

export function worldQuestions(count: number, split = 'train'): Question[] {
  const text = readFileSync(join(ROOT, 'datasets', 'world-small', 'questions', `${split}.jsonl`), 'utf8')
  return text.split('\n').filter(Boolean).slice(0, count).map((l, i) => parseRecord(QuestionType, JSON.parse(l), `${split}.jsonl:${i + 1}`))
}

/** ASearcher's tags and parser with a one-line prompt, so sequences are short and steps fast. */
export const SHORT_FORMAT: AgentFormat = {...ASEARCHER_FORMAT, template: {system: '', user: 'Q: {question}'}}

export function promptIds(tokenizer: HfTokenizer, question: string): number[] {
  return tokenizer.encode(tokenizer.applyChatTemplate([{role: 'user', content: `Q: ${question}`}], {addGenerationPrompt: true}))
}

/**
 * Fine-tunes `modelDir` (in a copy) to reply `<answer>right</answer>` or `<answer>wrong</answer>` to the question,
 * equally often, so sampled groups mix rewards 1 and 0.
 */
export async function answerBiasedModel(modelDir: string, question: string, right: string, wrong: string): Promise<string> {
  const base = await loadCheckpoint(modelDir)
  const tokenizer = new HfTokenizer(base.tokenizer!)
  const prompt = promptIds(tokenizer, question)
  const samples = [right, wrong].map((a) => {
    const reply = tokenizer.encode(`<answer>${a}</answer>`)
    return {tokenIds: [...prompt, ...reply], lossMask: [...prompt.map(() => 0), ...reply.map(() => 1)]}
  })
  const {microBatches} = packMicroBatches(samples, {maxTokensPerMicroBatch: 4096})
  const trainer = await PolicyTrainer.create(base.config, base.weights, {backend: 'wasm', optimizer: {learningRate: 1e-2}})
  for (let i = 0; i < 40; i++) await trainer.trainStep(microBatches, (model, mb) => model.nextTokenLoss(mb.tokens, mb.lossMask), {weightOf: (mb) => mb.lossTokens})
  const dir = join(tmp('biased'), 'model')
  await saveCheckpoint(dir, {...base, weights: trainer.exportWeights()})
  trainer.dispose()
  return dir
}

/** Σ log p(reply tokens | prompt) under a model folder's weights (tfjs, no gradient). */
export async function replyLogProb(modelDir: string, question: string, reply: string): Promise<number> {
  const ckpt = await loadCheckpoint(modelDir)
  const tokenizer = new HfTokenizer(ckpt.tokenizer!)
  const prompt = promptIds(tokenizer, question)
  const ids = tokenizer.encode(reply)
  const trainer = await PolicyTrainer.create(ckpt.config, ckpt.weights, {backend: 'wasm'})
  const all = Int32Array.from([...prompt, ...ids])
  const logp = trainer.tf.tidy(() => trainer.model.tokenLogProbs({inputIds: all, batch: 1, seqLen: all.length}).dataSync() as Float32Array)
  trainer.dispose()
  let sum = 0
  for (let i = prompt.length - 1; i < all.length - 1; i++) sum += logp[i] as number
  return sum
}
