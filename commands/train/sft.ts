import {Args, Flags} from '@oclif/core'
import {numberFlag} from '../_shared/number-flags.js'
import {DEFAULT_SAVE_EVERY_MINUTES, SAVE_EVERY_MINUTES_HELP} from '../../src/train/index.js'
import {ArsCommand, sharedFlags} from '../_shared/base-command.js'
import {backendFlag} from '../_shared/tfjs-flags.js'
import {heldOutFlags, heldOutFromFlags} from '../_shared/held-out-flags.js'
import {agentFormat, FORMAT_NAMES} from '../../src/agent/index.js'
import type {AgentTools} from '../../src/agent/index.js'
import {UsageError} from '../../src/core/index.js'
import {SCHEDULES, type Schedule} from '../../src/train/index.js'
import {runSft} from '../../src/train/index.js'

export default class TrainSft extends ArsCommand {
  static override summary = 'Supervised fine-tuning of a Qwen2-family model on chat examples or trajectories.'
  static override description = [
    'Reads SftExample records (rendered with the model\'s chat template; loss on assistant tokens per train_on) and Trajectory',
    'records (their token_ids/loss_mask, or their messages when the ids do not fit the model), buffers them, and trains with',
    'AdamW in TensorFlow.js: seeded shuffle per epoch, --batch-tokens real tokens per step, micro-batches of',
    '--micro-batch-tokens padded tokens. Writes one TrainMetric per step to stdout and to OUT/metrics.jsonl, checkpoints',
    'to OUT/checkpoints/step-NNNNNN (a Hugging Face folder) every --save-every-minutes (default 10), every --save-every steps',
    'and at the end, and points OUT/latest at the newest one. --resume continues a killed run exactly from it. Ctrl-C finishes the current step, saves a checkpoint and exits 130.',
  ].join(' ')

  static override examples = [
    'ars export runs/traj.jsonl --format sft-jsonl | ars train sft --model models/tiny --out runs/sft1 --epochs 3',
    'ars train sft --model models/tiny --out runs/sft1 --lr 3e-3 --save-every 50 data/sft.jsonl',
    'ars train sft --model models/tiny --out runs/sft1 --resume data/sft.jsonl && ars eval --model runs/sft1/latest --bench world-test --search datasets/world-small',
    'ars train sft --model datasets/policy-tiny --out runs/sft2 --eval-every 50 --eval-questions world/questions/dev.jsonl --eval-limit 40 --search world/ data/sft.jsonl && ars train report runs/sft2',
  ]

  static override strict = false
  static override args = {
    file: Args.string({description: 'Input JSONL file(s) (SftExample or Trajectory records); none or "-" reads stdin.', ignoreStdin: true}),
  }

  static override flags = {
    model: Flags.string({char: 'm', required: true, description: 'Model folder to start from (config.json, tokenizer.json, model.safetensors), e.g. made by `ars model init`.'}),
    out: Flags.string({char: 'o', required: true, description: 'Run folder: run.json, metrics.jsonl, checkpoints/, latest.'}),
    epochs: Flags.integer({default: 1, min: 1, description: 'Passes over the data.'}),
    lr: numberFlag({min: 0, minExclusive: true, default: 1e-3, description: 'Peak learning rate.'}),
    warmup: Flags.integer({default: 20, min: 0, description: 'Linear warm-up steps.'}),
    schedule: Flags.option({options: SCHEDULES, default: 'cosine' as Schedule, description: 'After warm-up: cosine decay to 0 at the last step, or constant.'})(),
    'batch-tokens': Flags.integer({default: 4096, min: 1, description: 'Real (unpadded) tokens per optimiser step (at least one example per step).'}),
    'micro-batch-tokens': Flags.integer({default: 2048, min: 2, description: 'Padded tokens per micro-batch (gradients accumulate over micro-batches; bounds memory).'}),
    'max-seq-len': Flags.integer({default: 1024, min: 2, description: 'Longer examples are dropped (counted on stderr).'}),
    'weight-decay': numberFlag({min: 0, default: 0, description: 'AdamW decoupled weight decay (norms and biases are never decayed).'}),
    'max-grad-norm': numberFlag({min: 0, default: 1, description: 'Clip the global gradient norm (0 disables).'}),
    'save-every': Flags.integer({default: 0, min: 0, description: 'Checkpoint every N steps (0: by time only, see --save-every-minutes; always at the end and on Ctrl-C).'}),
    'save-every-minutes': numberFlag({min: 0, default: DEFAULT_SAVE_EVERY_MINUTES, description: SAVE_EVERY_MINUTES_HELP}),
    keep: Flags.integer({default: 3, min: 0, description: 'Checkpoints kept (0 keeps all; the one latest points at is never deleted).'}),
    resume: Flags.boolean({default: false, description: 'Continue the run in --out from its newest checkpoint (same data and settings).'}),
    force: Flags.boolean({default: false, description: 'Delete the run in --out and start over.'}),
    backend: backendFlag,
    ...heldOutFlags,
    search: Flags.string({char: 's', description: 'Tools of the held-out evaluation (--eval-every): index folder, world folder, retrieval-server URL, serper: or searxng:URL.'}),
    format: Flags.option({options: FORMAT_NAMES, default: 'asearcher' as (typeof FORMAT_NAMES)[number], description: 'Agent format of the held-out evaluation (the one the data teaches).'})(),
    'max-turns': Flags.integer({default: 32, min: 1, description: 'Turn limit per held-out episode.'}),
    'max-tokens-per-turn': Flags.integer({default: 1024, min: 1, description: 'Tokens per model reply in held-out episodes.'}),
    'eval-concurrency': Flags.integer({default: 8, min: 1, description: 'Held-out episodes in flight.'}),
    input: sharedFlags.input,
    'on-invalid': sharedFlags.onInvalid,
    'allow-empty': sharedFlags.allowEmpty,
    seed: sharedFlags.seed,
    quiet: sharedFlags.quiet,
  }

  async run(): Promise<void> {
    const {flags, argv} = await this.parse(TrainSft)
    if (flags.resume && flags.force) throw new UsageError('--resume and --force contradict each other', {code: 'flag', fix: 'Pass --resume to continue the run in --out, or --force to delete it and start over.'})
    const inputs = [...(flags.input ?? []), ...(argv as string[])]
    const stop = new AbortController()
    const offInterrupt = this.onInterrupt(
      {message: 'finishing this step and saving a checkpoint (Ctrl-C again to quit without saving)', action: () => stop.abort()},
      {message: 'quitting; --resume continues from the last checkpoint'},
    )
    const heldOutSpec = await heldOutFromFlags(flags, flags['eval-concurrency'], flags.seed)
    if (heldOutSpec && !flags.search) throw new UsageError('--eval-every needs --search: the held-out episodes search with the tools the agent was trained for', {code: 'flag', fix: 'Add --search DIR (a world folder or an index), e.g. --search datasets/world-small.'})
    let tools: AgentTools | undefined
    if (heldOutSpec && flags.search) {
      const {resolveAgentTools} = await import('../../src/agent/index.js')
      tools = await resolveAgentTools({search: flags.search})
    }
    const drawer = this.progress(flags.quiet)
    let summary
    try {
      summary = await runSft({
        model: flags.model,
        out: flags.out,
        inputs,
        epochs: flags.epochs,
        learningRate: flags.lr,
        warmup: flags.warmup,
        schedule: flags.schedule,
        batchTokens: flags['batch-tokens'],
        microBatchTokens: flags['micro-batch-tokens'],
        maxSeqLen: flags['max-seq-len'],
        weightDecay: flags['weight-decay'],
        maxGradNorm: flags['max-grad-norm'],
        saveEvery: flags['save-every'],
        saveEveryMinutes: flags['save-every-minutes'],
        keep: flags.keep,
        resume: flags.resume,
        force: flags.force,
        seed: flags.seed,
        backend: flags.backend,
        allowEmpty: flags['allow-empty'],
        policy: this.invalidPolicy(flags['on-invalid']),
        progress: drawer.callback,
        stopSignal: stop.signal,
        ...(heldOutSpec && tools ? {heldOut: {spec: {...heldOutSpec, tools}, episode: {format: agentFormat(flags.format), maxTurns: flags['max-turns'], maxTokensPerTurn: flags['max-tokens-per-turn']}}} : {}),
        onMetric: (metric) => new Promise<void>((resolve) => {
          if (process.stdout.write(`${JSON.stringify(metric)}\n`)) resolve()
          else process.stdout.once('drain', resolve)
        }),
      })
    } finally {
      offInterrupt()
      drawer.stop()
      await tools?.close()
    }
    const d = summary.data
    const parts = [
      `train sft: ${summary.stepsThisRun} steps this run (${summary.steps}/${summary.totalSteps}${summary.resumedFrom > 0 ? `, resumed at ${summary.resumedFrom}` : ''})`,
      `${summary.tokens} tokens in ${summary.seconds.toFixed(1)} s (${Math.round(summary.tokensPerSecond)} tokens/s)`,
      summary.finalLoss === undefined ? 'no step taken' : `final loss ${summary.finalLoss.toFixed(4)}`,
    ]
    process.stderr.write(`${parts.join(', ')}\n`)
    process.stderr.write(`data: ${d.records} records (${d.sftExamples} sft_example, ${d.trajectories} trajectory, ${d.trajectoryFallbacks} of them rendered from messages); trained on ${d.samples}; dropped ${d.droppedTooLong} longer than --max-seq-len, ${d.noTargets} without targets, ${d.zeroWeight} with weight 0\n`)
    process.stderr.write(`checkpoint: ${summary.checkpoint ?? 'none'} (latest: ${summary.run}/latest); report: ${summary.run}/report.html, report.md\n`)
    process.stderr.write(`${summary.backend}\n`)
    if (summary.interrupted) {
      process.stderr.write(`interrupted at step ${summary.steps}: continue with --resume\n`)
      this.exit(130)
    }
  }
}
