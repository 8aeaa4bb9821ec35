// Spawns the real bin/run.js (compiled dist/) the way a user's shell would, for golden CLI tests.
import {spawn, type ChildProcess} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {dirname, join} from 'node:path'

/** Repository root (dist/test/helpers → ../../..). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const BIN = join(ROOT, 'bin', 'run.js')

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  input?: string | Buffer
  env?: NodeJS.ProcessEnv
  cwd?: string
  timeoutMs?: number
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: {...process.env, ARS_CONFIG: '', ...options.env},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => err.push(d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8')})
    })
    child.stdin.on('error', () => {}) // the command may exit before reading all input
    if (options.input !== undefined) child.stdin.end(options.input)
    else child.stdin.end()
  })
}

/** Parse stdout as JSONL. */
export function lines(stdout: string): unknown[] {
  return stdout.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as unknown)
}

/** Runs a shell pipeline with bash (pipefail off: we read each exit code via PIPESTATUS). */
export function runShell(script: string, options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {cwd: options.cwd ?? ROOT, env: {...process.env, ARS: `${process.execPath} ${BIN}`, ...options.env}})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => err.push(d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8')})
    })
    child.stdin.end(options.input ?? '')
  })
}

/**
 * The address a spawned `ars serve …` prints on stderr: resolves with the first capture group of `pattern` once it
 * appears, rejects with everything it printed if the process exits first.
 */
export function waitForServerUrl(child: ChildProcess, pattern: RegExp = /at (http:\/\/\S+\/v1)/): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let err = ''
    child.stderr!.on('data', (d: Buffer | string) => {
      err += d.toString()
      const m = pattern.exec(err)
      if (m) resolve(m[1] as string)
    })
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before printing its address: ${err}`)))
  })
}
