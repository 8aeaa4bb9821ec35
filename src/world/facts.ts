// World knowledge as closed-book QA: one SftExample per KB fact and wording, in exactly the prompt of the
// closed-book solver (src/answer/closed-book.ts). It is the tiny model's "pretraining knowledge": an LLM knows
// facts about the entities of simple seed questions, and synthesis must make questions it cannot answer from them.
import type {SftExample} from '../core/index.js'
import {CLOSED_BOOK_SYSTEM} from '../answer/index.js'
import {RELATIONS, type Entity, type Relation} from './entity.js'
import {attributeWordings, describe, relationWordings} from './questions.js'
import type {World} from './world.js'

export interface FactQuestion {
  /** Fact id, `e12:born_in`. */
  fact: string
  question: string
  answer: string
  /** `world`: the question generator's own wording; `facts`: a wording for a fact the generator never asks about. */
  wording: 'world' | 'facts'
}

/** Wordings for the facts the question generator never asks one-hop (so every fact is covered). */
function extraWordings(world: World, e: Entity, d: {text: string}): Record<string, string[]> {
  const won = e.relations.won?.[0]
  const award = won === undefined ? undefined : world.entity(won).name
  const out: Record<string, string[]> = {}
  const add = (key: string, ...texts: string[]): void => {
    if (key in e.attributes || key in e.relations) out[key] = texts
  }
  switch (e.type) {
    case 'person':
      add('occupation', `What was the occupation of ${d.text}?`)
      add('death_year', `In what year did ${d.text} die?`)
      add('member_of', `Which organisation was ${d.text} a member of?`)
      add('won', `Which award did ${d.text} win?`)
      if (award) add('award_year', `In what year did ${d.text} win the ${award}?`)
      add('successor_of', `Whom did ${d.text} succeed?`)
      break
    case 'work':
      add('genre', `What is the genre of ${d.text}?`)
      add('runtime_min', `How many minutes long is ${d.text}?`)
      add('pages', `How many pages does ${d.text} have?`)
      add('tracks', `How many tracks are on ${d.text}?`)
      add('won', `Which award did ${d.text} win?`)
      if (award) add('award_year', `In what year did ${d.text} win the ${award}?`)
      break
    case 'organisation':
      add('employees', `How many employees does ${d.text} have?`)
      break
    case 'city':
      add('population', `What is the population of ${d.text}?`)
      add('elevation_m', `What is the elevation of ${d.text} in metres?`)
      break
    case 'country':
      add('population', `What is the population of ${d.text}?`)
      add('independence_year', `In what year did ${d.text} become independent?`)
      break
    case 'event':
      add('year', `In what year was the ${e.name} held?`)
      add('held_in', `In which city was the ${e.name} held?`)
      break
    case 'award':
      add('established_year', `In what year was ${d.text} established?`)
      add('field', `In which field is ${d.text} awarded?`)
      break
  }
  return out
}

/** Every fact of entity `i` as one-hop questions, each wording once. */
export function factQuestions(world: World, i: number): FactQuestion[] {
  const e = world.entity(i)
  const d = describe(world, i)
  const out: FactQuestion[] = []
  const answer = (key: string): string | undefined => {
    if (key in e.attributes) return String(e.attributes[key])
    const target = (e.relations as Record<string, number[] | undefined>)[key]?.[0]
    return target === undefined ? undefined : world.entity(target).name
  }
  const push = (key: string, texts: readonly string[], wording: FactQuestion['wording']): void => {
    const a = answer(key)
    if (a === undefined) return
    // Kept even when the wording names the answer (an orchestra named after its home city): every fact is knowledge.
    for (const question of texts) out.push({fact: `e${i}:${key}`, question, answer: a, wording})
  }
  const attr = attributeWordings(e, d)
  if (attr) push(attr.key, attr.texts, 'world')
  const rel = relationWordings(e, d)
  for (const r of RELATIONS) if (rel[r as Relation]) push(r, rel[r as Relation] as string[], 'world')
  for (const [key, texts] of Object.entries(extraWordings(world, e, d))) if (!(key === attr?.key) && !rel[key as Relation]) push(key, texts, 'facts')
  return out
}

export interface FactExamplesOptions {
  /** Facts to leave out (e.g. those supporting held-out questions). */
  exclude?: ReadonlySet<string>
  /** Only facts about these entity indices (default: every entity). */
  entities?: ReadonlySet<number>
  /** Counts what was left out. */
  onExcluded?: (fact: string) => void
}

/** Closed-book SftExamples for every fact of the world, entity by entity. */
export function* factExamples(world: World, options: FactExamplesOptions = {}): Generator<SftExample> {
  const indices = options.entities ? [...options.entities].sort((a, b) => a - b) : Array.from({length: world.size}, (_, i) => i)
  for (const i of indices) {
    const seen = new Map<string, number>()
    for (const q of factQuestions(world, i)) {
      if (options.exclude?.has(q.fact)) {
        if (!seen.has(q.fact)) options.onExcluded?.(q.fact)
        seen.set(q.fact, -1)
        continue
      }
      const n = (seen.get(q.fact) ?? 0)
      seen.set(q.fact, n + 1)
      yield {
        type: 'sft_example',
        version: 1,
        id: `fact:${q.fact}#${n}`,
        messages: [
          {role: 'system', content: CLOSED_BOOK_SYSTEM},
          {role: 'user', content: q.question},
          {role: 'assistant', content: `<answer>${q.answer}</answer>`},
        ],
        train_on: 'assistant',
        weight: 1,
        source: 'world-facts',
        meta: {fact: q.fact, wording: q.wording, layout: 'closed-book'},
      }
    }
  }
}
