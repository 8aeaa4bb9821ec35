import {Flags} from '@oclif/core'
import {agentFormatFlag, allowPrivateFlag, contextLengthFlag, maxTokensPerTurnFlag, maxTurnsFlag, requiredSearchFlag, rewardFlag, searchTopKFlag} from './_shared/agent-flags.js'
import {baseUrlFlag} from './_shared/base-url-flag.js'
import {numberFlag, probabilityFlag} from './_shared/number-flags.js'
import {createWriteStream, existsSync} from 'node:fs'
import {join} from 'node:path'
import {ArsCommand, sharedFlags} from './_shared/base-command.js'
import {formatWithTools, toolChoice, toolsFlags} from './_shared/tools-flags.js'
import {readJsonl, writeJsonl} from '../src/core/index.js'
import {closeOutput} from '../src/core/index.js'
import {counted, questionRecords, requireNonEmpty} from '../src/core/index.js'
import {DataError, UsageError} from '../src/core/index.js'
import {resolveModel} from '../src/llm/index.js'
import type {AgentFormat} from '../src/agent/index.js'
import {computeReward, type RewardMetric, type RewardOptions} from '../src/agent/index.js'
import {resolveAgentTools} from '../src/agent/index.js'
import type {AgentTools} from '../src/agent/index.js'
import {readDoneIds} from '../src/agent/index.js'
import {trajectoryId} from '../src/core/index.js'
import {rollout, rolloutDoneText, type EpisodeRunner, type RolloutSummary} from '../src/agent/index.js'
import type {LanguageModel} from '../src/llm/index.js'
import type {Question} from '../src/core/index.js'
import {isWorldDir} from '../src/core/index.js'

/**
 * `--model oracle`: the world's scripted oracle (src/world/oracle.ts) walks each question's KB path with the
 * world's index and pages read from its ground truth, writing trajectories in the run's --format (search-only for formats without access). World questions only (they carry meta.path).
 */
async function oracleRunner(worldDir: string, tools: AgentTools, reward: RewardOptions, format: AgentFormat): Promise<{run: EpisodeRunner; check: (question: Question, where: string) => void}> {
  if (!isWorldDir(worldDir)) throw new UsageError(`--model oracle needs --search to be a world folder: ${worldDir} has no world.json`, {code: 'world-missing', fix: 'Build one with `ars world build --out DIR`, index it, and pass --search DIR.'})
  const {loadWorld, Oracle, checkOracleQuestion} = await import('../src/world/index.js')
  const {world} = await loadWorld(worldDir)
  // The agent's own tools (a world folder's: same hits per search, same page parts, pages read offline) make the
  // oracle's observations what the agent loop would show, so its trajectories are demonstrations for it.
  const {search} = tools
  const reader = tools.reader!
  const run: EpisodeRunner = async (question, {sampleIndex, signal}) => {
    const t = await new Oracle({world, search, reader, tools, format, signal}).solve(question, sampleIndex)
    // Same ids and reward rule as agent episodes, so --resume and training treat both alike.
    const {reward: value, detail} = computeReward(t.answer, question.answers, reward)
    return {...t, id: trajectoryId(question.id, sampleIndex), reward: value, reward_detail: {...t.reward_detail, ...detail}}
  }
  // Checked as questions arrive, so a question the oracle cannot solve is a bad input line (--on-invalid), not a
  // failed episode that stops the run.
  return {run, check: (question, where) => checkOracleQuestion(world, question, where)}
}

export default class Rollout extends ArsCommand {
  static override summary = 'Run the search agent on questions and write one trajectory per episode.'
  static override description = [
    'Reads Question (or SynthItem) records, runs -n episodes per question with the model and tools, and writes Trajectory records',
    '(messages, tool calls, token ids, loss mask, behaviour log-probs, version spans, answer, reward) in input order.',
    'Ctrl-C once stops starting episodes and finishes those in flight; twice abandons them (never written half); exit 130.',
  ].join(' ')

  static override examples = [
    'ars rollout --model openai:Qwen/Qwen2.5-7B-Instruct --base-url http://127.0.0.1:8000/v1 --search world/index < train.jsonl > traj.jsonl',
    'ars rollout --model runs/r1/latest --search world/ -n 16 --concurrency 64 --seed 1 < train.jsonl > traj.jsonl',
    'ars rollout --model openai:tiny --tokenizer models/tiny --search http://127.0.0.1:8001 --out traj.jsonl --resume -i train.jsonl',
    'ars rollout --model openai:qwen --search serper: --tools search,access,calculator,code,file --attachments data/gaia/2023/validation < gaia.jsonl',
  ]

  static override flags = {
    model: Flags.string({char: 'm', required: true, description: 'openai:ID, onnx:DIR, a model folder, scripted:FILE, or oracle (the world oracle; --search is then a world folder).'}),
    'base-url': baseUrlFlag,
    tokenizer: Flags.string({description: 'openai:/scripted: work on exact token ids with this tokenizer (model folder, tokenizer.json, or "byte"); needed for training trajectories.'}),
    search: requiredSearchFlag({short: true}),
    'allow-private': allowPrivateFlag(),
    format: agentFormatFlag({default: 'asearcher'}),
    ...toolsFlags,
    samples: Flags.integer({char: 'n', default: 1, min: 1, description: 'Episodes per question.'}),
    concurrency: Flags.integer({char: 'c', default: 8, min: 1, description: 'Episodes in flight.'}),
    'max-turns': maxTurnsFlag({default: 32}),
    'max-tokens-per-turn': maxTokensPerTurnFlag,
    'max-model-tokens': Flags.integer({min: 1, description: 'Tokens the model may generate per episode (default: bounded by the context only).'}),
    'context-length': contextLengthFlag("the model's, else 32768"),
    temperature: numberFlag({min: 0, default: 1, description: 'Sampling temperature; 0 is greedy.'}),
    'top-p': probabilityFlag({description: 'Nucleus sampling.'}),
    'top-k': Flags.integer({min: 0, description: 'Top-k sampling.'}),
    'search-top-k': searchTopKFlag,
    reward: rewardFlag(),
    'format-penalty': numberFlag({min: 0, default: 0.1, description: 'Subtracted from the reward when no valid answer was given.'}),
    logprobs: Flags.boolean({allowNo: true, description: 'Require behaviour log-probs (default: on for token-level models); a server without them is an error.'}),
    out: Flags.string({char: 'o', description: 'Append trajectories to this file instead of stdout (needed by --resume).'}),
    resume: Flags.boolean({default: false, description: 'Skip episodes whose id is already in --out.'}),
    unordered: Flags.boolean({default: false, description: 'Write each trajectory as it completes instead of in input order.'}),
    input: sharedFlags.input,
    'on-invalid': sharedFlags.onInvalid,
    'allow-empty': sharedFlags.allowEmpty,
    seed: sharedFlags.seed,
    quiet: sharedFlags.quiet,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Rollout)
    if (flags.resume && !flags.out) throw new UsageError('--resume needs --out FILE (the output it resumes)', {code: 'flag', fix: 'Add --out traj.jsonl; trajectories are appended to it.'})
    const choice = toolChoice(flags, flags.format)
    const format = formatWithTools(flags.format, choice)
    const resume = flags.resume && flags.out ? readDoneIds(flags.out) : undefined
    if (resume?.repairedBytes) process.stderr.write(`warning: ${flags.out}: removed a partial last line (${resume.repairedBytes} bytes) left by an interrupted run\n`)

    const oracle = flags.model === 'oracle'
    const tools = await resolveAgentTools({search: flags.search, readAllowPrivate: flags['allow-private'], topK: flags['search-top-k'], ...choice.toolOptions})
    const model = oracle ? undefined : await resolveModel(flags.model, {baseUrl: flags['base-url'], tokenizer: flags.tokenizer, concurrency: Math.max(64, flags.concurrency), contextLength: flags['context-length']})
    const reward: RewardOptions = {metric: (flags.reward ?? format.defaultReward) as RewardMetric, formatPenalty: flags['format-penalty']}
    const oracleRun = oracle ? await oracleRunner(flags.search, tools, reward, format) : undefined
    const episode = oracleRun?.run

    const stop = new AbortController()
    const abort = new AbortController()
    const offInterrupt = this.onInterrupt(
      {message: 'no new episodes; finishing those in flight (Ctrl-C again to abandon them)', action: () => stop.abort()},
      {message: 'abandoning in-flight episodes', action: () => abort.abort(new DOMException('interrupted', 'AbortError'))},
    )

    const policy = this.invalidPolicy(flags['on-invalid'])
    // The oracle's check runs on each line as it is read: a question it cannot solve is a bad input line at its
    // file:line (--on-invalid), not a failed episode that stops the run.
    const records = questionRecords(readJsonl(flags.input ?? [], {policy}), policy, oracleRun?.check)
    const questions = counted(records, (n) => {
      if (!flags['allow-empty'] && !resume) requireNonEmpty(flags.input, policy.invalid)(n)
    })
    const summary: RolloutSummary = {started: 0, written: 0, skipped: 0, abandoned: 0, rewardSum: 0, rewarded: 0}
    const drawer = this.progress(flags.quiet)
    const out = flags.out ? createWriteStream(flags.out, {flags: 'a'}) : process.stdout
    try {
      const trajectories = rollout(questions, {
        model: model as LanguageModel,
        episode,
        tools,
        format,
        samples: flags.samples,
        concurrency: flags.concurrency,
        seed: flags.seed,
        ordered: !flags.unordered,
        skip: resume?.ids,
        maxTurns: flags['max-turns'],
        maxTokensPerTurn: flags['max-tokens-per-turn'],
        maxModelTokens: flags['max-model-tokens'],
        contextLength: flags['context-length'],
        temperature: flags.temperature,
        topP: flags['top-p'],
        topK: flags['top-k'],
        logprobs: flags.logprobs,
        reward,
        stopSignal: stop.signal,
        abortSignal: abort.signal,
        progress: drawer.callback,
      }, summary)
      summary.written = await writeJsonl(trajectories, out)
      await closeOutput(out)
      // Only now — every trajectory flushed and the file closed — is "N written" true.
      drawer.callback({kind: 'done', label: 'rollout', summary: rolloutDoneText(summary)})
    } finally {
      offInterrupt()
      drawer.stop()
      await closeOutput(out).catch(() => {}) // after an error: keep what was written, report the first error
      await model?.close?.()
      await tools.close()
    }
    if (stop.signal.aborted) {
      process.stderr.write(`rollout interrupted: ${summary.written} written, ${summary.abandoned} abandoned; rerun with --out FILE --resume to continue\n`)
      this.exit(130)
    }
  }
}
