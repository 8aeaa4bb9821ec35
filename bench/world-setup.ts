// The RL benches' shared setup: datasets/world-small linked into a scratch folder with its own BM25 index, its first
// 64 train questions, and the agent's tools over it (used by rl.bench.ts and generation.bench.ts).
import {mkdirSync, readFileSync, symlinkSync} from 'node:fs'
import {join} from 'node:path'
import {ROOT} from './harness.js'
import {buildIndex, readCorpus} from '../src/search/bm25/build-index.js'
import {InvalidPolicy} from '../src/core/jsonl.js'
import {parseRecord, QuestionType, type Question} from '../src/core/records/index.js'
import {resolveAgentTools} from '../src/agent/resolve-tools.js'
import type {AgentTools} from '../src/agent/tools.js'

export async function benchWorld(work: string): Promise<{questions: Question[]; tools: AgentTools}> {
  const source = join(ROOT, 'datasets', 'world-small')
  const world = join(work, 'world')
  mkdirSync(world)
  for (const f of ['world.json', 'kb.jsonl', 'site', 'corpus.jsonl']) symlinkSync(join(source, f), join(world, f))
  await buildIndex(readCorpus(join(source, 'corpus.jsonl'), new InvalidPolicy('fail')), join(world, 'index'))
  const questions = readFileSync(join(source, 'questions', 'train.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 64).map((l, i) => parseRecord(QuestionType, JSON.parse(l), `train.jsonl:${i + 1}`))
  return {questions, tools: await resolveAgentTools({search: world})}
}
