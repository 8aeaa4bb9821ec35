import {Flags} from '@oclif/core'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {ArsCommand, sharedFlags} from './_shared/base-command.js'
import {UsageError} from '../src/core/index.js'
import {DEMO_DEFAULTS} from '../src/demo/index.js'
import {isWorldDir} from '../src/core/index.js'

export default class Demo extends ArsCommand {
  static override summary = 'Run the whole loop on the embedded default: synthesize → filter → eval → train (async RL) → eval → compare.'
  static override description = `Every stage is the ars command a user would type, printed before it runs (copy them to build your own
pipeline). Outputs go to --out: seeds.jsonl, synth.jsonl (+ rejects), train.jsonl, eval-before.jsonl, run/ (checkpoints,
run/latest), metrics.jsonl, eval-after.jsonl, report-before/ and report-after/ (Markdown + HTML), compare.txt.
A stage's files appear only once it succeeds, so running the same command again after an interruption resumes at the first
unfinished stage. The default policy is datasets/policy-search-sft, trained by ars on the embedded world to search in the compact agent
format; the demo trains it with RL live, then scores the committed RL policy (datasets/policy-search-rl, the same
recipe run longer) on the same questions, and the summary says which gains are live and which committed, each with
its paired-bootstrap interval. On 2 CPU cores the default demo takes under ten minutes.`
  static override examples = [
    'ars demo',
    'ars demo --out my-demo --steps 8 --eval-limit 160',
    'ars demo --dry-run          # print the commands only',
  ]

  static override flags = {
    out: Flags.string({char: 'o', default: 'ars-demo', description: 'Output folder (re-running with the same folder resumes).', helpValue: 'DIR'}),
    world: Flags.string({description: 'World folder (from `ars world build`; default: datasets/world-small).', helpValue: 'DIR'}),
    policy: Flags.string({description: 'Starting policy: a model folder (default: datasets/policy-search-sft, in the compact agent format).', helpValue: 'DIR'}),
    committed: Flags.string({description: 'RL policy scored against the starting one on the same questions (default: datasets/policy-search-rl; none: skip).', helpValue: 'DIR|none'}),
    seeds: Flags.integer({default: DEMO_DEFAULTS.seeds, min: 1, description: 'Seed questions to synthesize from.'}),
    'train-questions': Flags.integer({default: DEMO_DEFAULTS.trainQuestions, min: 0, description: 'World train questions added to the synthesized ones for RL.'}),
    steps: Flags.integer({default: DEMO_DEFAULTS.steps, min: 1, description: 'RL optimiser steps.'}),
    samples: Flags.integer({default: DEMO_DEFAULTS.samples, min: 2, description: 'Samples per question (GRPO group size).'}),
    'eval-limit': Flags.integer({default: DEMO_DEFAULTS.evalLimit, min: 1, description: 'world-test questions scored before and after.'}),
    force: Flags.boolean({default: false, description: 'Start over: remove a previous demo in --out first.'}),
    'dry-run': Flags.boolean({default: false, description: 'Print the stage commands without running them.'}),
    seed: sharedFlags.seed,
    quiet: sharedFlags.quiet,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Demo)
    const {demoPlan} = await import('../src/demo/index.js')
    const {clearDemoFolder, runStages} = await import('../src/demo/index.js')
    const {formatSummary, summarize} = await import('../src/demo/index.js')
    const {COMMITTED_RL_DIR, DEFAULT_POLICY_DIR, PACKAGE_WORLD_DIR} = await import('../src/demo/index.js')
    const {shown} = await import('../src/demo/index.js')
    const policy = shown(flags.policy ?? DEFAULT_POLICY_DIR)
    const world = shown(flags.world ?? PACKAGE_WORLD_DIR)
    if (!isWorldDir(world)) {
      throw new UsageError(`--world ${world}: not a world folder (no world.json)`, {code: 'flag', fix: 'Build one with `ars world build --out DIR`, or drop --world to use datasets/world-small.'})
    }
    if (!existsSync(join(policy, 'config.json'))) {
      throw new UsageError(`--policy ${policy}: not a model folder (no config.json)`, {code: 'flag', fix: 'Pass a model folder (ars model init … or a run\'s latest/).'})
    }
    if (flags.force && !flags['dry-run']) clearDemoFolder(flags.out)
    const committed = flags.committed === 'none' ? undefined : shown(flags.committed ?? COMMITTED_RL_DIR)
    if (committed && !existsSync(join(committed, 'config.json'))) {
      throw new UsageError(`--committed ${committed}: not a model folder (no config.json)`, {code: 'flag', fix: 'Pass a model folder, or --committed none to skip the comparison.'})
    }
    const stages = demoPlan({
      world, policy, committed, out: flags.out, seeds: flags.seeds, trainQuestions: flags['train-questions'],
      steps: flags.steps, samples: flags.samples, evalLimit: flags['eval-limit'], seed: flags.seed,
    })
    const controller = new AbortController()
    const onSigint = () => controller.abort()
    process.once('SIGINT', onSigint)
    const log = (line: string) => process.stderr.write(`${line}\n`)
    const started = performance.now()
    try {
      await runStages(stages, {out: flags.out, log, quiet: flags.quiet, dryRun: flags['dry-run'], signal: controller.signal})
    } catch (error) {
      if (controller.signal.aborted) {
        log(`interrupted; run the same command again to resume at the first unfinished stage`)
        return this.exit(130)
      }
      const e = error as Error & {exitCode?: number}
      log(`error: ${e.message}`)
      log(`  fix: read the stage's error above; the stages before it are kept, so re-running resumes here.`)
      return this.exit(e.exitCode && e.exitCode > 0 ? e.exitCode : 1)
    } finally {
      process.off('SIGINT', onSigint)
    }
    if (flags['dry-run']) return
    const o = (f: string) => join(flags.out, f)
    const summary = await summarize({seeds: o('seeds.jsonl'), synth: o('synth.jsonl'), train: o('train.jsonl'), before: o('eval-before.jsonl'), after: o('eval-after.jsonl'), metrics: o('metrics.jsonl'), ...(committed ? {committed: o('eval-committed.jsonl')} : {})}, flags.seed)
    log(`\n${formatSummary(summary)}`)
    log(`\nreports: ${o('report-before/report.html')}, ${o('report-after/report.html')}; comparison: ${o('compare.txt')}${committed ? `, ${o('compare-committed.txt')}` : ''}`)
    log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`)
  }
}
