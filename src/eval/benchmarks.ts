// The benchmark registry: what each benchmark is, the file formats it ships in, the metric its authors report,
// and where a public copy lives. `loadBenchmark` resolves `--bench NAME|FILE [--data PATH]` to questions.
import {fileURLToPath} from 'node:url'
import {existsSync, readdirSync, statSync} from 'node:fs'
import {basename, join} from 'node:path'
import {UsageError} from '../core/index.js'
import {loadBenchFile, worldSplitPath, type LoadedFile} from './bench-formats.js'
import {isWorldDir} from '../core/index.js'

export type BenchKind = 'single-hop' | 'multi-hop' | 'deep-search' | 'world'

export interface BenchDownload {
  /** File name written under --out. */
  file: string
  url: string
  /** Hex SHA-256 of the file when known; checked after download. */
  sha256?: string
  split: string
}

export interface Benchmark {
  readonly name: string
  readonly title: string
  readonly kind: BenchKind
  /** The metric its authors (or the seeds' papers) report; the first metric of the table. */
  readonly defaultMetric: string
  /** Every metric computed on each row. */
  readonly metrics: readonly string[]
  /** Formats accepted: the original release first, then copies. */
  readonly formats: readonly string[]
  readonly defaultSplit: string
  readonly downloads: readonly BenchDownload[]
  readonly citation: string
  /** Hops when the release does not say (Bamboogle is 2-hop throughout). */
  readonly hops?: number
}

const QA_METRICS = ['em', 'f1', 'cover_em'] as const
const DEEP_METRICS = ['gaia', 'em', 'f1', 'cover_em'] as const
const HF = 'https://huggingface.co/datasets'
const FLASHRAG = `${HF}/RUC-NLPIR/FlashRAG_datasets/resolve/main`

function b(entry: Benchmark): Benchmark {
  return Object.freeze(entry)
}

export const BENCHMARKS: readonly Benchmark[] = [
  b({name: 'nq', title: 'Natural Questions (open)', kind: 'single-hop', defaultMetric: 'em', metrics: QA_METRICS, formats: ['nq-open', 'flashrag', 'verl'], defaultSplit: 'test', citation: 'Kwiatkowski et al. 2019; Lee et al. 2019 (NQ-open)', downloads: [
    {file: 'NQ-open.dev.jsonl', split: 'dev', url: 'https://raw.githubusercontent.com/google-research-datasets/natural-questions/master/nq_open/NQ-open.dev.jsonl'},
    {file: 'nq-test.jsonl', split: 'test', url: `${FLASHRAG}/nq/test.jsonl`},
  ]}),
  b({name: 'triviaqa', title: 'TriviaQA', kind: 'single-hop', defaultMetric: 'em', metrics: QA_METRICS, formats: ['triviaqa', 'flashrag', 'verl'], defaultSplit: 'test', citation: 'Joshi et al. 2017', downloads: [
    {file: 'triviaqa-test.jsonl', split: 'test', url: `${FLASHRAG}/triviaqa/test.jsonl`},
  ]}),
  b({name: 'popqa', title: 'PopQA', kind: 'single-hop', defaultMetric: 'em', metrics: QA_METRICS, formats: ['popqa', 'flashrag', 'verl'], defaultSplit: 'test', citation: 'Mallen et al. 2023', downloads: [
    {file: 'popQA.tsv', split: 'test', url: 'https://raw.githubusercontent.com/AlexTMallen/adaptive-retrieval/main/data/popQA.tsv'},
  ]}),
  b({name: 'hotpotqa', title: 'HotpotQA (distractor dev)', kind: 'multi-hop', defaultMetric: 'em', metrics: QA_METRICS, formats: ['hotpotqa', 'flashrag', 'verl'], defaultSplit: 'dev', hops: 2, citation: 'Yang et al. 2018', downloads: [
    {file: 'hotpot_dev_distractor_v1.json', split: 'dev', url: 'http://curtis.ml.cmu.edu/datasets/hotpot/hotpot_dev_distractor_v1.json'},
  ]}),
  b({name: '2wiki', title: '2WikiMultiHopQA', kind: 'multi-hop', defaultMetric: 'em', metrics: QA_METRICS, formats: ['2wiki', 'flashrag', 'verl'], defaultSplit: 'dev', citation: 'Ho et al. 2020', downloads: [
    {file: '2wiki-dev.jsonl', split: 'dev', url: `${FLASHRAG}/2wikimultihopqa/dev.jsonl`},
  ]}),
  b({name: 'musique', title: 'MuSiQue-Ans', kind: 'multi-hop', defaultMetric: 'em', metrics: QA_METRICS, formats: ['musique', 'flashrag', 'verl'], defaultSplit: 'dev', citation: 'Trivedi et al. 2022', downloads: [
    {file: 'musique-dev.jsonl', split: 'dev', url: `${FLASHRAG}/musique/dev.jsonl`},
  ]}),
  b({name: 'bamboogle', title: 'Bamboogle', kind: 'multi-hop', defaultMetric: 'em', metrics: QA_METRICS, formats: ['bamboogle', 'flashrag', 'verl'], defaultSplit: 'test', hops: 2, citation: 'Press et al. 2023', downloads: [
    {file: 'bamboogle-test.jsonl', split: 'test', url: `${FLASHRAG}/bamboogle/test.jsonl`},
  ]}),
  b({name: 'frames', title: 'FRAMES', kind: 'deep-search', defaultMetric: 'judge', metrics: ['em', 'f1', 'cover_em'], formats: ['frames', 'flashrag', 'verl'], defaultSplit: 'test', citation: 'Krishna et al. 2024', downloads: [
    {file: 'frames-test.tsv', split: 'test', url: `${HF}/google/frames-benchmark/resolve/main/test.tsv`},
  ]}),
  b({name: 'gaia', title: 'GAIA (text, and attachments with --attachments)', kind: 'deep-search', defaultMetric: 'gaia', metrics: DEEP_METRICS, formats: ['gaia', 'flashrag', 'verl'], defaultSplit: 'validation', citation: 'Mialon et al. 2023', downloads: [
    // Gated on the Hub: needs an access token in HF_TOKEN; the metadata file is all ars reads.
    {file: 'metadata.jsonl', split: 'validation', url: `${HF}/gaia-benchmark/GAIA/resolve/main/2023/validation/metadata.jsonl`},
  ]}),
  b({name: 'xbench-deepsearch', title: 'xBench-DeepSearch', kind: 'deep-search', defaultMetric: 'judge', metrics: DEEP_METRICS, formats: ['xbench', 'flashrag', 'verl'], defaultSplit: 'test', citation: 'xbench team 2025', downloads: [
    {file: 'DeepSearch.csv', split: 'test', url: `${HF}/xbench/DeepSearch/resolve/main/data/DeepSearch-2505.csv`},
  ]}),
  b({name: 'browsecomp', title: 'BrowseComp', kind: 'deep-search', defaultMetric: 'judge', metrics: DEEP_METRICS, formats: ['browsecomp', 'flashrag', 'verl'], defaultSplit: 'test', citation: 'Wei et al. 2025', downloads: [
    {file: 'browse_comp_test_set.csv', split: 'test', url: 'https://openaipublic.blob.core.windows.net/simple-evals/browse_comp_test_set.csv'},
  ]}),
  ...(['train', 'dev', 'test'] as const).map((split) =>
    b({name: `world-${split}`, title: `Embedded world (${split})`, kind: 'world', defaultMetric: 'em', metrics: QA_METRICS, formats: ['ars', 'qa', 'flashrag'], defaultSplit: split, citation: 'ars world build', downloads: []}),
  ),
]

export const DEFAULT_WORLD_DIR = 'datasets/world-small'

/** The default world: `datasets/world-small` under the working directory, else the one shipped with ars. */
export function defaultWorldDir(): string {
  if (isWorldDir(DEFAULT_WORLD_DIR)) return DEFAULT_WORLD_DIR
  return fileURLToPath(new URL('../../../datasets/world-small', import.meta.url))
}

export function findBenchmark(name: string): Benchmark | undefined {
  const key = name.trim().toLowerCase()
  const alias: Record<string, string> = {'2wikimultihopqa': '2wiki', xbench: 'xbench-deepsearch', hotpot: 'hotpotqa', 'nq-open': 'nq'}
  return BENCHMARKS.find((x) => x.name === (alias[key] ?? key))
}

export function getBenchmark(name: string): Benchmark {
  const found = findBenchmark(name)
  if (!found) throw new UsageError(`unknown benchmark ${JSON.stringify(name)}`, {code: 'bench', fix: `Use one of: ${BENCHMARKS.map((x) => x.name).join(', ')}, or pass a file path.`})
  return found
}

export interface ResolveOptions {
  /** --data: a file, or a directory holding the benchmark's downloaded files. */
  data?: string
  /** --world: the world directory for world-* splits. */
  worldDir?: string
  format?: string
  split?: string
  /** --attachments: folder of attached files; GAIA keeps the questions whose file the file tool reads. */
  attachments?: string
}

export interface LoadedBenchmark extends LoadedFile {
  /** The benchmark's name; for a file mixing benchmarks, their names joined with "+". */
  benchmark: string
  /** Every benchmark of the questions (each question's `source`), in first-seen order. */
  benchmarks: string[]
  /** The file mixes benchmarks (per-row data_source): results carry each question's own benchmark. */
  mixed: boolean
  split: string
  /** The registry entry, when --bench named one (or the file is one known benchmark). */
  entry?: Benchmark
  /** The registry entries of a mixed file's benchmarks that ars knows. */
  entries: Benchmark[]
}

/** A data_source as the registry names it ("2wikimultihopqa" → "2wiki"); unknown names stay as they are. */
export function benchmarkName(source: string): string {
  return findBenchmark(source)?.name ?? source
}

function distinct(items: readonly string[]): string[] {
  return [...new Set(items)]
}

/** Formats whose rows name their own benchmark (`data_source`), so one file can hold several. */
const PER_ROW_SOURCE = new Set(['flashrag', 'verl'])

function rowBenchmarks(loaded: LoadedFile): string[] {
  return PER_ROW_SOURCE.has(loaded.format) ? distinct(loaded.questions.map((q) => benchmarkName(q.source)).filter((x) => x !== '')) : []
}

function isFileSpec(spec: string): boolean {
  return /[\\/]/.test(spec) || /\.(jsonl|json|csv|tsv|parquet)(\.gz)?$/i.test(spec)
}

/** Find the file for a benchmark inside a directory: a download's file name for the split, else the only candidate. */
function fileInDir(dir: string, entry: Benchmark, split: string): string {
  for (const d of entry.downloads) if (d.split === split && existsSync(join(dir, d.file))) return join(dir, d.file)
  for (const d of entry.downloads) if (existsSync(join(dir, d.file))) return join(dir, d.file)
  const files = readdirSync(dir).filter((f) => /\.(jsonl|json|csv|tsv|parquet)(\.gz)?$/i.test(f))
  const bySplit = files.filter((f) => f.toLowerCase().includes(split))
  const pick = bySplit.length === 1 ? bySplit[0] : files.length === 1 ? files[0] : undefined
  if (!pick) throw new UsageError(`${dir}: cannot tell which file holds ${entry.name} (${split}): found ${files.length === 0 ? 'no benchmark files' : files.join(', ')}`, {code: 'bench-data', fix: 'Pass --data with the file itself.'})
  return join(dir, pick)
}

/** `--bench NAME|FILE` (+ `--data`) → questions with benchmark name and split. */
export async function loadBenchmark(spec: string, options: ResolveOptions = {}): Promise<LoadedBenchmark> {
  const entry = findBenchmark(spec)
  if (!entry) {
    if (!isFileSpec(spec) && !existsSync(spec)) getBenchmark(spec)
    // A bare file: the format (an original release) or the rows' source (a FlashRAG/verl data_source) names
    // the benchmark, so its metrics apply; otherwise the file's name is the benchmark's.
    const loaded = await loadBenchFile(spec, {source: '', ...(options.format ? {format: options.format} : {}), ...(options.attachments ? {attachments: options.attachments} : {})})
    const first = loaded.questions[0]
    const sources = rowBenchmarks(loaded)
    if (sources.length > 1) {
      // One file, several benchmarks (Search-R1's test.parquet): each row keeps its own, with its own hops.
      const entries = sources.map(findBenchmark).filter((x): x is Benchmark => x !== undefined)
      const questions = loaded.questions.map((q) => {
        const entry = findBenchmark(q.source)
        return {...q, source: benchmarkName(q.source), ...(q.hops === undefined && entry?.hops !== undefined ? {hops: entry.hops} : {})}
      })
      const split = options.split ?? first?.split ?? ''
      return {...loaded, questions, benchmark: sources.join('+'), benchmarks: sources, mixed: true, split, entries}
    }
    const worldSplit = first?.source === 'world' && first.split ? `world-${first.split}` : undefined
    const guessed = BENCHMARKS.find((x) => x.kind !== 'world' && x.formats[0] === loaded.format) ?? (first ? findBenchmark(worldSplit ?? first.source) : undefined)
    const name = guessed?.name ?? (first?.source || basename(spec).replace(/\.(jsonl|json|csv|tsv|parquet)(\.gz)?$/i, ''))
    const questions = loaded.questions.map((q) => ({...q, source: q.source || name, ...(q.hops === undefined && guessed?.hops !== undefined ? {hops: guessed.hops} : {})}))
    const split = options.split ?? loaded.questions[0]?.split ?? guessed?.defaultSplit ?? ''
    return {...loaded, questions, benchmark: name, benchmarks: [name], mixed: false, split, ...(guessed ? {entry: guessed} : {}), entries: guessed ? [guessed] : []}
  }
  const split = options.split ?? entry.defaultSplit
  let path: string
  if (entry.kind === 'world') {
    path = options.data && !statSafe(options.data)?.isDirectory() ? options.data : worldSplitPath(options.data ?? options.worldDir ?? defaultWorldDir(), split)
    if (!existsSync(path)) throw new UsageError(`${path}: no such file`, {code: 'input-missing', fix: 'Build the world with `ars world build --out DIR` and pass --world DIR (default datasets/world-small).'})
  } else {
    if (!options.data) throw new UsageError(`--bench ${entry.name} needs --data PATH (a ${entry.formats.join(' / ')} file or a download directory)`, {code: 'bench-data', fix: `Fetch it with \`ars eval download ${entry.name} --out data/${entry.name}\` and pass --data data/${entry.name}.`})
    const stat = statSafe(options.data)
    if (!stat) throw new UsageError(`${options.data}: no such file or directory`, {code: 'input-missing', fix: `Check --data, or run \`ars eval download ${entry.name} --out DIR\`.`})
    path = stat.isDirectory() ? fileInDir(options.data, entry, split) : options.data
  }
  const loaded = await loadBenchFile(path, {source: entry.name, formats: entry.formats, ...(options.format ? {format: options.format} : {}), ...(options.attachments ? {attachments: options.attachments} : {})})
  let kept = loaded.questions
  const sources = rowBenchmarks(loaded)
  if (sources.length > 1) {
    // `--bench NAME` on a file that mixes benchmarks: that benchmark's rows.
    kept = loaded.questions.filter((q) => benchmarkName(q.source) === entry.name)
    if (kept.length === 0) throw new UsageError(`${path} mixes benchmarks (${sources.join(', ')}), none of them ${entry.name}`, {code: 'bench-data', fix: `Pass --bench with one of ${sources.join(', ')}, or --bench ${path} to evaluate them all (one table line each).`})
    loaded.skipped[`other benchmarks in the file (${sources.filter((x) => x !== entry.name).join(', ')})`] = loaded.questions.length - kept.length
  }
  const own = PER_ROW_SOURCE.has(loaded.format)
  const questions = kept.map((q) => ({...q, ...(own ? {source: entry.name} : {}), ...(q.hops === undefined && entry.hops !== undefined ? {hops: entry.hops} : {})}))
  const noAnswer = questions.filter((q) => q.answers.length === 0).length
  return {...loaded, questions, noAnswer, benchmark: entry.name, benchmarks: [entry.name], mixed: false, split, entry, entries: [entry]}
}

function statSafe(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}
