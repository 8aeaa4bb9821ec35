// Hostile pages (test/helpers/hostile-inputs.ts) served by a real HTTP server, read by `ars read` (the real
// bin/run.js, one process per page) and by the agent's access tool (resolveAgentTools' reader, inside a real
// episode). Each page must give a page or a clear error within the budget, and the episode must go on.
// `isolatedHostilePages` runs it all inside a fresh network namespace (`unshare -n`: only a loopback interface, so
// nothing a hostile page points at can be reached); where that is not possible it says so and uses loopback here.
// Run as a script (`node hostile-pages.js --json`) it prints the rows as JSON: that is how the namespace runs it.
import {spawn, spawnSync} from 'node:child_process'
import http from 'node:http'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {networkInterfaces, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {InvalidPolicy} from '../../src/core/jsonl.js'
import {buildIndex, readCorpus} from '../../src/search/bm25/build-index.js'
import {resolveAgentTools} from '../../src/agent/resolve-tools.js'
import {runEpisode} from '../../src/agent/loop.js'
import {ScriptedModel} from '../../src/llm/scripted.js'
import type {Question} from '../../src/core/records/index.js'
import {hostilePages} from '../helpers/hostile-inputs.js'
import {startServer} from '../helpers/http-server.js'
import {BIN, lines, ROOT} from '../helpers/cli.js'
import {row, type Row} from './row.js'

const STACK = /\n\s+at .*\(|RangeError|TypeError|ReferenceError/
const FINE = '<html><head><title>Mills</title></head><body><article><p>The old mills stand by the river.</p></article></body></html>'

interface ReadRun {
  code: number | null
  stdout: string
  stderr: string
  /** Wall time of the whole process, start-up included. */
  ms: number
  /** The read as the command timed it (its `read: done, N pages in Xs` line), undefined without that line. */
  readMs: number | undefined
  /** From that line to the process's exit (closing the extraction workers, flushing). */
  exitMs: number | undefined
  timedOut: boolean
}

/**
 * One `ars read` process. Start-up is not the page's doing: under `nice` on a loaded machine it alone took 7–9 s
 * (0.4 s of CPU), so the budget is checked on the command's own timing of the read, and the exit after it.
 */
function runRead(url: string, budgetMs: number, limitMs: number): Promise<ReadRun> {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, [BIN, 'read', url, '--allow-private', '--timeout', String(budgetMs)], {cwd: ROOT, env: {...process.env, ARS_CONFIG: ''}, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    let timedOut = false
    let doneAt: number | undefined
    let readMs: number | undefined
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      const m = /read: done, \d+ pages? in ([\d.]+)s/.exec(stderr)
      if (m && doneAt === undefined) {
        doneAt = Date.now()
        readMs = Number(m[1]) * 1000
      }
    })
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, limitMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      const now = Date.now()
      resolve({code, stdout, stderr, ms: now - started, readMs, exitMs: doneAt === undefined ? undefined : now - doneAt, timedOut})
    })
  })
}

/**
 * `ars read` and the agent's access tool on every hostile page. An `ars read` is hung when its own timing of the
 * read passes budget + slack, when it takes more than the slack to exit after it, or when the process outlives
 * budget + slack + `startupMs` (start-up on a loaded machine) in all.
 */
export async function hostilePagesProbe(budgetMs = 2500, slackMs = 2500, startupMs = 60_000): Promise<Row[]> {
  const where = `interfaces: ${Object.keys(networkInterfaces()).sort().join(', ')}`
  let slowestRead = 0
  let slowestWall = 0
  let slowestAccess = 0
  const read = row(`hostile pages: ars read (budget ${budgetMs} ms)`)
  const access = row(`hostile pages: agent access tool (budget ${budgetMs} ms)`)
  const routes = Object.fromEntries(Object.entries(hostilePages).map(([path, send]) => [path, (_q: unknown, res: http.ServerResponse) => send(res)]))
  const server = await startServer({...routes, '/fine': (_q, res) => res.writeHead(200, {'content-type': 'text/html'}).end(FINE)})
  const dir = mkdtempSync(join(tmpdir(), 'ars-campaign-pages-'))
  writeFileSync(join(dir, 'corpus.jsonl'), JSON.stringify({id: 'mills', title: 'Mills', text: 'The old mills stand by the river.', url: `${server.url}/fine`}) + '\n')
  await buildIndex(readCorpus(join(dir, 'corpus.jsonl'), new InvalidPolicy('fail')), join(dir, 'index'))
  const tools = await resolveAgentTools({search: join(dir, 'index'), readAllowPrivate: true, readTimeoutMs: budgetMs})
  try {
    for (const path of Object.keys(hostilePages)) {
      const url = `${server.url}${path}`
      // ars read: one page record (text, or error + error_code) and exit 0/1, within budget + slack + start-up.
      read.tried++
      const r = await runRead(url, budgetMs, budgetMs + slackMs + startupMs)
      slowestRead = Math.max(slowestRead, r.readMs ?? 0)
      slowestWall = Math.max(slowestWall, r.ms)
      const records = lines(r.stdout) as {url?: string; error?: string; error_code?: string; text?: string}[]
      if (r.timedOut || r.readMs === undefined || r.readMs > budgetMs + slackMs || (r.exitMs ?? 0) > slackMs) {
        read.hung++
        read.note += `${path}: read ${r.readMs ?? '?'} ms, exit after ${r.exitMs ?? '?'} ms, wall ${r.ms} ms; `
      } else if (STACK.test(r.stderr) || (r.code !== 0 && r.code !== 1) || records.length !== 1 || (records[0]!.error !== undefined && !(records[0]!.error_code && records[0]!.error.includes(url)))) {
        read.unclear++
        read.note += `${path}: exit ${r.code}, ${records.length} records, ${r.stderr.slice(-100)}; `
      } else read.handled++

      // The access tool inside an episode: the hostile page is a page or a tool error, then the episode goes on.
      access.tried++
      const question: Question = {type: 'question', version: 1, id: `hostile${path.replace(/\//g, '-')}`, question: 'What stands by the river?', answers: ['mills'], source: 'campaign', meta: {}}
      const model = new ScriptedModel([{turns: [`<access>${url}</access>`, `<access>${server.url}/fine</access>`, '<answer>mills</answer>']}])
      const started = Date.now()
      try {
        const t = await runEpisode(question, {model, tools, reward: {metric: 'em'}})
        const ms = Date.now() - started
        slowestAccess = Math.max(slowestAccess, ms)
        const [hostile, fine] = t.tool_calls
        if (ms > 2 * (budgetMs + slackMs)) {
          access.hung++
          access.note += `${path} ${ms} ms; `
        } else if (t.finish_reason !== 'answer' || !fine?.ok || !hostile || (!hostile.ok && !/^Error: access /.test(hostile.result)) || STACK.test(hostile.result)) {
          access.unclear++
          access.note += `${path}: ${t.finish_reason}, ${hostile?.result.slice(0, 80)}; `
        } else access.handled++
      } catch (error) {
        access.unclear++
        access.note += `${path}: threw ${String(error).slice(0, 80)}; `
      }
    }
  } finally {
    await tools.close()
    await server.close()
  }
  read.note = `${where}; slowest read ${(slowestRead / 1000).toFixed(1)} s (${(slowestWall / 1000).toFixed(1)} s with start-up); ${read.note}`
  access.note = `${where}; slowest episode ${(slowestAccess / 1000).toFixed(1)} s; ${access.note}`
  return [read, access]
}

/** Why a network namespace cannot be made here (undefined when `unshare -n` with loopback up works). */
export function netnsUnavailable(): string | undefined {
  if (process.env.ARS_CAMPAIGN_NO_NETNS) return 'ARS_CAMPAIGN_NO_NETNS is set'
  if (process.platform !== 'linux') return `${process.platform} has no network namespaces`
  const probe = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], {encoding: 'utf8', timeout: 10_000})
  if (probe.error) return `unshare: ${probe.error.message}`
  if (probe.status !== 0) return `unshare -n: ${(probe.stderr || `exit ${probe.status}`).trim().split('\n')[0]}`
  return undefined
}

/** hostilePagesProbe inside `unshare -n` (loopback only); falls back to loopback here with a note on stderr. */
export async function isolatedHostilePages(budgetMs = 2500): Promise<Row[]> {
  const why = netnsUnavailable()
  if (why) {
    process.stderr.write(`note: no network namespace (${why}); hostile pages are served on this machine's loopback instead\n`)
    const rows = await hostilePagesProbe(budgetMs)
    for (const r of rows) r.probe += ' [loopback]'
    return rows
  }
  const script = fileURLToPath(import.meta.url)
  const child = spawn('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec "$0" "$1" --json ${budgetMs}`, process.execPath, script], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  const last = stdout.trim().split('\n').at(-1) ?? ''
  if (code !== 0 || !last.startsWith('[')) throw new Error(`campaign: hostile pages in a network namespace failed (exit ${code}): ${stderr.slice(-500)}`)
  const rows = JSON.parse(last) as Row[]
  for (const r of rows) r.probe += ' [netns]'
  return rows
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--json') {
  const rows = await hostilePagesProbe(Number(process.argv[3] ?? 2500))
  // The reader's idle workers are unref'd, but exit explicitly once the rows are out.
  process.stdout.write(JSON.stringify(rows) + '\n', () => process.exit(0))
}
