// The knowledge-base engine: grows a world seed (a 1-hop Question carrying its KB query in meta.query) by
// injecting relation hops and fuzzing details, verifying after every edit — exactly, against the KB — that
// the question is still well formed, answerable from its facts, and has exactly the seed's answer.
import type {Question, SynthItem, Fact} from '../../core/index.js'
import type {Rng} from '../../core/index.js'
import {ArticleWriter, docText} from '../../world/index.js'
import {answersFor, evaluateSet, factView, worldView, type EntitySet, type Query} from '../../world/index.js'
import type {World} from '../../world/index.js'
import {DEFAULT_LIMITS, difficultyCheck, validityCheck, type CheckVerdict, type DifficultyProbe, type SynthContext, type SynthEngine, type SynthLimits, type SynthOutcome, type SynthReason} from '../engine.js'
import {candidateEdits, entitiesIn, fuzzCount, hopsIn, render, renderName, type Description, type Edit, type FactUse} from './describe.js'

export interface KbEngineOptions {
  world: World
  /** Shown in the engine id and item meta. */
  worldDir?: string
  limits?: Partial<SynthLimits>
  difficulty?: DifficultyProbe
}

interface Located {
  index: number
  prefix: string
  suffix: string
  set: EntitySet
}

export class KbEngine implements SynthEngine {
  readonly id: string
  readonly #world: World
  readonly #limits: SynthLimits
  readonly #difficulty: DifficultyProbe | undefined
  readonly #articles: ArticleWriter
  readonly #docLines = new Map<number, string[]>()

  constructor(options: KbEngineOptions) {
    this.#world = options.world
    this.#limits = {...DEFAULT_LIMITS, ...options.limits}
    this.#difficulty = options.difficulty
    this.#articles = new ArticleWriter(options.world)
    this.id = `kb:${options.worldDir ?? `world-${options.world.seed}`}`
  }

  async synthesize(seed: Question, context: SynthContext): Promise<SynthOutcome> {
    const world = this.#world
    const reject = (code: string, detail: string, extra: Record<string, unknown> = {}): SynthOutcome => ({kind: 'reject', reasons: [{code, detail, ...extra}]})
    if (seed.answers.length === 0) return reject('seed-no-answer', `seed ${seed.id} has no answers: nothing to keep unchanged`)
    const query = (seed.meta as {query?: Query}).query
    if (!query || typeof query !== 'object' || typeof query.op !== 'string') return reject('seed-not-world', `seed ${seed.id} has no meta.query: the KB engine needs world seeds (seeds.jsonl of ars world build); use --engine llm for other questions`)
    let kbAnswers: string[]
    try {
      kbAnswers = answersFor(query, worldView(world))
    } catch (error) {
      return reject('seed-not-world', `seed ${seed.id}: meta.query does not evaluate on this world (${(error as Error).message}); is it from another world?`)
    }
    if (kbAnswers.length !== 1 || !seed.answers.includes(kbAnswers[0] as string)) {
      return reject('seed-mismatch', `seed ${seed.id}: the KB gives ${JSON.stringify(kbAnswers)}, the seed says ${JSON.stringify(seed.answers)} — built from another world or seed?`)
    }
    const answer = kbAnswers[0] as string
    const located = this.#locate(seed, query)
    if (!located) return reject('seed-mention-not-found', `seed ${seed.id}: cannot find the entity the question names (meta.path[0]) in its text and query`)
    // The answer entity must not appear in the question, nor may a description use the attribute asked for.
    const avoid = new Set<number>()
    const avoidFacts = new Set<string>()
    if (query.op === 'name') for (const i of evaluateSet(query.of, worldView(world))) avoid.add(i)
    if (query.op === 'attr') for (const i of evaluateSet(query.of, worldView(world))) avoidFacts.add(`e${i}:${query.key}`)
    const seedHops = seed.hops ?? 1
    const seedFacts = seed.supporting_facts ?? []
    const rng = context.rng
    const seedDifficulty = await difficultyCheck(this.#difficulty, seed.id, seed.question, seed.answers, context.signal)

    let tree: Description = {t: 'name', e: located.index}
    const history: SynthItem['history'] = [{step: 0, op: 'seed', question: seed.question, checks: {difficulty: stripWrong(seedDifficulty)}}]
    let lastChecks: Record<string, CheckVerdict> = {}
    let lastRendered = render(world, tree)
    const rejectedCandidates: Record<string, number> = {}
    let attempts = 0
    let stopReason = 'max-edits'
    for (let step = 1; step <= this.#limits.maxEdits; step++) {
      context.signal?.throwIfAborted()
      const hops = seedHops + hopsIn(tree)
      const edits = candidateEdits(world, tree, avoid, (list, k) => rng.sample(list, k))
      const injects = rng.shuffle(edits.filter((e) => e.op === 'inject'))
      const fuzzes = rng.shuffle(edits.filter((e) => e.op === 'fuzz'))
      const wantFuzz = (hops >= this.#limits.targetHops - 1 && fuzzCount(tree) === 0) || rng.bool(0.25)
      const order: Edit[] = wantFuzz ? [...fuzzes, ...injects] : [...injects, ...fuzzes]
      let accepted = false
      for (const edit of order.slice(0, this.#limits.attemptsPerRound)) {
        attempts++
        const r = render(world, edit.tree)
        const question = compose(located, r.text)
        const q = replaceSet(query, located.set, r.set)
        const facts = [...new Set([...seedFacts, ...r.facts])]
        if (r.facts.some((f) => avoidFacts.has(f))) {
          rejectedCandidates.leak = (rejectedCandidates.leak ?? 0) + 1
          continue
        }
        const validity = validityCheck(question, seed.answers)
        const all = answersFor(q, worldView(world))
        const uniqueness: CheckVerdict = all.length === 1 && all[0] === answer
          ? {verdict: 'pass', detail: 'exactly one entity fits under the KB', method: 'kb-exact'}
          : {verdict: 'fail', detail: all.length === 0 ? 'no answer fits under the KB' : `${all.length} answers fit under the KB`, method: 'kb-exact', alternatives: all.filter((a) => a !== answer).slice(0, 10)}
        const fromFacts = answersFor(q, factView(world, facts))
        const answerable: CheckVerdict = fromFacts.length === 1 && fromFacts[0] === answer
          ? {verdict: 'pass', detail: `the answer follows from ${facts.length} facts`, method: 'kb-facts'}
          : {verdict: 'fail', detail: `from the facts alone: ${JSON.stringify(fromFacts.slice(0, 5))}`, method: 'kb-facts'}
        const failed = Object.entries({validity, uniqueness, answerable}).filter(([, c]) => c.verdict !== 'pass').map(([k]) => k)
        if (failed.length > 0) {
          for (const k of failed) rejectedCandidates[k] = (rejectedCandidates[k] ?? 0) + 1
          continue
        }
        const difficulty = await difficultyCheck(this.#difficulty, seed.id, question, seed.answers, context.signal)
        const newUse = r.uses.find((u) => !lastRendered.uses.some((o) => o.id === u.id))
        lastChecks = {validity, answerable, uniqueness, difficulty: stripWrong(difficulty)}
        history.push({step, op: edit.op, question, ...(edit.op === 'inject' && newUse ? {fact_id: newUse.id} : {}), detail: edit.detail, checks: lastChecks})
        tree = edit.tree
        lastRendered = r
        accepted = true
        break
      }
      if (!accepted) {
        stopReason = 'no-valid-edit'
        break
      }
      const nowHops = seedHops + hopsIn(tree)
      if (this.#difficulty) {
        if (lastChecks.difficulty?.verdict === 'pass' && nowHops >= 2) {
          stopReason = 'model-fails'
          break
        }
      } else if (nowHops >= this.#limits.targetHops && fuzzCount(tree) > 0) {
        stopReason = 'target-hops'
        break
      }
      if (compose(located, lastRendered.text).length > 400) {
        stopReason = 'length'
        break
      }
    }
    const edits = history.length - 1
    const item = this.#item(seed, located, query, answer, tree, history, lastChecks, {attempts, rejected_candidates: rejectedCandidates, stop: stopReason, seed_difficulty: stripWrong(seedDifficulty)})
    const reasons: SynthReason[] = []
    if (edits === 0) reasons.push({code: 'no-valid-edit', detail: `no edit of ${JSON.stringify(seed.question)} kept the answer unique and answerable (${attempts} tried: ${JSON.stringify(rejectedCandidates)})`})
    else if (lastChecks.difficulty?.verdict === 'fail') reasons.push({code: 'too-easy', detail: `after ${edits} edits ${lastChecks.difficulty.detail}`})
    if (reasons.length > 0) return {kind: 'reject', reasons, partial: item}
    return {kind: 'item', item}
  }

  #locate(seed: Question, query: Query): Located | undefined {
    const path = (seed.meta as {path?: unknown}).path
    const first = Array.isArray(path) && typeof path[0] === 'string' ? /^e(\d+)$/.exec(path[0]) : null
    if (!first) return undefined
    const index = Number(first[1])
    if (index >= this.#world.size) return undefined
    const mention = renderName(this.#world, index)
    const at = seed.question.indexOf(mention.text)
    if (at < 0 || !containsSet(query, mention.set)) return undefined
    return {index, prefix: seed.question.slice(0, at), suffix: seed.question.slice(at + mention.text.length), set: mention.set}
  }

  #quote(doc: number, needles: readonly string[]): string | undefined {
    let lines = this.#docLines.get(doc)
    if (!lines) {
      lines = docText(this.#articles.article(doc)).split('\n')
      if (this.#docLines.size > 4096) this.#docLines.clear()
      this.#docLines.set(doc, lines)
    }
    return lines.find((l) => needles.every((n) => l.includes(n))) ?? lines.find((l) => l.includes(needles[0] as string))
  }

  #item(seed: Question, located: Located, query: Query, answer: string, tree: Description, history: SynthItem['history'], checks: Record<string, CheckVerdict>, meta: Record<string, unknown>): SynthItem {
    const world = this.#world
    const r = render(world, tree)
    const facts: Fact[] = []
    const seen = new Set<string>()
    for (const use of r.uses) {
      if (seen.has(use.id)) continue
      seen.add(use.id)
      facts.push(this.#fact(use))
    }
    const last = history[history.length - 1]
    return {
      type: 'synth_item',
      version: 1,
      id: `${seed.id}~synth`,
      seed_id: seed.id,
      question: last?.question ?? seed.question,
      answers: [answer, ...seed.answers.filter((a) => a !== answer)],
      source: 'synth',
      hops: (seed.hops ?? 1) + hopsIn(tree),
      facts,
      history,
      checks,
      meta: {
        engine: 'kb',
        world_seed: world.seed,
        query: replaceSet(query, located.set, r.set),
        supporting_facts: [...new Set([...(seed.supporting_facts ?? []), ...r.facts])],
        entities: [...entitiesIn(tree)].map((i) => `e${i}`),
        ...meta,
      },
    }
  }

  #fact(use: FactUse): Fact {
    const world = this.#world
    const quote = this.#quote(use.doc, use.needles)
    return {id: use.id, text: use.text, source: {doc_id: `e${use.doc}`, url: world.url(use.doc), title: world.title(use.doc), ...(quote ? {quote} : {})}, entity: `e${use.doc}`}
  }
}

function stripWrong(c: CheckVerdict & {wrong_answers?: string[]}): CheckVerdict {
  const {wrong_answers: _drop, ...rest} = c
  return rest
}

function compose(located: Located, text: string): string {
  let prefix = located.prefix
  // "the city of Dunmore" → "the birthplace of X", not "the city of the birthplace of X"; "attended the
  // Dunmore Marathon" → "attended the marathon held in …", not "the the marathon".
  if (/^(the|a|an) /.test(text)) prefix = prefix.replace(/(?:\bthe city of |\bthe )$/i, '')
  const body = prefix === '' ? text.charAt(0).toUpperCase() + text.slice(1) : text
  return `${prefix}${body}${located.suffix}`
}

function containsSet(node: unknown, target: EntitySet): boolean {
  const key = JSON.stringify(target)
  const walk = (v: unknown): boolean => {
    if (v === null || typeof v !== 'object') return false
    if (JSON.stringify(v) === key) return true
    return Object.values(v as Record<string, unknown>).some(walk)
  }
  return walk(node)
}

/** A copy of `query` with every subtree equal to `from` replaced by `to`. */
export function replaceSet<T>(query: T, from: EntitySet, to: EntitySet): T {
  const key = JSON.stringify(from)
  const walk = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v
    if (JSON.stringify(v) === key) return to
    if (Array.isArray(v)) return v.map(walk)
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x)]))
  }
  return walk(query) as T
}

export type {Rng}
