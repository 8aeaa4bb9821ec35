// Descriptions of world entities as small trees that render to both question text and a KB query set:
// a name (disambiguated like the world's own questions), "the <role> of W" (a forward relation hop), and
// "the <kind> <related to> A [in <year>]" (the entity through its own relation to an anchor, optionally dated
// — fuzzed to a decade: "a director born in Dunmore in the 1960s"). The KB evaluates the set, so uniqueness
// is exact.
import type {Entity, Relation} from '../../world/index.js'
import type {EntitySet} from '../../world/index.js'
import type {World} from '../../world/index.js'

export type Time = 'none' | 'eq' | 'decade'

export type Description =
  | {t: 'name'; e: number}
  /** `e` is the (single) target of `from`'s relation `rel`: "the founder of W". */
  | {t: 'via'; e: number; rel: Relation; from: Description}
  /**
   * `e` among the entities whose `rel` points at `anchor` (of e's kind), optionally narrowed by its time
   * attribute — exact (`eq`) or, fuzzed, its decade: "the film directed by C in 1994", "a director born in
   * Dunmore in the 1960s".
   */
  | {t: 'rel'; e: number; rel: Relation; anchor: Description; time: Time}

export interface FactUse {
  /** `e12:born_in` */
  id: string
  /** Entity whose article states it. */
  doc: number
  /** Strings the quoted line should contain. */
  needles: string[]
  text: string
}

export interface Rendered {
  text: string
  set: EntitySet
  /** Fact ids the description relies on (disambiguation included). */
  facts: string[]
  /** Facts the edits injected (relation hops and fuzzed attributes), for SynthItem.facts. */
  uses: FactUse[]
}

const CREATOR: Record<string, {verb: string; noun: string; made: string}> = {
  film: {verb: 'directed', noun: 'director', made: 'released'},
  novel: {verb: 'written', noun: 'author', made: 'published'},
  album: {verb: 'recorded', noun: 'performer', made: 'released'},
}

/** "the <role> of W": how to name the target of W's relation. */
const ROLE: Partial<Record<Relation, (w: string, we: Entity) => string>> = {
  capital: (w) => `the capital of ${w}`,
  located_in: (w) => `the country where ${w} lies`,
  born_in: (w) => `the birthplace of ${w}`,
  member_of: (w) => `the organisation that ${w} is a member of`,
  won: (w) => `the award won by ${w}`,
  successor_of: (w) => `the predecessor of ${w}`,
  founded_by: (w) => `the founder of ${w}`,
  headquartered_in: (w) => `the city where ${w} is headquartered`,
  directed_by: (w) => `the director of ${w}`,
  written_by: (w) => `the author of ${w}`,
  performed_by: (w) => `the performer of ${w}`,
  presented_by: (w) => `the organisation that presents ${w}`,
  held_in: (w) => `the city that hosted ${w}`,
  organised_by: (w) => `the organiser of ${w}`,
}

export const INJECTABLE_RELATIONS = Object.keys(ROLE) as Relation[]

function article(word: string): string {
  return /^[aeio]|^u(?!ni|s[aeiu])/i.test(word) ? 'an' : 'a'
}

function decadeOf(v: number): number {
  return Math.floor(v / 10) * 10
}

/** Name an entity as the world's questions do, with a disambiguating detail when the name is shared. */
export function renderName(world: World, i: number): Rendered {
  const e = world.entity(i)
  const named: EntitySet = {op: 'named', name: e.name, type: e.type, kind: e.type === 'person' || e.type === 'work' ? e.kind : undefined}
  const base = e.type === 'work' ? `the ${e.kind} "${e.name}"` : e.type === 'award' ? `the ${e.name}` : e.name
  const same = world.byName(e.name, e.type).filter((j) => named.kind === undefined || world.entity(j).kind === named.kind)
  const plain: Rendered = {text: base, set: named, facts: [], uses: []}
  if (same.length <= 1) return plain
  if (e.type === 'person') return {text: `the ${e.kind} ${e.name} (born ${e.attributes.birth_year})`, set: {op: 'where', from: named, key: 'birth_year', eq: e.attributes.birth_year as number}, facts: [`e${i}:birth_year`], uses: []}
  if (e.type === 'work') return {text: `the ${e.attributes.year} ${e.kind} "${e.name}"`, set: {op: 'where', from: named, key: 'year', eq: e.attributes.year as number}, facts: [`e${i}:year`], uses: []}
  if (e.type === 'city') {
    const country = e.relations.located_in?.[0] as number
    return {text: `${e.name} in ${world.entity(country).name}`, set: {op: 'intersect', of: [named, {op: 'reverse', from: {op: 'named', name: world.entity(country).name, type: 'country'}, rel: 'located_in'}]}, facts: [`e${i}:located_in`], uses: []}
  }
  if (e.type === 'organisation') return {text: `${base} (founded ${e.attributes.founded_year})`, set: {op: 'where', from: named, key: 'founded_year', eq: e.attributes.founded_year as number}, facts: [`e${i}:founded_year`], uses: []}
  return plain
}

/** How an entity reads inside a larger phrase ("the Dunmore Marathon", not "Dunmore Marathon"). */
function asReference(world: World, d: Description, r: Rendered): string {
  return d.t === 'name' && world.entity(d.e).type === 'event' ? `the ${r.text}` : r.text
}

export function render(world: World, d: Description): Rendered {
  switch (d.t) {
    case 'name':
      return renderName(world, d.e)
    case 'via': {
      const from = render(world, d.from)
      const w = world.entity(entityOf(d.from))
      const role = ROLE[d.rel]
      if (!role) throw new RangeError(`Expected an injectable relation, got ${d.rel}`)
      const target = world.entity(d.e)
      return {
        text: role(asReference(world, d.from, from), w),
        set: {op: 'follow', from: from.set, rel: d.rel},
        facts: [...from.facts, `e${w.index}:${d.rel}`],
        uses: [...from.uses, {id: `e${w.index}:${d.rel}`, doc: w.index, needles: [target.name], text: `${sentenceName(w)} → ${d.rel.replace(/_/g, ' ')} → ${target.name}.`}],
      }
    }
    case 'rel': {
      const anchor = render(world, d.anchor)
      const e = world.entity(d.e)
      const a = world.entity(entityOf(d.anchor))
      const key = timeKey(e)
      const value = e.attributes[key] as number
      const decade = decadeOf(value)
      const ref = asReference(world, d.anchor, anchor)
      const text = relPhrase(e, d.rel, ref, d.time, value)
      const kind = e.type === 'person' || e.type === 'work' || e.type === 'organisation' || e.type === 'event' ? e.kind : undefined
      const base: EntitySet = {op: 'reverse', from: anchor.set, rel: d.rel, ...(kind ? {kind} : {})}
      const set: EntitySet = d.time === 'none' ? base : {op: 'where', from: base, key, ...(d.time === 'eq' ? {eq: value} : {decade})}
      const uses: FactUse[] = [...anchor.uses, {id: `e${d.e}:${d.rel}`, doc: d.e, needles: [a.name], text: `${sentenceName(e)} → ${d.rel.replace(/_/g, ' ')} → ${a.name}.`}]
      const facts = [...anchor.facts, `e${d.e}:${d.rel}`]
      if (d.time !== 'none') {
        facts.push(`e${d.e}:${key}`)
        uses.push({id: `e${d.e}:${key}`, doc: d.e, needles: [String(value)], text: `${sentenceName(e)}: ${key.replace(/_/g, ' ')} ${value}${d.time === 'decade' ? ` (asked as "the ${decade}s")` : ''}.`})
      }
      return {text, set, facts, uses}
    }
  }
}

/** The attribute that dates an entity: when it was born, founded, released or held. */
export function timeKey(e: Entity): string {
  return e.type === 'person' ? 'birth_year' : e.type === 'organisation' || e.type === 'city' ? 'founded_year' : 'year'
}

/**
 * The phrase for a `rel` node. The date comes before the anchor ("the 1958 summit held in …", "a painter born in
 * the 1950s in …") so it cannot be read as part of a nested anchor description.
 */
function relPhrase(e: Entity, rel: Relation, anchor: string, time: Time, value: number): string {
  // "an 1880s …", "a 1950s …": the article follows the decade as spoken.
  const det = time === 'decade' ? (/^(8|18)/.test(String(decadeOf(value))) ? 'an' : 'a') : 'the'
  const stamp = time === 'none' ? '' : time === 'eq' ? `${value} ` : `${decadeOf(value)}s `
  const at = time === 'eq' ? `${value}` : `the ${decadeOf(value)}s`
  const born = time === 'none' ? '' : ` born in ${at}`
  const founded = time === 'none' ? '' : ` founded in ${at}`
  const plainDet = time === 'decade' ? article(e.kind) : 'the'
  switch (e.type) {
    case 'work': {
      const words = CREATOR[e.kind] ?? {verb: 'made', noun: 'creator', made: 'made'}
      if (rel === 'won') return `${det} ${stamp}${e.kind} that won ${anchor}`
      return `${det} ${stamp}${e.kind} ${words.verb} by ${anchor}`
    }
    case 'event':
      return `${det} ${stamp}${e.kind} ${rel === 'held_in' ? 'held in' : 'organised by'} ${anchor}`
    case 'person':
      if (rel === 'born_in') return `${plainDet} ${e.kind}${born} in ${anchor}`.replace(' in in ', ' in ').replace(`${e.kind} in ${anchor}`, `${e.kind} born in ${anchor}`)
      if (rel === 'member_of') return `${plainDet} ${e.kind}${born} who is a member of ${anchor}`
      return `${plainDet} ${e.kind}${born} who won ${anchor}`
    case 'organisation':
      return rel === 'founded_by' ? `${plainDet} ${e.kind}${founded} by ${anchor}`.replace(`${e.kind} by`, `${e.kind} founded by`) : `${plainDet} ${e.kind}${founded}${time === 'none' ? '' : ' and'} headquartered in ${anchor}`
    case 'city':
      return `${time === 'decade' ? 'a' : 'the'} city${founded} in ${anchor}`
    default:
      return `${plainDet} ${e.kind} linked to ${anchor}`
  }
}

/** The relations that tie an entity to an anchor it can be described by ("the film directed by C"). */
const ANCHOR_RELATIONS: Record<string, Relation[]> = {
  work: ['directed_by', 'written_by', 'performed_by', 'won'],
  event: ['held_in', 'organised_by'],
  person: ['born_in', 'member_of', 'won'],
  organisation: ['headquartered_in', 'founded_by'],
  city: ['located_in'],
}

function sentenceName(e: Entity): string {
  return e.type === 'work' ? `"${e.name}"` : e.name
}

export function entityOf(d: Description): number {
  return d.e
}

/** Every entity a description mentions or passes through. */
export function entitiesIn(d: Description, out = new Set<number>()): Set<number> {
  out.add(d.e)
  if (d.t === 'via') entitiesIn(d.from, out)
  else if (d.t === 'rel') entitiesIn(d.anchor, out)
  return out
}

/** Relation hops a description adds beyond naming the entity directly. */
export function hopsIn(d: Description): number {
  switch (d.t) {
    case 'name': return 0
    case 'via': return 1 + hopsIn(d.from)
    case 'rel': return 1 + hopsIn(d.anchor)
  }
}

export function fuzzCount(d: Description): number {
  switch (d.t) {
    case 'name': return 0
    case 'via': return fuzzCount(d.from)
    case 'rel': return (d.time === 'decade' ? 1 : 0) + fuzzCount(d.anchor)
  }
}

export interface Edit {
  op: 'inject' | 'fuzz'
  /** The new whole description. */
  tree: Description
  /** Human-readable: what was replaced by what. */
  detail: string
}

/** Replace the node at `path` (child steps) in `d` with `node`. */
function replaceAt(d: Description, path: readonly number[], node: Description): Description {
  if (path.length === 0) return node
  const [, ...rest] = path
  switch (d.t) {
    case 'via': return {...d, from: replaceAt(d.from, rest, node)}
    case 'rel': return {...d, anchor: replaceAt(d.anchor, rest, node)}
    default: return d
  }
}

function* nodes(d: Description, path: number[] = []): Generator<{node: Description; path: number[]}> {
  yield {node: d, path}
  if (d.t === 'via') yield* nodes(d.from, [...path, 0])
  else if (d.t === 'rel') yield* nodes(d.anchor, [...path, 0])
}

/**
 * Every candidate edit of a description: inject (describe a named entity through one more relation: "the
 * founder of W", "the film directed by C in 1994") or fuzz (a year → its decade, a name → a category such as
 * "a director born in Dunmore in the 1960s"). `avoid` holds entities that must not appear (the answer, so it
 * cannot leak). Candidates are verified by the engine; none is assumed unique.
 */
export function candidateEdits(world: World, tree: Description, avoid: ReadonlySet<number>, sample: (list: number[], k: number) => number[]): Edit[] {
  const edits: Edit[] = []
  const used = entitiesIn(tree)
  for (const {node, path} of nodes(tree)) {
    if (node.t === 'rel' && node.time === 'eq') {
      const year = world.entity(node.e).attributes[timeKey(world.entity(node.e))] as number
      edits.push({op: 'fuzz', tree: replaceAt(tree, path, {...node, time: 'decade'}), detail: `${year} → the ${decadeOf(year)}s`})
    }
    if (node.t !== 'name') continue
    const e = world.entity(node.e)
    const label = renderName(world, node.e).text
    // Inject through a forward relation of another entity: e is W's single target ("the founder of W").
    for (const rel of INJECTABLE_RELATIONS) {
      const sources = world.incoming(node.e, rel).filter((w) => !used.has(w) && !avoid.has(w) && world.outgoing(w, rel).length === 1)
      for (const w of sample(sources, 2)) {
        edits.push({op: 'inject', tree: replaceAt(tree, path, {t: 'via', e: node.e, rel, from: {t: 'name', e: w}}), detail: `${label} → ${rel.replace(/_/g, ' ')} of ${world.entity(w).name}`})
      }
    }
    // Inject through e's own relation to an anchor, or fuzz to a category (the anchor plus a decade).
    const hasTime = typeof e.attributes[timeKey(e)] === 'number'
    for (const rel of ANCHOR_RELATIONS[e.type] ?? []) {
      const anchor = e.relations[rel]?.[0]
      if (anchor === undefined || used.has(anchor) || avoid.has(anchor)) continue
      const an = world.entity(anchor).name
      edits.push({op: 'inject', tree: replaceAt(tree, path, {t: 'rel', e: node.e, rel, anchor: {t: 'name', e: anchor}, time: 'none'}), detail: `${label} → the ${e.kind} with ${rel.replace(/_/g, ' ')} ${an}`})
      if (!hasTime) continue
      edits.push({op: 'inject', tree: replaceAt(tree, path, {t: 'rel', e: node.e, rel, anchor: {t: 'name', e: anchor}, time: 'eq'}), detail: `${label} → the ${e.kind} with ${rel.replace(/_/g, ' ')} ${an} and ${timeKey(e).replace(/_/g, ' ')} ${e.attributes[timeKey(e)]}`})
      edits.push({op: 'fuzz', tree: replaceAt(tree, path, {t: 'rel', e: node.e, rel, anchor: {t: 'name', e: anchor}, time: 'decade'}), detail: `${label} → ${article(e.kind)} ${e.kind} with ${rel.replace(/_/g, ' ')} ${an} in the ${decadeOf(e.attributes[timeKey(e)] as number)}s`})
    }
  }
  return edits
}
