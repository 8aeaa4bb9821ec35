// Every example in every command's --help, every `npx ars …` line of the README's pipeline, and every command line
// in a fenced block of docs/ parses as written: each `ars` segment names a real command, and oclif's own parser
// accepts its flags and arguments (unknown flags, missing values or required flags, bad options and out-of-range
// typed numbers fail here). Paths under datasets/ that an example names must exist. A usage synopsis in docs/
// (`ars read URL… [--allow-private]`, `--engine linkedom|jsdom`) is not a command line: its flags must exist, its
// required flags must be named, and each listed value of an option flag must be one of the options.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative, sep} from 'node:path'
import {pathToFileURL} from 'node:url'
import {Parser} from '@oclif/core'
import {ROOT} from '../helpers/cli.js'

interface FlagDefinition {type?: string; char?: string; aliases?: string[]; charAliases?: string[]; required?: boolean; options?: readonly string[]}
interface CommandClass {flags?: Record<string, FlagDefinition>; args?: Record<string, unknown>; strict?: boolean; examples?: Array<string | {command: string}>}

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

/** The words after `ars` (or `npx ars`, `node bin/run.js`), or null when the segment runs something else. */
function arsWords(words: string[]): string[] | null {
  if (words[0] === 'npx') words = words.slice(1)
  if (words[0] === 'node' && /^(\.\/)?bin\/(run|dev)\.js$/.test(words[1] ?? '')) return words.slice(2)
  if (/^(\.\/)?bin\/(run|dev)\.js$/.test(words[0] ?? '')) return words.slice(1)
  return words[0] === 'ars' ? words.slice(1) : null
}

/** The command an `ars` line names (longest match, up to three words) and the words after it. */
function resolveCommand(words: string[], commands: Map<string, CommandClass>): {id: string; cmd: CommandClass; rest: string[]} | null {
  for (let n = Math.min(3, words.length); n >= 0; n--) {
    const id = words.slice(0, n).join(' ')
    const cmd = commands.get(id)
    if (cmd && (n > 0 || id === '')) {
      const rest = words.slice(n)
      if (id === '' && rest.length > 0 && !rest[0]!.startsWith('-')) return null
      return {id, cmd, rest}
    }
  }
  return null
}

function checkDatasetPaths(words: string[], where: string, problems: string[]): void {
  for (const w of words) for (const m of w.matchAll(/(?:^|[:=])(datasets\/[^\s,|\]]+)/g)) if (!existsSync(join(ROOT, m[1]!.replace(/\/$/, '')))) problems.push(`${where}: ${m[1]} does not exist`)
}

async function checkLine(line: string, where: string, commands: Map<string, CommandClass>, problems: string[]): Promise<number> {
  let checked = 0
  for (const segment of segments(line)) {
    const words = arsWords(segment)
    if (!words) continue
    const found = resolveCommand(words, commands)
    if (!found) {
      problems.push(`${where}: no command ${JSON.stringify(['ars', ...words.slice(0, 2)].join(' '))}`)
      continue
    }
    const {cmd, rest} = found
    checkDatasetPaths(rest, where, problems)
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

/** A usage line rather than a command: optional `[--flag]` groups, `NAME|FILE` alternatives, `URL…`. */
export function isSynopsis(line: string): boolean {
  const code = line.replace(/(^|\s)#.*$/, '')
  return /\[-|…|\S\|\S/.test(code)
}

/** Checks a usage synopsis against the command: flags exist, required flags are named, option values are options. */
function checkSynopsis(line: string, where: string, commands: Map<string, CommandClass>, problems: string[]): number {
  const code = line.replace(/(^|\s)#.*$/, '').replace(/\s[<>]\s*\S+/g, ' ')
  const words = arsWords(code.replace(/[[\]]/g, ' ').split(/\s+/).filter((w) => w !== '' && w !== '|'))
  if (!words) return 0
  const found = resolveCommand(words, commands)
  if (!found) {
    problems.push(`${where}: no command ${JSON.stringify(['ars', ...words.slice(0, 2)].join(' '))}`)
    return 0
  }
  const {id, cmd, rest} = found
  const flags = Object.entries(cmd.flags ?? {})
  const named = new Set<string>()
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!
    if (!word.startsWith('-') || word === '-') continue
    const [key, inline] = word.replace(/^--?/, '').split('=', 2) as [string, string | undefined]
    const entry = flags.find(([name, f]) => (word.startsWith('--') ? name === key || (f.aliases ?? []).includes(key) : f.char === key || (f.charAliases ?? []).includes(key)))
    if (!entry) {
      problems.push(`${where}: ars ${id} has no flag ${word.split('=')[0]}`)
      continue
    }
    const [name, flag] = entry
    named.add(name)
    const value = inline ?? (flag.type === 'boolean' ? undefined : rest[i + 1])
    if (flag.options && value !== undefined) {
      for (const alt of value.split('|')) if (alt !== alt.toUpperCase() && !flag.options.includes(alt)) problems.push(`${where}: ars ${id} --${name}: ${JSON.stringify(alt)} is not one of ${flag.options.join(', ')}`)
    }
  }
  for (const [name, flag] of flags) if (flag.required && !named.has(name)) problems.push(`${where}: ars ${id} synopsis lacks the required --${name}`)
  checkDatasetPaths(rest, where, problems)
  return 1
}

/** Command lines of a Markdown page's fenced blocks (not ts/json ones): `\`-continued lines joined, diagrams skipped. */
export function docCommandLines(markdown: string): Array<{line: string; lineNo: number}> {
  const out: Array<{line: string; lineNo: number}> = []
  const lines = markdown.split('\n')
  let fence: string | null = null
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!
    const open = /^\s*```(\w*)/.exec(text)
    if (open) {
      fence = fence === null ? open[1]! : null
      // A data-flow drawing names commands but holds none (`ars index corpus ──▶ index`): skip the whole block.
      if (fence !== null && /[─▶└├│]/.test(lines.slice(i + 1, lines.findIndex((l, j) => j > i && /^\s*```/.test(l))).join('\n'))) fence = 'drawing'
      continue
    }
    if (fence === null || /^(ts|js|json|jsonl|typescript|javascript|python|html|drawing)$/.test(fence)) continue
    const lineNo = i + 1
    let line = text
    while (/\\\s*$/.test(line) && i + 1 < lines.length && !/^\s*```/.test(lines[i + 1]!)) line = line.replace(/\\\s*$/, ' ') + lines[++i]!
    if (segments(line.replace(/^\s*\$ /, '')).some((s) => arsWords(s) !== null)) out.push({line: line.replace(/^\s*\$ /, ''), lineNo})
  }
  return out
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

test('every command line in docs/ parses as written (synopses: their flags exist)', async () => {
  const commands = await loadCommands()
  const problems: string[] = []
  let checked = 0
  let synopses = 0
  const pages = [join(ROOT, 'docs'), join(ROOT, 'docs', 'decisions')].flatMap((dir) => readdirSync(dir).filter((n) => n.endsWith('.md')).map((n) => join(dir, n)))
  for (const page of pages) {
    const where = relative(ROOT, page)
    for (const {line, lineNo} of docCommandLines(readFileSync(page, 'utf8'))) {
      if (isSynopsis(line)) synopses += checkSynopsis(line, `${where}:${lineNo}`, commands, problems)
      else checked += await checkLine(line, `${where}:${lineNo}`, commands, problems)
    }
  }
  assert.deepEqual(problems, [])
  console.log(`docs/: ${checked} command lines parsed, ${synopses} synopses checked`)
  assert.ok(checked >= 40 && synopses >= 5, `docs/ examples were checked (${checked} command lines, ${synopses} synopses)`)
})

test('docs/ command lines: continuations joined, drawings and code blocks skipped, synopses told apart', () => {
  const page = ['text `ars nope` in prose', '```', 'ars eval --bench x \\', '  --model m  # note', '$ node bin/run.js search -q x', '```', '```ts', 'ars fake', '```', '```', 'ars index c ──▶ i', '                ars serve web', '```'].join('\n')
  assert.deepEqual(docCommandLines(page), [{line: 'ars eval --bench x    --model m  # note', lineNo: 3}, {line: 'node bin/run.js search -q x', lineNo: 5}])
  assert.equal(isSynopsis('ars read URL… [--allow-private]'), true)
  assert.equal(isSynopsis('ars model init --tokenizer tok|byte'), true)
  assert.equal(isSynopsis('ars read --as-corpus | ars index c.jsonl --out i/  # [x] a|b'), false)
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
