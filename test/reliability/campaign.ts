// The standing reliability campaign: hostile inputs thrown at the real parts (JSONL boundary, SSRF guard, hostile
// pages through `ars read` and the agent's access tool inside a network namespace, rollout / synthesize / train under
// kill -9, the world web server under load), each outcome classified as handled, lost (valid work missing or
// duplicated, or a guard that let a connection through), hung (past its time bound) or unclear (an error without
// file:line, or a stack trace). `fast` is the subset `npm test` runs.
import {spawn} from 'node:child_process'
import http from 'node:http'
import {mkdtempSync, readFileSync, writeFileSync, existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {InvalidPolicy, readJsonl} from '../../src/core/jsonl.js'
import {validateRecords} from '../../src/core/record-stream.js'
import {RECORD_TYPES, parseRecord, type RecordType} from '../../src/core/records/index.js'
import {Rng} from '../../src/core/rng.js'
import {fetchPage} from '../../src/browse/fetch-page.js'
import {isReadError} from '../../src/browse/read-error.js'
import {hostileTargets, malformLine} from '../helpers/hostile-inputs.js'
import {startServer} from '../helpers/http-server.js'
import {BIN, ROOT, waitForServerUrl} from '../helpers/cli.js'
import {row, type Row} from './row.js'
import {isolatedHostilePages} from './hostile-pages.js'
import {synthesizeKills, trainKills} from './kill-resume.js'

export type {Row} from './row.js'

/** One valid record per type, checked against its schema before use. */
export function validSamples(): Map<string, string> {
  const world = join(ROOT, 'datasets/world-small')
  const question = readFileSync(join(world, 'questions/test.jsonl'), 'utf8').split('\n')[0]!
  const samples: Record<string, unknown> = {
    question: JSON.parse(question),
    synth_item: {id: 's1', seed_id: 'q1', question: 'Which river?', answers: ['Osk'], facts: [{id: 'e1:name', text: 'The river is Osk.', source: {url: 'http://world.local/wiki/Osk.html'}}], history: [], checks: {}, meta: {}},
    trajectory: {id: 'q1#0', question_id: 'q1', policy_version: 0, question: 'Which river?', answers: ['Osk'], messages: [{role: 'user', content: 'Which river?'}, {role: 'assistant', content: '<answer>Osk</answer>'}], answer: 'Osk', reward: 1, finish_reason: 'answer', stats: {turns: 1, tokens: 3, model_tokens: 3, tool_calls: 0, wall_ms: 5}, meta: {}},
    eval_result: {id: 'q1', benchmark: 'world-test', question: 'Which river?', gold: ['Osk'], prediction: 'Osk', scores: {em: 1}, meta: {}},
    train_metric: {step: 1, policy_version: 1, time_ms: 100, metrics: {loss: 0.5}, meta: {}},
    sft_example: {messages: [{role: 'user', content: 'Which river?'}, {role: 'assistant', content: 'Osk'}], meta: {}},
  }
  const out = new Map<string, string>()
  for (const type of RECORD_TYPES) {
    const sample = samples[type.type]
    if (sample === undefined) throw new Error(`campaign: no valid sample for record type ${type.type}`)
    parseRecord(type, sample, `campaign sample ${type.type}`)
    out.set(type.type, JSON.stringify(sample))
  }
  return out
}

/** `valid` lines marked with a unique id in meta (or in the question text) so each can be found in the output. */
function marked(line: string, mark: string): string {
  const v = JSON.parse(line) as Record<string, unknown>
  v.meta = {...(v.meta as object | undefined), campaign_mark: mark}
  return JSON.stringify(v)
}

/** Malformed lines per record type, interleaved with valid ones, through readJsonl + validate (in process) or `ars records validate` (cli). */
export async function malformedLines(perType: number, via: 'in-process' | 'cli', seed = 1): Promise<Row> {
  const r = row(`malformed lines (${via})`)
  const rng = new Rng(seed)
  for (const [typeName, sample] of validSamples()) {
    const type = RECORD_TYPES.find((t) => t.type === typeName) as RecordType
    const parts: Buffer[] = []
    const validMarks: string[] = []
    const badLines: number[] = []
    let lineNo = 0
    for (let i = 0; i < perType; i++) {
      const mark = `${typeName}-${i}`
      parts.push(Buffer.from(marked(sample, mark) + (i % 7 === 0 ? '\r\n' : '\n')))
      validMarks.push(mark)
      lineNo++
      const bad = malformLine(sample, rng, i)
      const bytes = typeof bad === 'string' ? Buffer.from(bad) : bad
      parts.push(Buffer.concat([bytes.filter((b) => b !== 10), Buffer.from('\n')]))
      lineNo++
      badLines.push(lineNo)
    }
    r.tried += perType * 2
    const input = Buffer.concat(parts)
    const started = Date.now()
    let out: string[] = []
    let messages: string[] = []
    let crashed = ''
    if (via === 'in-process') {
      const policy = new InvalidPolicy('warn', (m) => messages.push(m))
      try {
        for await (const rec of validateRecords<{meta?: {campaign_mark?: string}}>(readJsonl('-', {stdin: Readable.from([input]), policy}), type, policy)) out.push(rec.meta?.campaign_mark ?? '')
      } catch (error) {
        crashed = String(error)
      }
    } else {
      const result = await runBin(['records', 'validate', '--type', typeName, '--on-invalid', 'warn'], input, 60_000)
      if (result.timedOut) {
        r.hung += perType * 2
        continue
      }
      if (result.code !== 0) crashed = `exit ${result.code}: ${result.stderr.slice(-300)}`
      out = result.stdout.split('\n').filter(Boolean).flatMap((l) => {
        try {
          return [(JSON.parse(l) as {meta?: {campaign_mark?: string}}).meta?.campaign_mark ?? '']
        } catch {
          return []
        }
      })
      messages = result.stderr.split('\n').filter((l) => l.startsWith('warning: ')).map((l) => l.slice('warning: '.length))
      if (/\n\s+at .*\(|RangeError|TypeError/.test(result.stderr)) r.unclear++
    }
    if (Date.now() - started > 60_000) r.hung++
    const kept = new Set(out)
    const lost = validMarks.filter((m) => !kept.has(m)).length
    r.lost += lost
    r.handled += perType - lost
    // Each bad line: either accepted as a valid record (some mutations stay valid) or reported at its stdin:N.
    const accepted = out.length - (perType - lost)
    const reported = new Set(messages.map((m) => Number(/^stdin:(\d+): /.exec(m)?.[1])).filter((n) => n > 0))
    const clear = badLines.filter((n) => reported.has(n)).length
    r.handled += Math.min(perType, clear + accepted)
    r.unclear += Math.max(0, perType - clear - accepted)
    if (crashed) {
      r.unclear++
      r.note += `${typeName}: ${crashed.slice(0, 120)}; `
    }
  }
  return r
}

/** Every SSRF spelling, direct and as a redirect from a loopback page under --allow-private. */
export async function ssrf(): Promise<Row> {
  const r = row('SSRF address forms')
  const server = await startServer({
    '/secret': (_q, res) => res.writeHead(200, {'content-type': 'text/html'}).end('<p>secret</p>'),
    '/redirect': (request, res) => res.writeHead(302, {location: new URL(request.url!, 'http://x').searchParams.get('to')!}).end(),
  })
  try {
    for (const target of hostileTargets(server.port)) {
      for (const how of ['direct', 'redirect'] as const) {
        const sameHost = new URL(target).hostname === '127.0.0.1'
        if (how === 'redirect' && sameHost) continue // the named host itself, after URL normalisation
        r.tried++
        const before = server.hits.get('/secret') ?? 0
        const started = Date.now()
        try {
          await (how === 'direct' ? fetchPage(target, {timeoutMs: 3000}) : fetchPage(`${server.url}/redirect?to=${encodeURIComponent(target)}`, {allowPrivate: true, timeoutMs: 3000}))
          r.lost++
          r.note += `${how} ${target} was read; `
        } catch (error) {
          if (!isReadError(error)) r.unclear++
          else if ((server.hits.get('/secret') ?? 0) !== before || error.code !== 'blocked-address') {
            if (error.code === 'timeout' || Date.now() - started > 3000) r.hung++
            else r.lost++
            r.note += `${how} ${target}: ${error.code}; `
          } else r.handled++
        }
      }
    }
  } finally {
    await server.close()
  }
  return r
}

interface BinResult {
  code: number | null
  stdout: string
  stderr: string
  timedOut: boolean
}

function runBin(args: string[], input: Buffer | string, timeoutMs: number, kill?: {afterMs: number}): Promise<BinResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {cwd: ROOT, env: {...process.env, ARS_CONFIG: ''}, stdio: ['pipe', 'pipe', 'pipe']})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => err.push(d))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    const killer = kill ? setTimeout(() => child.kill('SIGKILL'), kill.afterMs) : undefined
    child.stdin.on('error', () => {})
    child.stdin.end(input)
    child.on('close', (code) => {
      clearTimeout(timer)
      if (killer) clearTimeout(killer)
      resolve({code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), timedOut})
    })
  })
}

/** `ars rollout --out F` killed with SIGKILL at random points, then `--resume` until done: every id exactly once. */
export async function rolloutKills(kills: number, seed = 7): Promise<Row> {
  const r = row(`rollout kill -9 → --resume (${kills} kills)`)
  const dir = mkdtempSync(join(tmpdir(), 'ars-campaign-'))
  const script = join(dir, 'script.jsonl')
  writeFileSync(script, JSON.stringify({turns: [{text: '<answer>Osk</answer>', delay_ms: 40}], cycle: true}) + '\n')
  const index = join(dir, 'index')
  const corpus = join(dir, 'corpus.jsonl')
  writeFileSync(corpus, JSON.stringify({id: 'osk', title: 'Osk', text: 'The river Osk.'}) + '\n')
  const built = await runBin(['index', corpus, '--out', index, '-q'], '', 60_000)
  if (built.code !== 0) throw new Error(`campaign: ars index failed: ${built.stderr}`)
  const ids = Array.from({length: 60}, (_, i) => `k${i}`)
  const questions = ids.map((id) => JSON.stringify({id, question: `Question ${id}?`, answers: ['Osk']})).join('\n') + '\n'
  const out = join(dir, 'traj.jsonl')
  const args = ['rollout', '--model', `scripted:${script}`, '--tokenizer', 'byte', '--search', index, '--max-turns', '1', '--concurrency', '4', '--out', out, '-q']
  const rng = new Rng(seed)
  for (let k = 0; k < kills; k++) {
    r.tried++
    const result = await runBin(existsSync(out) ? [...args, '--resume'] : args, questions, 60_000, {afterMs: 600 + rng.int(1200)})
    if (result.timedOut) r.hung++
    else if (result.code !== null && result.code !== 0) {
      r.unclear++
      r.note += `run ${k}: exit ${result.code} ${result.stderr.slice(0, 100)}; `
    } else r.handled++
  }
  r.tried++
  const last = await runBin(existsSync(out) ? [...args, '--resume'] : args, questions, 120_000)
  if (last.timedOut) r.hung++
  else if (last.code !== 0) r.unclear++
  const written = readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as {question_id: string}).question_id)
  const counts = new Map<string, number>()
  for (const id of written) counts.set(id, (counts.get(id) ?? 0) + 1)
  const wrong = ids.filter((id) => counts.get(id) !== 1)
  if (wrong.length > 0) {
    r.lost += wrong.length
    r.note += `ids missing or repeated: ${wrong.slice(0, 5).join(', ')}; `
  } else if (!last.timedOut && last.code === 0) r.handled++
  return r
}

/** `ars serve web` (its own process, as a user runs it) under a bounded load: every request answered within 30 s. */
export async function serverLoad(requests: number, concurrency: number): Promise<Row> {
  const r = row(`serve web load (${requests} requests, ${concurrency} at once)`)
  const world = join(ROOT, 'datasets/world-small')
  const site = readFileSync(join(world, 'corpus.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 50).map((l) => new URL((JSON.parse(l) as {url: string}).url).pathname)
  const child = spawn(process.execPath, [BIN, 'serve', 'web', '--world', world, '--port', '0'], {cwd: ROOT, env: {...process.env, ARS_CONFIG: ''}, stdio: ['ignore', 'ignore', 'pipe']})
  const latencies: number[] = []
  const errors = new Map<string, number>()
  try {
    const base = await waitForServerUrl(child, /at (http:\/\/\S+?) \(/)
    const paths = [...site, '/search?q=river&format=json', '/search?q=university+founded&format=json']
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < requests) {
        const i = next++
        r.tried++
        const started = performance.now()
        const status = await new Promise<number | string>((resolve) => {
          const req = http.get(`${base}${paths[i % paths.length]}`, {timeout: 30_000}, (res) => {
            res.resume()
            res.on('end', () => resolve(res.statusCode ?? 0))
          })
          req.on('timeout', () => {
            req.destroy()
            resolve('timeout')
          })
          req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
        })
        latencies.push(performance.now() - started)
        if (status === 'timeout') r.hung++
        else if (typeof status === 'number' && status > 0 && status < 500) r.handled++
        else {
          r.lost++
          errors.set(String(status), (errors.get(String(status)) ?? 0) + 1)
        }
      }
    }
    await Promise.all(Array.from({length: concurrency}, worker))
  } finally {
    child.kill('SIGINT')
    await new Promise((resolve) => child.once('close', resolve))
  }
  latencies.sort((a, b) => a - b)
  r.note = `p50 ${latencies[Math.floor(latencies.length * 0.5)]!.toFixed(1)} ms, p99 ${latencies[Math.floor(latencies.length * 0.99)]!.toFixed(1)} ms${errors.size ? `; errors ${[...errors].map(([k, v]) => `${k}×${v}`).join(', ')}` : ''}`
  return r
}

export async function runCampaign(mode: 'fast' | 'full' | 'load', onRow: (row: Row) => void = () => {}): Promise<Row[]> {
  const rows: Row[] = []
  const add = (value: Row): void => {
    rows.push(value)
    onRow(value)
  }
  if (mode === 'load') {
    add(await serverLoad(2000, 16))
    return rows
  }
  add(await malformedLines(mode === 'fast' ? 60 : 1000, 'in-process'))
  if (mode === 'full') add(await malformedLines(200, 'cli'))
  add(await ssrf())
  if (mode === 'full') for (const r of await isolatedHostilePages()) add(r)
  if (mode === 'full') add(await rolloutKills(8))
  if (mode === 'full') add(await synthesizeKills(8, 10))
  if (mode === 'full') add(await trainKills({mode: 'sync', kills: 6, steps: 6, temperature: 1.5}))
  if (mode === 'full') add(await trainKills({mode: 'async', kills: 6, steps: 6, temperature: 1.5}))
  if (mode === 'full') add(await trainKills({mode: 'sft', kills: 6, steps: 24}))
  if (mode === 'full') add(await serverLoad(2000, 16))
  return rows
}

export function formatTable(rows: readonly Row[]): string {
  const head = ['probe', 'tried', 'handled', 'lost', 'hung', 'unclear', 'note']
  const body = rows.map((r) => [r.probe, String(r.tried), String(r.handled), String(r.lost), String(r.hung), String(r.unclear), r.note.slice(0, 100)])
  const total = rows.reduce((t, r) => ({tried: t.tried + r.tried, handled: t.handled + r.handled, lost: t.lost + r.lost, hung: t.hung + r.hung, unclear: t.unclear + r.unclear}), {tried: 0, handled: 0, lost: 0, hung: 0, unclear: 0})
  body.push(['total', String(total.tried), String(total.handled), String(total.lost), String(total.hung), String(total.unclear), ''])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const line = (cells: string[]): string => cells.map((c, i) => (i > 0 && i < 6 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()
  return [line(head), ...body.map(line)].join('\n')
}
