// `ars world build`: streams kb.jsonl, corpus.jsonl, site/ (+ site/truth.jsonl), questions/ and seeds.jsonl
// into a temporary directory inside --out, then renames each output into place, world.json (the manifest)
// last — so a crash or a full disk never leaves a half-written file that looks complete.
import {createHash, type Hash} from 'node:crypto'
import {closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {UsageError} from '../core/index.js'
import {type ProgressCallback, ProgressTask} from '../core/index.js'
import {Rng} from '../core/index.js'
import {availableParallelism} from 'node:os'
import {Worker} from 'node:worker_threads'
import type {Doc} from './articles.js'
import {BLOCK_ENTITIES, type BlockResult, PART_FILES, partPath, writeBlock} from './build-block.js'
import {generateQuestions, toQuestionRecord} from './questions.js'
import {SiteRenderer} from './site.js'
import {World, WORLD_ORIGIN} from './world.js'

/** Bumped whenever the generator's output changes for a given seed and size. */
export const WORLD_GENERATOR_VERSION = 1

export const WORLD_SIZES: Readonly<Record<string, number>> = {small: 2000, medium: 50_000, large: 1_000_000}

/** `small|medium|large` or a positive integer (entities). */
export function parseWorldSize(size: string): number {
  const named = WORLD_SIZES[size]
  if (named !== undefined) return named
  if (/^\d+$/.test(size)) {
    const n = Number(size)
    if (n >= 200 && n <= 20_000_000) return n
    throw new UsageError(`--size: expected between 200 and 20000000 entities, got ${n}`, {code: 'world-size', fix: 'Use small, medium, large, or an entity count such as 5000.'})
  }
  throw new UsageError(`--size: expected small, medium, large or a number, got ${JSON.stringify(size)}`, {code: 'world-size', fix: 'Use small (2000 entities), medium (50000), large (1000000), or an entity count such as 5000.'})
}

/** A non-negative integer seed (as the CLI receives it, a string). */
export function parseWorldSeed(seed: string | number): number {
  const text = String(seed).trim()
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) > 0xffffffff) {
    throw new UsageError(`--seed: expected a whole number between 0 and 4294967295, got ${JSON.stringify(String(seed))}`, {code: 'world-seed', fix: 'Pass --seed 42 (any whole number; the same seed gives the same world).'})
  }
  return Number(text)
}

export interface BuildOptions {
  seed: number
  /** Entity count (see parseWorldSize). */
  entities: number
  out: string
  /** Replace the contents of a non-empty --out. */
  force?: boolean
  /** Size label written to the manifest (default: the entity count). */
  sizeLabel?: string
  /** Total questions over train/dev/test (default scales with size, 200–20000). */
  questions?: number
  seeds?: number
  /** Worker threads for the articles (default min(2, cores)); the output does not depend on it. */
  threads?: number
  /** Entities per block (default 50000). Part of the output format (the site hash is over blocks); tests shrink it. */
  blockEntities?: number
  onProgress?: ProgressCallback
}

export interface FileInfo {
  sha256: string
  bytes: number
}

export interface WorldManifest {
  format: 'ars-world'
  generator_version: number
  ars_version: string
  seed: number
  size: string
  entities: number
  url_origin: string
  counts: Record<string, number>
  files: Record<string, FileInfo>
  site: {pages: number; sha256: string; bytes: number}
}

export function arsVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {version: string}).version
  } catch {
    return '0.0.0'
  }
}

/** A buffered, hashed append-only file written with sync calls (fast, and a disk-full error surfaces here). */
class HashedFile {
  readonly #fd: number
  readonly #hash: Hash = createHash('sha256')
  #parts: string[] = []
  #size = 0
  bytes = 0

  constructor(path: string) {
    this.#fd = openSync(path, 'w')
  }

  write(text: string): void {
    this.#parts.push(text)
    this.#size += text.length
    if (this.#size >= 1 << 20) this.flush()
  }

  writeBytes(bytes: Buffer): void {
    this.flush()
    this.#hash.update(bytes)
    let off = 0
    while (off < bytes.length) off += writeSync(this.#fd, bytes, off)
    this.bytes += bytes.length
  }

  flush(): void {
    if (this.#parts.length === 0) return
    const buf = Buffer.from(this.#parts.join(''), 'utf8')
    this.#parts = []
    this.#size = 0
    this.#hash.update(buf)
    let off = 0
    while (off < buf.length) off += writeSync(this.#fd, buf, off)
    this.bytes += buf.length
  }

  close(): FileInfo {
    this.flush()
    fsyncSync(this.#fd)
    closeSync(this.#fd)
    return {sha256: this.#hash.digest('hex'), bytes: this.bytes}
  }
}

const OUTPUTS = ['kb.jsonl', 'corpus.jsonl', 'site', 'questions', 'seeds.jsonl'] as const

function checkOut(out: string, force: boolean): void {
  if (!existsSync(out)) return
  if (!statSync(out).isDirectory()) throw new UsageError(`--out ${out}: exists and is not a directory`, {code: 'world-out', fix: 'Name a new or empty directory.'})
  const entries = readdirSync(out).filter((f) => !f.startsWith('.ars-world-tmp-'))
  if (entries.length > 0 && !force) {
    throw new UsageError(`--out ${out}: directory is not empty (${entries.length} entries, e.g. ${entries.slice(0, 3).join(', ')})`, {code: 'world-out-not-empty', fix: 'Pick an empty directory, or pass --force to replace its contents.'})
  }
}

export const SITE_CSS = 'body{font-family:sans-serif;margin:0}.cookie{position:fixed;bottom:0;background:#222;color:#fff;padding:1em}.ad{border:1px dashed #aaa;padding:.5em;margin:1em 0}.infobox{float:right;border:1px solid #ccc}#layout{display:flex}#sidebar{width:12em}\n'

export async function buildWorld(options: BuildOptions): Promise<WorldManifest> {
  const {seed, entities, out} = options
  checkOut(out, options.force ?? false)
  mkdirSync(out, {recursive: true})
  const tmp = join(out, `.ars-world-tmp-${process.pid}`)
  rmSync(tmp, {recursive: true, force: true})
  mkdirSync(tmp)
  try {
    const manifest = await writeAll(options, tmp)
    // Move into place: outputs first, the manifest last (its presence marks a complete world).
    rmSync(join(out, 'world.json'), {force: true})
    for (const name of OUTPUTS) {
      rmSync(join(out, name), {recursive: true, force: true})
      renameSync(join(tmp, name), join(out, name))
    }
    renameSync(join(tmp, 'world.json'), join(out, 'world.json'))
    rmSync(tmp, {recursive: true, force: true})
    void entities
    void seed
    return manifest
  } catch (error) {
    rmSync(tmp, {recursive: true, force: true})
    throw error
  }
}

async function writeAll(options: BuildOptions, dir: string): Promise<WorldManifest> {
  const {seed, entities} = options
  const world = new World({seed, entities, onProgress: options.onProgress})
  for (const sub of ['site', 'site/wiki', 'site/news', 'site/forum', 'site/static', 'questions', 'parts']) mkdirSync(join(dir, sub), {recursive: true})
  writeFileSync(join(dir, 'site/static/site.css'), SITE_CSS)
  const counts: Record<string, number> = {}
  const bump = (key: string): void => {
    counts[key] = (counts[key] ?? 0) + 1
  }

  // Articles, in fixed-size blocks (in worker threads when there are several blocks and threads to spare).
  const task = new ProgressTask(options.onProgress, 'articles', entities, 'entities')
  const blockEntities = options.blockEntities ?? BLOCK_ENTITIES
  const blocks = Math.ceil(entities / blockEntities)
  const threads = Math.max(1, Math.min(blocks, options.threads ?? Math.min(2, availableParallelism())))
  const results: BlockResult[] = threads > 1
    ? await writeBlocksInWorkers(world, dir, blocks, blockEntities, threads, (n) => task.advance(n))
    : Array.from({length: blocks}, (_, b) => writeBlock(world, dir, b, blockEntities, (n) => task.advance(n)))
  const siteHash = createHash('sha256')
  let siteBytes = 0
  for (const r of results.sort((x, y) => x.block - y.block)) {
    for (const [k, v] of Object.entries(r.counts)) counts[k] = (counts[k] ?? 0) + v
    siteHash.update(r.siteSha256)
    siteBytes += r.siteBytes
  }
  const files: Record<string, FileInfo> = {}
  for (const file of PART_FILES) files[file] = concatParts(dir, file, blocks)
  rmSync(join(dir, 'parts'), {recursive: true, force: true})
  task.done(`${counts.articles} articles`)

  // A front page linking every country, so the site can also be browsed from its root.
  const site = new SiteRenderer(world)
  const countries = world.gen.layout.country
  const main: Doc = {id: 'main', title: 'Main page', path: '/wiki/Main_page.html', section: 'wiki', related: [], blocks: [
    {kind: 'p', text: `Welcome to Worldpedia, the encyclopedia of a world of ${entities} entries.`},
    {kind: 'list', heading: 'Countries', items: Array.from({length: countries.count}, (_, k) => ({text: world.entity(countries.start + k).name, target: countries.start + k}))},
  ]}
  const mainHtml = site.render(main)
  writeFileSync(join(dir, 'site', main.path), mainHtml)
  siteHash.update(main.path).update('\0').update(mainHtml)

  const total = options.questions ?? Math.max(200, Math.min(20_000, Math.round(entities * 0.8)))
  const qtask = new ProgressTask(options.onProgress, 'questions', total, 'questions')
  const rng = new Rng(seed).fork('questions')
  const splits = {train: new HashedFile(join(dir, 'questions/train.jsonl')), dev: new HashedFile(join(dir, 'questions/dev.jsonl')), test: new HashedFile(join(dir, 'questions/test.jsonl'))}
  const used = new Set<string>()
  let n = 0
  for (const q of generateQuestions(world, rng, {count: total})) {
    const split = n % 10 === 8 ? 'dev' : n % 10 === 9 ? 'test' : 'train'
    splits[split].write(JSON.stringify(toQuestionRecord(q, `world-${seed}-q${n}`, split, seed)) + '\n')
    used.add(q.text)
    bump(`questions_${split}`)
    bump(`hops_${q.hops}`)
    bump(`kind_${q.kind}`)
    n++
    if ((n & 255) === 0) qtask.advance(256)
  }
  qtask.advance(n & 255)
  qtask.done(`${n} questions`)
  const seedCount = options.seeds ?? Math.max(100, Math.min(10_000, Math.round(entities * 0.3)))
  const seedsFile = new HashedFile(join(dir, 'seeds.jsonl'))
  let s = 0
  for (const q of generateQuestions(world, new Rng(seed).fork('seeds'), {count: seedCount, kinds: ['attribute', 'relation'], exclude: used})) {
    seedsFile.write(JSON.stringify(toQuestionRecord(q, `world-${seed}-s${s}`, 'seed', seed)) + '\n')
    s++
  }
  counts.seeds = s
  counts.entities = entities

  Object.assign(files, {
    'questions/train.jsonl': splits.train.close(), 'questions/dev.jsonl': splits.dev.close(), 'questions/test.jsonl': splits.test.close(),
    'seeds.jsonl': seedsFile.close(),
  })
  const manifest: WorldManifest = {
    format: 'ars-world', generator_version: WORLD_GENERATOR_VERSION, ars_version: arsVersion(), seed, size: options.sizeLabel ?? String(entities), entities, url_origin: WORLD_ORIGIN,
    counts: Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b))), files,
    site: {pages: counts.articles ?? 0, sha256: siteHash.digest('hex'), bytes: siteBytes},
  }
  const m = new HashedFile(join(dir, 'world.json'))
  m.write(JSON.stringify(manifest, null, 2) + '\n')
  m.close()
  return manifest
}

/** Concatenate a file's block parts in order into its final place, hashing on the way. */
function concatParts(dir: string, file: string, blocks: number): FileInfo {
  const out = new HashedFile(join(dir, file))
  const buf = Buffer.alloc(1 << 20)
  for (let b = 0; b < blocks; b++) {
    const fd = openSync(partPath(dir, file, b), 'r')
    try {
      let n: number
      while ((n = readSync(fd, buf, 0, buf.length, null)) > 0) out.writeBytes(buf.subarray(0, n))
    } finally {
      closeSync(fd)
    }
  }
  return out.close()
}

async function writeBlocksInWorkers(world: World, dir: string, blocks: number, blockEntities: number, threads: number, onEntities: (n: number) => void): Promise<BlockResult[]> {
  const index = world.sharedIndex()
  const results: BlockResult[] = []
  let next = 0
  const workers: Worker[] = []
  try {
    await Promise.all(Array.from({length: threads}, () => new Promise<void>((resolve, reject) => {
      const worker = new Worker(new URL('./build-worker.js', import.meta.url), {workerData: {seed: world.seed, entities: world.size, dir, index, blockEntities}})
      workers.push(worker)
      const feed = (): void => {
        if (next < blocks) worker.postMessage({block: next++})
        else {
          worker.postMessage({stop: true})
          resolve()
        }
      }
      worker.on('message', (m: {progress?: number; result?: BlockResult; error?: string; code?: string}) => {
        if (m.progress !== undefined) onEntities(m.progress)
        else if (m.result) {
          results.push(m.result)
          feed()
        } else if (m.error) reject(Object.assign(new Error(m.error), {code: m.code}))
      })
      worker.on('error', reject)
      worker.on('exit', (code) => {
        if (code !== 0) reject(new Error(`world build worker exited with code ${code}`))
      })
      feed()
    })))
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
  }
  return results
}
