// Every example in every command's --help, and every `npx ars …` line of the README's pipeline, parses as written:
// each `ars` segment names a real command, and oclif's own parser accepts its flags and arguments (unknown flags,
// missing values, bad options fail here). Paths under datasets/ that an example names must exist.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative, sep} from 'node:path'
import {pathToFileURL} from 'node:url'
import {Parser} from '@oclif/core'
import {ROOT} from '../helpers/cli.js'

interface CommandClass {flags?: Record<string, unknown>; args?: Record<string, unknown>; strict?: boolean; examples?: Array<string | {command: string}>}

function commandFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name.startsWith('_') ? [] : commandFiles(path)
    return name.endsWith('.js') && !name.startsWith('_') ? [path] : []
  })
}

async function loadCommands(): Promise<Map<string, CommandClass>> {
  const dir = join(ROOT, 'dist', 'commands')
  const out = new Map<string, CommandClass>()
  for (const file of commandFiles(dir)) {
    const parts = relative(dir, file).replace(/\.js$/, '').split(sep)
    // commands/eval/index.ts is `ars eval`; commands/index/index.ts is `ars index`.
    if (parts.length > 1 && parts.at(-1) === 'index') parts.pop()
    const id = parts.join(' ')
    out.set(id, (await import(pathToFileURL(file).href)).default as CommandClass)
  }
  return out
}

/** Shell words of one command line, split into the segments between | && ; & (redirections dropped). */
export function segments(line: string): string[][] {
  const out: string[][] = [[]]
  let word = ''
  let quote: string | null = null
  let inWord = false
  let skipNext = false
  const push = (): void => {
    if (inWord) (skipNext ? (skipNext = false) : out[out.length - 1]!.push(word))
    word = ''
    inWord = false
  }
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quote) {
      if (c === quote) quote = null
      else word += c
      continue
    }
    if (c === "'" || c === '"') {
      quote = c
      inWord = true
    } else if (c === '#' && !inWord) break
    else if (/\s/.test(c)) push()
    else if (c === '|' || c === ';' || (c === '&' && line[i - 1] !== '>' && line[i + 1] !== '>')) {
      push()
      if ((c === '&' && line[i + 1] === '&') || (c === '|' && line[i + 1] === '|')) i++
      out.push([])
    } else if ((c === '>' || c === '<') && (!inWord || /^\d$/.test(word))) {
      if (/^\d$/.test(word)) {
        word = ''
        inWord = false
      }
      push()
      skipNext = true
      if (line[i + 1] === '>') i++
    } else {
      word += c
      inWord = true
    }
  }
  push()
  return out.filter((s) => s.length > 0)
}

async function checkLine(line: string, where: string, commands: Map<string, CommandClass>, problems: string[]): Promise<number> {
  let checked = 0
  for (let words of segments(line)) {
    if (words[0] === 'npx') words = words.slice(1)
    if (words[0] !== 'ars') continue
    let id = ''
    let rest = words.slice(1)
    for (let n = Math.min(3, rest.length); n >= 0; n--) {
      const candidate = rest.slice(0, n).join(' ')
      if (commands.has(candidate) && (n > 0 || candidate === '')) {
        id = candidate
        rest = rest.slice(n)
        break
      }
    }
    const cmd = commands.get(id)
    if (!cmd || (id === '' && rest.length > 0 && !rest[0]!.startsWith('-'))) {
      problems.push(`${where}: no command ${JSON.stringify(words.slice(0, 3).join(' '))}`)
      continue
    }
    for (const w of rest) for (const m of w.matchAll(/(?:^|[:=])(datasets\/[^\s,]+)/g)) if (!existsSync(join(ROOT, m[1]!.replace(/\/$/, '')))) problems.push(`${where}: ${m[1]} does not exist`)
    try {
      // Shell variables ($W, $P) stand for paths: parse them as the words they name.
      await Parser.parse(rest.map((w) => w.replace(/\$(\w+)/g, '$1')), {flags: (cmd.flags ?? {}) as never, args: (cmd.args ?? {}) as never, strict: cmd.strict ?? true, context: undefined as never})
      checked++
    } catch (error) {
      problems.push(`${where}: ${JSON.stringify(line)}: ${(error as Error).message.replace(/\s+/g, ' ').slice(0, 300)}`)
    }
  }
  return checked
}

test('every --help example and the README pipeline parse as written', async () => {
  const commands = await loadCommands()
  assert.ok(commands.size > 20, 'the commands were loaded')
  const problems: string[] = []
  let checked = 0
  for (const [id, cmd] of commands) {
    for (const example of cmd.examples ?? []) {
      const text = (typeof example === 'string' ? example : example.command).replace(/<%= config\.bin %>/g, 'ars').replace(/<%= command\.id %>/g, id)
      for (const line of text.split('\n')) checked += await checkLine(line.replace(/^\$ /, ''), `ars ${id} --help`, commands, problems)
    }
  }
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  for (const block of readme.matchAll(/```sh\n([\s\S]*?)```/g)) for (const line of block[1]!.split('\n')) checked += await checkLine(line, 'README.md', commands, problems)
  assert.deepEqual(problems, [])
  assert.ok(checked > 40, `examples were checked (${checked})`)
})

test('the example parser splits pipelines and drops redirections', () => {
  assert.deepEqual(segments(`jq -R '{url: .}' u.txt | ars read --as-corpus > c.jsonl && ars index c.jsonl --out i/  # note`), [['jq', '-R', '{url: .}', 'u.txt'], ['ars', 'read', '--as-corpus'], ['ars', 'index', 'c.jsonl', '--out', 'i/']])
  assert.deepEqual(segments('ars eval --bench x < in.jsonl 2> err.txt'), [['ars', 'eval', '--bench', 'x']])
  // A command sent to the background ends there: the next one is its own segment.
  assert.deepEqual(segments('ars serve model --port 1 & ars train --steps 2'), [['ars', 'serve', 'model', '--port', '1'], ['ars', 'train', '--steps', '2']])
})

test('one name per idea: --allow-private and --out everywhere, the old names still parse', async () => {
  const commands = await loadCommands()
  for (const id of ['read', 'rollout', 'eval', 'synthesize', 'train']) assert.ok('allow-private' in (commands.get(id)!.flags ?? {}), `${id} --allow-private`)
  for (const id of ['rollout', 'eval', 'synthesize', 'world facts']) assert.ok('out' in (commands.get(id)!.flags ?? {}), `${id} --out`)
  const rollout = commands.get('rollout')!
  const old = await Parser.parse(['--model', 'm', '--search', 's', '--read-allow-private'], {flags: rollout.flags as never, args: (rollout.args ?? {}) as never, strict: true, context: undefined as never})
  assert.equal((old.flags as Record<string, unknown>)['allow-private'], true)
  const synth = commands.get('synthesize')!
  const output = await Parser.parse(['--world', 'w', '--output', 'x.jsonl'], {flags: synth.flags as never, args: (synth.args ?? {}) as never, strict: true, context: undefined as never})
  assert.equal((output.flags as Record<string, unknown>).out, 'x.jsonl')
})
