// `ars demo`: the whole loop on the embedded default, run as the very ars commands a user would chain — each
// stage is a child process of bin/run.js with files for stdin/stdout, printed as the shell line it equals, so the
// demo doubles as a runnable tutorial. A stage's outputs are written under a temporary name and renamed when the
// stage succeeds; a re-run skips stages already complete, so a killed demo resumes where it stopped.
import {spawn} from 'node:child_process'
import {createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {UsageError} from '../core/index.js'

/** bin/run.js of this installation (dist/src/demo → ../../../bin). */
export const ARS_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'run.js')

export interface DemoStage {
  name: string
  /** One line on what the stage does and why. */
  about: string
  /** Arguments after `ars`. Paths are as given (relative to the working directory). */
  args: string[]
  /** File given to the command on stdin. */
  stdin?: string
  /** File receiving the command's stdout (written as `FILE.partial`, renamed on success). */
  stdout?: string
  /** Files or folders the command writes itself; the stage is complete when all exist (and the marker). */
  outputs: string[]
  /** The command takes -q (quiet runs pass it). */
  quietable?: boolean
  /** Prepared in-process before the command runs (e.g. the first N seeds)… */
  prepare?: () => Promise<void>
  /** …and the shell lines that do the same, printed before the command. */
  prepareShell?: string[]
}

export interface DemoRunOptions {
  /** Folder holding the stage markers (`.stages/NAME.done`). */
  out: string
  /** Write progress and the shell lines here (stderr). */
  log: (line: string) => void
  /** Let children draw their progress bars (quiet: pass -q). */
  quiet: boolean
  /** Only print the commands. */
  dryRun?: boolean
  signal?: AbortSignal
}

export interface StageResult {
  name: string
  skipped: boolean
  seconds: number
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}

/** The shell line a user would type for this stage. */
export function shellLine(stage: DemoStage): string {
  let line = ['ars', ...stage.args].map(quote).join(' ')
  if (stage.stdin) line += ` < ${quote(stage.stdin)}`
  if (stage.stdout) line += ` > ${quote(stage.stdout)}`
  return line
}

function markerPath(out: string, stage: DemoStage): string {
  return join(out, '.stages', `${stage.name}.done`)
}

export function stageComplete(out: string, stage: DemoStage): boolean {
  return existsSync(markerPath(out, stage)) && [...stage.outputs, ...(stage.stdout ? [stage.stdout] : [])].every((p) => existsSync(p))
}

function runChild(stage: DemoStage, quiet: boolean, signal?: AbortSignal): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const args = [ARS_BIN, ...stage.args, ...(quiet && stage.quietable ? ['-q'] : [])]
    const partial = stage.stdout ? `${stage.stdout}.partial` : undefined
    const child = spawn(process.execPath, args, {stdio: [stage.stdin ? 'pipe' : 'ignore', partial ? 'pipe' : 'ignore', 'inherit'], signal})
    if (stage.stdin) {
      const input = createReadStream(stage.stdin)
      input.on('error', reject)
      input.pipe(child.stdin!)
      child.stdin!.on('error', () => {}) // the child may stop reading early (EPIPE) — its exit code tells
    }
    let output: ReturnType<typeof createWriteStream> | undefined
    const outputDone = new Promise<void>((res, rej) => {
      if (!partial) return res()
      output = createWriteStream(partial)
      output.on('error', rej)
      output.on('finish', res)
      child.stdout!.pipe(output)
    })
    child.on('error', reject)
    child.on('close', (code, sig) => {
      outputDone.then(() => {
        if (code === 0) {
          if (partial) renameSync(partial, stage.stdout!)
          resolvePromise()
        } else {
          const how = sig ? `was stopped by ${sig}` : `exited with ${code}`
          reject(Object.assign(new Error(`stage ${stage.name} ${how}: ${shellLine(stage)}`), {exitCode: code ?? 1, stage: stage.name}))
        }
      }, reject)
    })
  })
}

/** Runs the stages in order, skipping complete ones; a failed stage stops the demo with its command line. */
export async function runStages(stages: readonly DemoStage[], options: DemoRunOptions): Promise<StageResult[]> {
  mkdirSync(join(options.out, '.stages'), {recursive: true})
  const results: StageResult[] = []
  for (const [i, stage] of stages.entries()) {
    const head = `[${i + 1}/${stages.length}] ${stage.name}: ${stage.about}`
    if (!options.dryRun && stageComplete(options.out, stage)) {
      options.log(`${head} (done, skipped)`)
      results.push({name: stage.name, skipped: true, seconds: 0})
      continue
    }
    options.log(head)
    for (const line of stage.prepareShell ?? []) options.log(`  $ ${line}`)
    options.log(`  $ ${shellLine(stage)}`)
    if (options.dryRun) continue
    const started = performance.now()
    await stage.prepare?.()
    await runChild(stage, options.quiet, options.signal)
    writeFileSync(markerPath(options.out, stage), `${new Date().toISOString()}\n`)
    const seconds = (performance.now() - started) / 1000
    options.log(`  done in ${seconds.toFixed(1)} s`)
    results.push({name: stage.name, skipped: false, seconds})
  }
  return results
}

/** Clears an output folder for `--force`, refusing to clear anything that is not a previous demo. */
export function clearDemoFolder(out: string): void {
  if (!existsSync(out)) return
  if (!existsSync(join(out, '.stages'))) {
    throw new UsageError(`${out} exists and is not an ars demo folder (no .stages/ inside)`, {code: 'flag', fix: 'Pick another --out, or remove the folder yourself.'})
  }
  rmSync(out, {recursive: true, force: true})
}

/** Relative path for printing (commands run from the user's working directory). */
export function shown(path: string): string {
  const r = relative(process.cwd(), path)
  return r === '' ? '.' : r.startsWith('..') ? path : r
}
