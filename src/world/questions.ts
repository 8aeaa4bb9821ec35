// Question generation: seeded compositions of 1–4 hops over the KB (bridge, comparison, intersection,
// aggregation, temporal, fuzzed descriptions). Each candidate is kept only if its query has exactly one
// answer under the whole KB and the same answer under a view holding only its supporting facts.
import {Rng} from '../core/index.js'
import type {Question} from '../core/index.js'
import type {Entity, EntityType, Relation} from './entity.js'
import {creatorRelation} from './generator.js'
import {answersFor, type EntitySet, factView, type Query, worldView} from './query.js'
import type {World} from './world.js'

export const QUESTION_KINDS = ['attribute', 'relation', 'bridge', 'comparison', 'intersection', 'aggregation', 'temporal', 'fuzzed'] as const
export type QuestionKind = (typeof QUESTION_KINDS)[number]

export interface WorldQuestion {
  kind: QuestionKind
  text: string
  query: Query
  answer: string
  facts: string[]
  hops: number
  /** Entity indices whose pages hold the facts, in the order a reader would visit them. */
  path: number[]
}

/** Words for a work's creator relation, by kind. */
const CREATOR_WORDS: Record<string, {verb: string; noun: string; made: string; what: string}> = {
  film: {verb: 'directed', noun: 'director', made: 'released', what: 'film'},
  novel: {verb: 'wrote', noun: 'author', made: 'published', what: 'novel'},
  album: {verb: 'recorded', noun: 'performer', made: 'released', what: 'album'},
}

export interface Described {
  text: string
  set: EntitySet
  facts: string[]
}

/** Refer to an entity by name, adding a disambiguating attribute when the name alone is shared. */
export function describe(world: World, i: number): Described {
  const e = world.entity(i)
  const named: EntitySet = {op: 'named', name: e.name, type: e.type, kind: e.type === 'person' || e.type === 'work' ? e.kind : undefined}
  const base = e.type === 'work' ? `the ${e.kind} "${e.name}"` : e.type === 'award' ? `the ${e.name}` : e.name
  const same = world.byName(e.name, e.type).filter((j) => named.kind === undefined || world.entity(j).kind === named.kind)
  if (same.length <= 1) return {text: base, set: named, facts: []}
  if (e.type === 'person') return {text: `the ${e.kind} ${e.name} (born ${e.attributes.birth_year})`, set: {op: 'where', from: named, key: 'birth_year', eq: e.attributes.birth_year as number}, facts: [`e${i}:birth_year`]}
  if (e.type === 'work') return {text: `the ${e.attributes.year} ${e.kind} "${e.name}"`, set: {op: 'where', from: named, key: 'year', eq: e.attributes.year as number}, facts: [`e${i}:year`]}
  if (e.type === 'city') {
    const country = e.relations.located_in?.[0] as number
    return {text: `${e.name} in ${world.entity(country).name}`, set: {op: 'intersect', of: [named, {op: 'reverse', from: {op: 'named', name: world.entity(country).name, type: 'country'}, rel: 'located_in'}]}, facts: [`e${i}:located_in`]}
  }
  if (e.type === 'organisation') return {text: `${base} (founded ${e.attributes.founded_year})`, set: {op: 'where', from: named, key: 'founded_year', eq: e.attributes.founded_year as number}, facts: [`e${i}:founded_year`]}
  return {text: base, set: named, facts: []}
}

function one(world: World, i: number, rel: Relation): number | undefined {
  return world.outgoing(i, rel)[0]
}

type Builder = (world: World, rng: Rng) => WorldQuestion | undefined

function pickOf(world: World, rng: Rng, type: EntityType): number {
  const r = world.gen.layout[type]
  return r.start + rng.int(r.count)
}

function pickWork(world: World, rng: Rng): {w: Entity; creator: number; rel: Relation; words: (typeof CREATOR_WORDS)[string]} {
  const w = world.entity(pickOf(world, rng, 'work'))
  const rel = creatorRelation(w.kind)
  return {w, creator: one(world, w.index, rel) as number, rel, words: CREATOR_WORDS[w.kind] as (typeof CREATOR_WORDS)[string]}
}

/** The world's own wordings of a one-hop attribute question about `d` (the entity as the question names it). */
export function attributeWordings(e: Entity, d: {text: string}): {key: string; texts: string[]} | undefined {
  switch (e.type) {
    case 'person': return {key: 'birth_year', texts: [`In what year was ${d.text} born?`, `When was ${d.text} born?`, `What is the birth year of ${d.text}?`]}
    case 'work': return {key: 'year', texts: [`In which year was ${d.text} ${CREATOR_WORDS[e.kind]?.made}?`, `When did ${d.text} come out?`]}
    case 'organisation': return {key: 'founded_year', texts: [`In what year was ${d.text} founded?`, `When was ${d.text} established?`]}
    case 'city': return {key: 'founded_year', texts: [`In what year was the city of ${d.text} founded?`]}
    case 'country': return {key: 'currency', texts: [`What is the currency of ${d.text}?`]}
    case 'event': return {key: 'attendance', texts: [`How many people attended the ${e.name}?`]}
    default: return undefined
  }
}

/** The world's own wordings of one-hop relation questions about `d`, by relation. */
export function relationWordings(e: Entity, d: {text: string}): Partial<Record<Relation, string[]>> {
  switch (e.type) {
    case 'person': return {born_in: [`Where was ${d.text} born?`, `In which city was ${d.text} born?`, `What is the birthplace of ${d.text}?`]}
    case 'work': {
      const words = CREATOR_WORDS[e.kind] as (typeof CREATOR_WORDS)[string]
      return {[creatorRelation(e.kind)]: [`Who ${words.verb} ${d.text}?`, `Who was the ${words.noun} of ${d.text}?`]}
    }
    case 'organisation': return {founded_by: [`Who founded ${d.text}?`, `Who was the founder of ${d.text}?`], headquartered_in: [`In which city is ${d.text} headquartered?`]}
    case 'city': return {located_in: [`In which country is ${d.text}?`, `${d.text} is a city in which country?`]}
    case 'country': return {capital: [`What is the capital of ${d.text}?`]}
    case 'event': return {organised_by: [`Which organisation organised the ${e.name}?`, `Who was the organiser of the ${e.name}?`]}
    case 'award': return {presented_by: [`Which organisation presents ${d.text}?`]}
    default: return {}
  }
}

/** One of several wordings (the rng is consulted only when there is a choice, as the generator always did). */
function word(rng: Rng, texts: readonly string[]): string {
  return texts.length > 1 ? rng.pick(texts) : (texts[0] as string)
}

const attribute: Builder = (world, rng) => {
  const type = rng.pick(['person', 'work', 'organisation', 'city', 'country', 'event'] as const)
  const i = pickOf(world, rng, type)
  const e = world.entity(i)
  const d = describe(world, i)
  const {key, texts} = attributeWordings(e, d) as {key: string; texts: string[]}
  return {kind: 'attribute', text: word(rng, texts), query: {op: 'attr', of: d.set, key}, answer: String(e.attributes[key]), facts: [...d.facts, `e${i}:${key}`], hops: 1, path: [i]}
}

const relation: Builder = (world, rng) => {
  const type = rng.pick(['person', 'work', 'organisation', 'organisation', 'city', 'country', 'event', 'award'] as const)
  const i = pickOf(world, rng, type)
  const e = world.entity(i)
  const d = describe(world, i)
  const wordings = relationWordings(e, d)
  const ask = (rel: Relation): WorldQuestion | undefined => {
    const text = word(rng, wordings[rel] as string[]) // drawn before the check, as the generator always did
    const t = one(world, i, rel)
    if (t === undefined) return undefined
    return {kind: 'relation', text, query: {op: 'name', of: {op: 'follow', from: d.set, rel}}, answer: world.entity(t).name, facts: [...d.facts, `e${i}:${rel}`], hops: 1, path: [i]}
  }
  if (type === 'organisation') return rng.bool() ? ask('founded_by') : ask('headquartered_in')
  return ask(Object.keys(wordings)[0] as Relation)
}

/** Chains: start → rel → rel …; the text template names each hop. */
const bridge: Builder = (world, rng) => {
  const form = rng.int(8)
  if (form <= 3) {
    const {w, creator, rel, words} = pickWork(world, rng)
    const d = describe(world, w.index)
    const city = one(world, creator, 'born_in') as number
    const country = one(world, city, 'located_in') as number
    const capital = one(world, country, 'capital') as number
    const start: EntitySet = {op: 'follow', from: d.set, rel}
    const born: EntitySet = {op: 'follow', from: start, rel: 'born_in'}
    const inCountry: EntitySet = {op: 'follow', from: born, rel: 'located_in'}
    const f = [...d.facts, `e${w.index}:${rel}`]
    if (form === 0) return {kind: 'bridge', text: rng.pick([`Where was the ${words.noun} of ${d.text} born?`, `In which city was the ${words.noun} of ${d.text} born?`]), query: {op: 'name', of: born}, answer: world.entity(city).name, facts: [...f, `e${creator}:born_in`], hops: 2, path: [w.index, creator]}
    if (form === 1) return {kind: 'bridge', text: `In what year was the ${words.noun} of ${d.text} born?`, query: {op: 'attr', of: start, key: 'birth_year'}, answer: String(world.entity(creator).attributes.birth_year), facts: [...f, `e${creator}:birth_year`], hops: 2, path: [w.index, creator]}
    if (form === 2) return {kind: 'bridge', text: `In which country was the ${words.noun} of ${d.text} born?`, query: {op: 'name', of: inCountry}, answer: world.entity(country).name, facts: [...f, `e${creator}:born_in`, `e${city}:located_in`], hops: 3, path: [w.index, creator, city]}
    return {kind: 'bridge', text: rng.pick([`What is the capital of the country where the ${words.noun} of ${d.text} was born?`, `The ${words.noun} of ${d.text} was born in a city of which country? Name that country's capital.`]), query: {op: 'name', of: {op: 'follow', from: inCountry, rel: 'capital'}}, answer: world.entity(capital).name, facts: [...f, `e${creator}:born_in`, `e${city}:located_in`, `e${country}:capital`], hops: 4, path: [w.index, creator, city, country]}
  }
  const o = pickOf(world, rng, 'organisation')
  const d = describe(world, o)
  const founder = one(world, o, 'founded_by') as number
  const hq = one(world, o, 'headquartered_in') as number
  const founderSet: EntitySet = {op: 'follow', from: d.set, rel: 'founded_by'}
  if (form === 4) return {kind: 'bridge', text: `Where was the founder of ${d.text} born?`, query: {op: 'name', of: {op: 'follow', from: founderSet, rel: 'born_in'}}, answer: world.entity(one(world, founder, 'born_in') as number).name, facts: [...d.facts, `e${o}:founded_by`, `e${founder}:born_in`], hops: 2, path: [o, founder]}
  if (form === 5) return {kind: 'bridge', text: `In which country is ${d.text} headquartered?`, query: {op: 'name', of: {op: 'follow', from: {op: 'follow', from: d.set, rel: 'headquartered_in'}, rel: 'located_in'}}, answer: world.entity(one(world, hq, 'located_in') as number).name, facts: [...d.facts, `e${o}:headquartered_in`, `e${hq}:located_in`], hops: 2, path: [o, hq]}
  if (form === 6) {
    const city = one(world, founder, 'born_in') as number
    return {kind: 'bridge', text: `In which country was the founder of ${d.text} born?`, query: {op: 'name', of: {op: 'follow', from: {op: 'follow', from: founderSet, rel: 'born_in'}, rel: 'located_in'}}, answer: world.entity(one(world, city, 'located_in') as number).name, facts: [...d.facts, `e${o}:founded_by`, `e${founder}:born_in`, `e${city}:located_in`], hops: 3, path: [o, founder, city]}
  }
  const a = pickOf(world, rng, 'award')
  const da = describe(world, a)
  const presenter = one(world, a, 'presented_by') as number
  const pf = one(world, presenter, 'founded_by') as number
  return {kind: 'bridge', text: `Who founded the organisation that presents ${da.text}?`, query: {op: 'name', of: {op: 'follow', from: {op: 'follow', from: da.set, rel: 'presented_by'}, rel: 'founded_by'}}, answer: world.entity(pf).name, facts: [...da.facts, `e${a}:presented_by`, `e${presenter}:founded_by`], hops: 2, path: [a, presenter]}
}

const comparison: Builder = (world, rng) => {
  const type = rng.pick(['person', 'work', 'organisation'] as const)
  const a = pickOf(world, rng, type)
  const b = pickOf(world, rng, type)
  if (a === b) return undefined
  const key = type === 'person' ? 'birth_year' : type === 'work' ? 'year' : 'founded_year'
  const va = world.entity(a).attributes[key] as number
  const vb = world.entity(b).attributes[key] as number
  if (va === vb) return undefined
  const pick = rng.bool() ? 'min' : 'max'
  const da = describe(world, a)
  const db = describe(world, b)
  const text = type === 'person'
    ? (pick === 'min' ? `Who was born first, ${da.text} or ${db.text}?` : `Who was born later, ${da.text} or ${db.text}?`)
    : type === 'work'
      ? (pick === 'min' ? `Which came out earlier, ${da.text} or ${db.text}?` : `Which is more recent, ${da.text} or ${db.text}?`)
      : (pick === 'min' ? `Which was founded first, ${da.text} or ${db.text}?` : `Which was founded more recently, ${da.text} or ${db.text}?`)
  const winner = (pick === 'min') === va < vb ? a : b
  return {kind: 'comparison', text, query: {op: 'compare', a: da.set, b: db.set, key, pick}, answer: world.entity(winner).name, facts: [...da.facts, ...db.facts, `e${a}:${key}`, `e${b}:${key}`], hops: 2, path: [a, b]}
}

const intersection: Builder = (world, rng) => {
  if (rng.bool()) {
    // A work that won an award, identified through its creator and the award.
    const {w, creator, rel, words} = pickWork(world, rng)
    const award = one(world, w.index, 'won')
    if (award === undefined) return undefined
    const dc = describe(world, creator)
    const da = describe(world, award)
    return {kind: 'intersection', text: rng.pick([`Which ${words.what} ${words.verb === 'wrote' ? 'written' : words.verb} by ${dc.text} won ${da.text}?`, `${dc.text} made several works; which ${words.what} of theirs won ${da.text}?`]), query: {op: 'name', of: {op: 'intersect', of: [{op: 'reverse', from: dc.set, rel, kind: w.kind}, {op: 'reverse', from: da.set, rel: 'won'}]}}, answer: w.name, facts: [...dc.facts, ...da.facts, `e${w.index}:${rel}`, `e${w.index}:won`], hops: 2, path: [creator, w.index]}
  }
  // A member of an organisation born in a given city.
  const p = pickOf(world, rng, 'person')
  const org = one(world, p, 'member_of')
  if (org === undefined) return undefined
  const city = one(world, p, 'born_in') as number
  const dc = describe(world, city)
  const dorg = describe(world, org)
  return {kind: 'intersection', text: `Which member of ${dorg.text} was born in ${dc.text}?`, query: {op: 'name', of: {op: 'intersect', of: [{op: 'reverse', from: dorg.set, rel: 'member_of'}, {op: 'reverse', from: dc.set, rel: 'born_in'}]}}, answer: world.entity(p).name, facts: [...dc.facts, ...dorg.facts, `e${p}:member_of`, `e${p}:born_in`], hops: 2, path: [org, p]}
}

/** Pages list at most this many items, so counts are only asked where the list is complete. */
export const LIST_LIMIT = 60

const aggregation: Builder = (world, rng) => {
  if (rng.bool(0.7)) {
    const {creator, rel, w, words} = pickWork(world, rng)
    const works = world.incoming(creator, rel).filter((s) => world.entity(s).kind === w.kind)
    if (works.length > 20) return undefined
    const dc = describe(world, creator)
    const text = w.kind === 'novel' ? `How many novels did ${dc.text} write?` : w.kind === 'film' ? `How many films did ${dc.text} direct?` : `How many albums did ${dc.text} record?`
    void words
    return {kind: 'aggregation', text, query: {op: 'count', of: dc.set, rel, kind: w.kind}, answer: String(works.length), facts: [...dc.facts, ...works.map((s) => `e${s}:${rel}`)], hops: 2, path: [creator]}
  }
  const city = pickOf(world, rng, 'city')
  const orgs = world.incoming(city, 'headquartered_in')
  if (orgs.length === 0 || orgs.length > 20) return undefined
  const dc = describe(world, city)
  return {kind: 'aggregation', text: `How many organisations are headquartered in ${dc.text}?`, query: {op: 'count', of: dc.set, rel: 'headquartered_in'}, answer: String(orgs.length), facts: [...dc.facts, ...orgs.map((s) => `e${s}:headquartered_in`)], hops: 2, path: [city]}
}

const temporal: Builder = (world, rng) => {
  const {w, creator, rel, words} = pickWork(world, rng)
  if (rng.bool()) {
    const works = world.incoming(creator, rel).filter((s) => world.entity(s).kind === w.kind)
    if (works.length < 2 || works.length > 20) return undefined
    const dc = describe(world, creator)
    let first = works[0] as number
    for (const s of works) if ((world.entity(s).attributes.year as number) < (world.entity(first).attributes.year as number)) first = s
    return {kind: 'temporal', text: rng.pick([`What was the first ${words.what} ${words.verb === 'wrote' ? 'written' : words.verb} by ${dc.text}?`, `Which ${words.what} by ${dc.text} came out first?`]), query: {op: 'earliest', of: dc.set, rel, kind: w.kind, key: 'year'}, answer: world.entity(first).name, facts: [...dc.facts, ...works.flatMap((s) => [`e${s}:${rel}`, `e${s}:year`])], hops: 2, path: [creator]}
  }
  const d = describe(world, w.index)
  const age = (w.attributes.year as number) - (world.entity(creator).attributes.birth_year as number)
  return {kind: 'temporal', text: `How old was the ${words.noun} of ${d.text} in the year it was ${words.made}?`, query: {op: 'age', of: d.set, rel}, answer: String(age), facts: [...d.facts, `e${w.index}:${rel}`, `e${w.index}:year`, `e${creator}:birth_year`], hops: 3, path: [w.index, creator]}
}

/** Replace a name with a description ("a director born in Dunmore in the 1960s"), kept only if still unique. */
const fuzzed: Builder = (world, rng) => {
  const {w, creator, rel, words} = pickWork(world, rng)
  const p = world.entity(creator)
  const city = one(world, creator, 'born_in') as number
  const dc = describe(world, city)
  const decade = Math.floor((p.attributes.birth_year as number) / 10) * 10
  const person: EntitySet = {op: 'where', from: {op: 'reverse', from: dc.set, rel: 'born_in'}, key: 'birth_year', decade, kind: p.kind}
  const who = `${/^[aeiou]/.test(p.kind) ? 'an' : 'a'} ${p.kind} born in ${dc.text} in the ${decade}s`
  const base = [...dc.facts, `e${creator}:born_in`, `e${creator}:birth_year`]
  if (rng.bool()) return {kind: 'fuzzed', text: `There is ${who}. What is this person's name?`, query: {op: 'name', of: person}, answer: p.name, facts: base, hops: 2, path: [city, creator]}
  const year = w.attributes.year as number
  return {kind: 'fuzzed', text: `Which ${words.what} ${words.verb === 'wrote' ? 'was written' : `was ${words.verb}`} in ${year} by ${who}?`, query: {op: 'name', of: {op: 'where', from: {op: 'reverse', from: person, rel, kind: w.kind}, key: 'year', eq: year}}, answer: w.name, facts: [...base, `e${w.index}:${rel}`, `e${w.index}:year`], hops: 3, path: [city, creator, w.index]}
}

const BUILDERS: Record<QuestionKind, Builder> = {attribute, relation, bridge, comparison, intersection, aggregation, temporal, fuzzed}
const WEIGHTS: Record<QuestionKind, number> = {attribute: 1, relation: 2, bridge: 4, comparison: 1.5, intersection: 1.5, aggregation: 1, temporal: 1.5, fuzzed: 1.5}

/** Exactly one answer under the KB, and the same one from the supporting facts alone. */
export function verifyQuestion(world: World, q: Pick<WorldQuestion, 'query' | 'answer' | 'facts'>): boolean {
  const all = answersFor(q.query, worldView(world))
  if (all.length !== 1 || all[0] !== q.answer) return false
  const fromFacts = answersFor(q.query, factView(world, q.facts))
  return fromFacts.length === 1 && fromFacts[0] === q.answer
}

/** The builder's path, preceded by the page of any fact (e.g. a disambiguating one) that no page on it shows. */
function readingPath(world: World, q: WorldQuestion): number[] {
  const path = [...new Set(q.path)]
  const extra: number[] = []
  for (const f of q.facts) {
    const m = /^e(\d+):(\w+)$/.exec(f)
    if (!m) continue
    const subject = Number(m[1])
    const object = world.outgoing(subject, m[2] as Relation)[0]
    const shown = path.includes(subject) || (object !== undefined && path.includes(object))
    if (!shown && !extra.includes(subject)) extra.push(subject)
  }
  return [...extra, ...path]
}

export interface GenerateOptions {
  count: number
  /** Restrict to some kinds (seeds use attribute + relation). */
  kinds?: readonly QuestionKind[]
  /** Texts to skip (questions already used elsewhere). */
  exclude?: ReadonlySet<string>
  /** Attempts per kept question before giving up. */
  maxAttemptsPerQuestion?: number
}

/** Seeded stream of verified, distinct questions. */
export function* generateQuestions(world: World, rng: Rng, options: GenerateOptions): Generator<WorldQuestion> {
  const kinds = options.kinds ?? QUESTION_KINDS
  const weights = kinds.map((k) => WEIGHTS[k])
  const seen = new Set<string>()
  const budget = options.count * (options.maxAttemptsPerQuestion ?? 30)
  let made = 0
  for (let attempt = 0; attempt < budget && made < options.count; attempt++) {
    const kind = kinds[rng.weighted(weights)] as QuestionKind
    const q = BUILDERS[kind](world, rng)
    if (!q || seen.has(q.text) || options.exclude?.has(q.text)) continue
    // An answer spelled out in the question (an orchestra named after its home city) asks nothing.
    if (q.kind !== 'comparison' && !/^\d+$/.test(q.answer) && q.text.includes(q.answer)) continue
    q.facts = [...new Set(q.facts)]
    q.path = readingPath(world, q)
    if (!verifyQuestion(world, q)) continue
    seen.add(q.text)
    made++
    yield q
  }
}

export function toQuestionRecord(q: WorldQuestion, id: string, split: string, seed: number): Question {
  return {
    type: 'question', version: 1, id, question: q.text, answers: [q.answer], source: 'world', split, hops: q.hops,
    supporting_facts: q.facts,
    meta: {kind: q.kind, query: q.query, path: q.path.map((i) => `e${i}`), world_seed: seed, ...(q.kind === 'fuzzed' ? {fuzzed: true} : {})},
  }
}

export {Rng}
