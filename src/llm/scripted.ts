// `scripted:FILE`: a LanguageModel that replays scripted turns from a JSONL file, for tests and benchmarks.
// Given a tokenizer it works on token ids and returns deterministic log-probs, so loss-mask tests are real.
import {readFileSync} from 'node:fs'
import {setTimeout as sleep} from 'node:timers/promises'
import {DataError, UsageError} from '../core/index.js'
import {cutAtStop} from './stop.js'
import type {GenerateInput, GenerateResult, LanguageModel, SamplingOptions, TextTokenizer} from './language-model.js'

/** One scripted reply. A bare string in the file is `{text}`. */
export interface ScriptedTurn {
  text: string
  /** Wait this long before replying (honours the abort signal). */
  delay_ms?: number
  /** Throw this error instead of replying (simulates a failing backend). */
  error?: string
  /** Log-prob of each token (default: a deterministic function of the token id). */
  logprobs?: number[]
  policy_version?: number
}

export interface Script {
  /** Substring (or `/regex/flags`) the prompt must contain; scripts without one match every prompt. */
  match?: string
  turns: Array<ScriptedTurn | string>
  /** After the last turn start again from the first (default false: repeat the last turn). */
  cycle?: boolean
}

export interface ScriptedModelOptions {
  /** Work on token ids with this tokenizer (enables `tokens` and `logprobs`). */
  tokenizer?: TextTokenizer
  /** Default 32768. */
  contextLength?: number
  /** Policy version reported for turns that do not set one (default 0). */
  policyVersion?: number
  id?: string
}

/** Markers that close one tool observation; each one in the prompt means one turn has been played. */
const OBSERVATION_ENDS = ['</information>', '</tool_response>']

/** The log-prob the scripted model reports for a token when the script gives none: distinct, in (-1, 0). */
export function scriptedLogprob(tokenId: number, position: number): number {
  return -(((tokenId * 31 + position * 7) % 97) + 1) / 128
}

export class ScriptedModel implements LanguageModel {
  readonly specificationVersion = 'ars-lm-v1' as const
  readonly id: string
  readonly capabilities: {tokens: boolean; logprobs: boolean; chat: boolean}
  readonly tokenizer?: TextTokenizer
  readonly contextLength: number
  readonly #scripts: Array<{turns: ScriptedTurn[]; cycle?: boolean; test: (prompt: string) => boolean}>
  readonly #policyVersion: number
  /** Number of generate calls served (tests read it). */
  calls = 0

  constructor(scripts: Script[], options: ScriptedModelOptions = {}) {
    if (scripts.length === 0) throw new UsageError('scripted model: no scripts given', {code: 'scripted', fix: 'Give at least one {"turns": [...]} line.'})
    this.#scripts = scripts.map((s) => {
      if (s.turns.length === 0) throw new UsageError('scripted model: a script has no turns', {code: 'scripted', fix: 'Give each script at least one turn.'})
      return {turns: s.turns.map((t) => (typeof t === 'string' ? {text: t} : t)), cycle: s.cycle, test: matcher(s.match)}
    })
    this.tokenizer = options.tokenizer
    this.capabilities = {tokens: Boolean(options.tokenizer), logprobs: Boolean(options.tokenizer), chat: true}
    this.contextLength = options.contextLength ?? 32768
    this.#policyVersion = options.policyVersion ?? 0
    this.id = options.id ?? 'scripted:inline'
  }

  static fromFile(path: string, options: ScriptedModelOptions = {}): ScriptedModel {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (error) {
      throw new UsageError(`scripted model: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {code: 'model-missing', fix: 'Pass --model scripted:FILE with a JSONL file of {"turns": [...]} lines.'})
    }
    const scripts: Script[] = []
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return
      scripts.push(parseScript(line, `${path}:${i + 1}`))
    })
    return new ScriptedModel(scripts, {id: `scripted:${path}`, ...options})
  }

  async generate(input: GenerateInput, options: SamplingOptions): Promise<GenerateResult> {
    options.signal?.throwIfAborted()
    this.calls++
    const {prompt, promptTokens, turnIndex} = this.#read(input)
    const script = this.#scripts.find((s) => s.test(prompt))
    if (!script) throw new DataError('scripted model: no script matches this prompt', {code: 'scripted', fix: 'Add a script without "match" as a fallback.'})
    const n = script.turns.length
    const turn = (script.cycle ? script.turns[turnIndex % n] : script.turns[Math.min(turnIndex, n - 1)]) as ScriptedTurn
    if (turn.delay_ms) await sleep(turn.delay_ms, undefined, {signal: options.signal})
    if (turn.error) throw new Error(turn.error)
    let {text} = cutAtStop(turn.text, options.stop)
    let finishReason: GenerateResult['finishReason'] = 'stop'
    const policyVersion = turn.policy_version ?? this.#policyVersion
    if (!this.tokenizer) {
      // Without a tokenizer a "token" is four UTF-16 units, a rough stand-in for usage numbers.
      if (text.length > options.maxTokens * 4) {
        text = text.slice(0, options.maxTokens * 4)
        finishReason = 'length'
      }
      return {text, finishReason, policyVersion, usage: {promptTokens, completionTokens: Math.ceil(text.length / 4)}}
    }
    let ids = this.tokenizer.encode(text)
    if (ids.length > options.maxTokens) {
      ids = ids.slice(0, options.maxTokens)
      text = this.tokenizer.decode(ids)
      finishReason = 'length'
    }
    const logprobs = ids.map((id, i) => turn.logprobs?.[i] ?? scriptedLogprob(id, i))
    return {text, tokenIds: ids, logprobs, finishReason, policyVersion, usage: {promptTokens, completionTokens: ids.length}}
  }

  #read(input: GenerateInput): {prompt: string; promptTokens: number; turnIndex: number} {
    if (input.kind === 'chat') {
      const prompt = input.messages.map((m) => m.content).join('\n')
      const turnIndex = input.messages.filter((m) => m.role === 'assistant').length
      return {prompt, promptTokens: this.tokenizer ? this.tokenizer.encode(prompt).length : Math.ceil(prompt.length / 4), turnIndex}
    }
    const prompt = input.kind === 'text' ? input.prompt : (this.#needTokenizer(), this.tokenizer!.decode(input.tokenIds))
    const promptTokens = input.kind === 'tokens' ? input.tokenIds.length : this.tokenizer ? this.tokenizer.encode(prompt).length : Math.ceil(prompt.length / 4)
    // Turns already played = observations since the assistant turn began (the episode is one assistant turn).
    // A chat rendered through a template has one assistant header per earlier reply plus the open one.
    const start = prompt.lastIndexOf('<|im_start|>assistant')
    const tail = start === -1 ? prompt : prompt.slice(start)
    let turnIndex = start === -1 ? 0 : count(prompt, '<|im_start|>assistant') - 1
    for (const end of OBSERVATION_ENDS) turnIndex += count(tail, end)
    return {prompt, promptTokens, turnIndex}
  }

  #needTokenizer(): void {
    if (!this.tokenizer) throw new UsageError('scripted model: token-id prompts need a tokenizer', {code: 'scripted', fix: 'Create the scripted model with a tokenizer.'})
  }
}

function count(text: string, needle: string): number {
  let n = 0
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++
  return n
}

function matcher(match: string | undefined): (prompt: string) => boolean {
  if (match === undefined) return () => true
  const re = /^\/(.*)\/([a-z]*)$/s.exec(match)
  if (re) {
    const regex = new RegExp(re[1] as string, re[2])
    return (p) => regex.test(p)
  }
  return (p) => p.includes(match)
}

export function parseScript(line: string, where: string): Script {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch (error) {
    throw new DataError(`malformed JSON: ${(error as Error).message}`, {where, code: 'scripted'})
  }
  const fix = 'Each line is {"match"?: "text or /regex/", "turns": ["reply", {"text": "reply", "delay_ms"?: 5}], "cycle"?: false}.'
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new DataError('expected a JSON object', {where, code: 'scripted', fix})
  const v = value as Record<string, unknown>
  if (!Array.isArray(v.turns) || v.turns.length === 0) throw new DataError('turns: expected a non-empty array', {where, code: 'scripted', fix})
  if (v.match !== undefined && typeof v.match !== 'string') throw new DataError('match: expected a string', {where, code: 'scripted', fix})
  const turns = v.turns.map((t, i): ScriptedTurn => {
    if (typeof t === 'string') return {text: t}
    if (t && typeof t === 'object' && typeof (t as {text?: unknown}).text === 'string') return t as ScriptedTurn
    if (t && typeof t === 'object' && typeof (t as {error?: unknown}).error === 'string') return {text: '', ...(t as object)} as ScriptedTurn
    throw new DataError(`turns[${i}]: expected a string or {"text": ...}`, {where, code: 'scripted', fix})
  })
  return {match: v.match as string | undefined, turns, cycle: v.cycle === true}
}
