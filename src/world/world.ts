// A world in memory without its entities: the pure generator plus compact typed-array indexes (reverse
// relations, names, disambiguated titles). About 40 bytes per entity, so 1M entities fit well under 1 GB.
import {EntityGenerator} from './generator.js'
import {hashText} from './hash.js'
import {type Entity, type EntityType, RELATIONS, RELATION_ID, type Relation} from './entity.js'
import type {ProgressCallback} from '../core/index.js'
import {ProgressTask} from '../core/index.js'

/** The placeholder origin in corpus.jsonl URLs; `ars serve web` maps it to its own address. */
export const WORLD_ORIGIN = 'http://world.local'

export interface WorldOptions {
  seed: number
  /** Number of entities (articles about entities; list/news pages come on top). */
  entities: number
  onProgress?: ProgressCallback
}

const QUALIFIER_TYPES: Record<EntityType, string> = {country: 'country', city: 'city', person: 'person', organisation: 'organisation', work: 'work', award: 'award', event: 'event'}

export interface WorldIndexData {
  offsets: Int32Array
  src: Int32Array
  rel: Uint8Array
  nameHash: Uint32Array
  byNameHash: Int32Array
  titleLevel: Uint8Array
}

export class World {
  readonly gen: EntityGenerator
  // Reverse relations as CSR: edges into target t are #src/#rel[#offsets[t] .. #offsets[t+1]).
  readonly #offsets: Int32Array
  readonly #src: Int32Array
  readonly #rel: Uint8Array
  // Names: entity indices sorted by name hash, for lookups by name.
  readonly #nameHash: Uint32Array
  readonly #byNameHash: Int32Array
  // 0 = name is unique; 1 = qualified title; 2 = qualified title + index (a qualified title still collided).
  readonly #titleLevel: Uint8Array

  constructor(options: WorldOptions, shared?: WorldIndexData) {
    this.gen = new EntityGenerator(options.seed, options.entities)
    const n = this.gen.total
    if (shared) {
      // Another thread built the index: adopt its (shared) arrays instead of rebuilding them.
      this.#offsets = shared.offsets
      this.#src = shared.src
      this.#rel = shared.rel
      this.#nameHash = shared.nameHash
      this.#byNameHash = shared.byNameHash
      this.#titleLevel = shared.titleLevel
      return
    }
    const task = new ProgressTask(options.onProgress, 'index', n, 'entities')
    const counts = new Int32Array(n + 1)
    let src = new Int32Array(Math.ceil(n * 2.2))
    let dst = new Int32Array(src.length)
    let rel = new Uint8Array(src.length)
    let edges = 0
    this.#nameHash = new Uint32Array(n)
    for (let i = 0; i < n; i++) {
      const e = this.gen.entity(i)
      this.#nameHash[i] = hashText(e.name)
      for (const r of RELATIONS) {
        const targets = e.relations[r]
        if (!targets) continue
        for (const t of targets) {
          if (edges === src.length) {
            const grow = <T extends Int32Array | Uint8Array>(a: T): T => {
              const b = new (a.constructor as new (n: number) => T)(a.length * 2)
              b.set(a)
              return b
            }
            src = grow(src)
            dst = grow(dst)
            rel = grow(rel)
          }
          src[edges] = i
          dst[edges] = t
          rel[edges] = RELATION_ID[r]
          edges++
          counts[t + 1] = (counts[t + 1] as number) + 1
        }
      }
      if ((i & 16383) === 16383) task.advance(16384)
    }
    task.advance(n & 16383)
    for (let t = 0; t < n; t++) counts[t + 1] = (counts[t + 1] as number) + (counts[t] as number)
    this.#offsets = counts
    this.#src = new Int32Array(edges)
    this.#rel = new Uint8Array(edges)
    const fill = counts.slice(0, n)
    // Edges were produced in source order, so each target's list comes out sorted by source index.
    for (let k = 0; k < edges; k++) {
      const t = dst[k] as number
      const at = fill[t] as number
      this.#src[at] = src[k] as number
      this.#rel[at] = rel[k] as number
      fill[t] = at + 1
    }
    this.#byNameHash = sortedByKey(this.#nameHash)
    this.#titleLevel = new Uint8Array(n)
    this.#resolveTitles()
    task.done(`${n} entities, ${edges} relation edges`)
  }

  /** The index arrays copied into SharedArrayBuffers, for worker threads (`new World(options, data)`). */
  sharedIndex(): WorldIndexData {
    const share = <T extends Int32Array | Uint32Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength))
      b.set(a as never)
      return b
    }
    return {offsets: share(this.#offsets), src: share(this.#src), rel: share(this.#rel), nameHash: share(this.#nameHash), byNameHash: share(this.#byNameHash), titleLevel: share(this.#titleLevel)}
  }

  get seed(): number {
    return this.gen.seed
  }

  get size(): number {
    return this.gen.total
  }

  entity(index: number): Entity {
    return this.gen.entity(index)
  }

  /** Sources of `rel` edges pointing at `target`, in index order (e.g. people born in a city). */
  incoming(target: number, rel: Relation): number[] {
    const id = RELATION_ID[rel]
    const out: number[] = []
    const end = this.#offsets[target + 1] as number
    for (let k = this.#offsets[target] as number; k < end; k++) if (this.#rel[k] === id) out.push(this.#src[k] as number)
    return out
  }

  /** Forward relation targets (empty when absent). */
  outgoing(source: number, rel: Relation): number[] {
    return this.gen.entity(source).relations[rel] ?? []
  }

  /** Every entity whose name is exactly `name` (optionally of one type). */
  byName(name: string, type?: EntityType): number[] {
    const h = hashText(name)
    const out: number[] = []
    for (const i of this.#hashRun(h)) {
      const e = this.gen.entity(i)
      if (e.name === name && (!type || e.type === type)) out.push(i)
    }
    return out.sort((a, b) => a - b)
  }

  #hashRun(h: number): number[] {
    const order = this.#byNameHash
    let lo = 0
    let hi = order.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((this.#nameHash[order[mid] as number] as number) < h) lo = mid + 1
      else hi = mid
    }
    const out: number[] = []
    for (let k = lo; k < order.length && this.#nameHash[order[k] as number] === h; k++) out.push(order[k] as number)
    return out
  }

  /** How many entities share this entity's name (1 = unique). */
  nameCount(index: number): number {
    return this.byName(this.gen.entity(index).name).length
  }

  /** The article title: the name, qualified when another entity shares it ("Dunmore (city in Veloria)"). */
  title(index: number): string {
    const level = this.#titleLevel[index]
    const e = this.gen.entity(index)
    if (level === 0) return e.name
    const q = `${e.name} (${this.qualifier(index)})`
    return level === 1 ? q : `${q} ${index}`
  }

  /** A short description that tells namesakes apart: "director, born 1956", "1994 film", "city in Veloria". */
  qualifier(index: number): string {
    const e = this.gen.entity(index)
    switch (e.type) {
      case 'person': return `${e.kind}, born ${e.attributes.birth_year}`
      case 'city': return `city in ${this.gen.entity(e.relations.located_in?.[0] as number).name}`
      case 'work': return `${e.attributes.year} ${e.kind}`
      case 'organisation': return `${e.kind} in ${this.gen.entity(e.relations.headquartered_in?.[0] as number).name}`
      default: return QUALIFIER_TYPES[e.type]
    }
  }

  readonly #slugs = new Map<number, string>()

  slug(index: number): string {
    let slug = this.#slugs.get(index)
    if (slug === undefined) {
      slug = slugify(this.title(index))
      if (this.#slugs.size >= 65536) this.#slugs.clear()
      this.#slugs.set(index, slug)
    }
    return slug
  }

  url(index: number, origin = WORLD_ORIGIN): string {
    return `${origin}/wiki/${this.slug(index)}.html`
  }

  #resolveTitles(): void {
    const n = this.size
    // Names that occur more than once get qualified titles; qualified titles that still collide get the index.
    const order = this.#byNameHash
    const qualified = new Map<string, number[]>()
    let k = 0
    while (k < n) {
      let end = k + 1
      while (end < n && this.#nameHash[order[end] as number] === this.#nameHash[order[k] as number]) end++
      if (end - k > 1) {
        const groups = new Map<string, number[]>()
        for (let j = k; j < end; j++) {
          const i = order[j] as number
          const name = this.gen.entity(i).name
          const list = groups.get(name)
          if (list) list.push(i)
          else groups.set(name, [i])
        }
        for (const members of groups.values()) {
          if (members.length < 2) continue
          for (const i of members) {
            this.#titleLevel[i] = 1
            const q = `${this.gen.entity(i).name} (${this.qualifier(i)})`
            const list = qualified.get(q)
            if (list) list.push(i)
            else qualified.set(q, [i])
          }
        }
      }
      k = end
    }
    for (const members of qualified.values()) if (members.length > 1) for (const i of members) this.#titleLevel[i] = 2
  }
}

/** Title → URL path segment: spaces become underscores, `&` becomes `and`, only URL-safe characters remain. */
export function slugify(title: string): string {
  return title.replace(/ & /g, ' and ').replace(/[,]/g, '').replace(/\s+/g, '_').replace(/[^A-Za-z0-9_()'.-]/g, '')
}

function sortedByKey(keys: Uint32Array): Int32Array {
  const order = new Int32Array(keys.length)
  for (let i = 0; i < keys.length; i++) order[i] = i
  return order.sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b)
}
