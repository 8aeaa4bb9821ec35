// Open a built world directory: read and check its manifest, rebuild the KB index from (seed, size) — the
// generator is pure, so this is exact and fast — and answer questions about it (isUnique / answersFor).
import {createReadStream, existsSync, readFileSync} from 'node:fs'
import {createHash} from 'node:crypto'
import {join} from 'node:path'
import {DataError, UsageError} from '../core/index.js'
import type {ProgressCallback} from '../core/index.js'
import {parseRecord} from '../core/index.js'
import {type Question, QuestionType} from '../core/index.js'
import {readJsonl} from '../core/index.js'
import {worldPaths} from '../core/index.js'
import {WORLD_GENERATOR_VERSION, type WorldManifest} from './build.js'
import {answersFor as evaluate, factView, type Query, worldView} from './query.js'
import {World} from './world.js'

export interface LoadedWorld {
  dir: string
  manifest: WorldManifest
  world: World
}

export interface LoadOptions {
  /** Re-hash kb.jsonl and compare with the manifest (reads the whole file). Default false. */
  verify?: boolean
  onProgress?: ProgressCallback
}

export function readManifest(dir: string): WorldManifest {
  const path = worldPaths(dir).manifest
  if (!existsSync(path)) throw new UsageError(`${dir}: not a world directory (no world.json)`, {code: 'world-missing', fix: 'Build one with `ars world build --out DIR`, or use datasets/world-small.'})
  let manifest: WorldManifest
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as WorldManifest
  } catch (error) {
    throw new DataError(`malformed JSON (${(error as Error).message})`, {where: path, code: 'world-manifest', fix: 'Rebuild the world.'})
  }
  if (manifest.format !== 'ars-world') throw new DataError(`format: expected "ars-world", got ${JSON.stringify(manifest.format)}`, {where: path, code: 'world-manifest'})
  if (manifest.generator_version !== WORLD_GENERATOR_VERSION) {
    throw new DataError(`generator_version: this ars reads ${WORLD_GENERATOR_VERSION}, got ${manifest.generator_version}`, {where: path, code: 'world-version', fix: `Rebuild: ars world build --seed ${manifest.seed} --size ${manifest.size} --out ${dir} --force`})
  }
  return manifest
}

export async function loadWorld(dir: string, options: LoadOptions = {}): Promise<LoadedWorld> {
  const manifest = readManifest(dir)
  if (options.verify) {
    const expected = manifest.files['kb.jsonl']?.sha256
    const hash = createHash('sha256')
    for await (const chunk of createReadStream(join(dir, 'kb.jsonl'))) hash.update(chunk as Buffer)
    const got = hash.digest('hex')
    if (got !== expected) throw new DataError(`kb.jsonl: sha256 ${got} differs from the manifest's ${expected}`, {where: join(dir, 'kb.jsonl'), code: 'world-hash', fix: 'The world was modified or built by another generator version: rebuild it.'})
  }
  const world = new World({seed: manifest.seed, entities: manifest.entities, onProgress: options.onProgress})
  return {dir, manifest, world}
}

/** The KB query a world question carries in meta.query. */
export function questionQuery(question: Question): Query {
  const query = (question.meta as {query?: Query}).query
  if (!query || typeof query !== 'object' || typeof query.op !== 'string') {
    throw new DataError(`question ${question.id}: meta.query is missing; only world questions can be checked against the KB`, {code: 'world-query', fix: 'Use questions from a world built by `ars world build`.'})
  }
  return query
}

/** Every answer the question admits under the full KB (sorted). */
export function answersFor(world: World, question: Question): string[] {
  return evaluate(questionQuery(question), worldView(world))
}

export function isUnique(world: World, question: Question): boolean {
  return answersFor(world, question).length === 1
}

/** The answers derivable from the question's supporting facts alone. */
export function answersFromFacts(world: World, question: Question): string[] {
  return evaluate(questionQuery(question), factView(world, question.supporting_facts ?? []))
}

export type WorldSplit = 'train' | 'dev' | 'test'

/** Stream a split's Question records, validated. */
export async function* readQuestions(dir: string, split: WorldSplit | 'seeds'): AsyncGenerator<Question> {
  const path = split === 'seeds' ? join(dir, 'seeds.jsonl') : join(dir, 'questions', `${split}.jsonl`)
  for await (const line of readJsonl(path)) yield parseRecord(QuestionType, line.value, `${line.source}:${line.line}`)
}
