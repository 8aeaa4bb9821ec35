import {Flags} from '@oclif/core'
import {ArsCommand} from '../_shared/base-command.js'
import {resolveModel} from '../../src/llm/index.js'
import {ModelServer} from '../../src/llm/index.js'
import {OnnxModel} from '../../src/llm/index.js'
import {onnxWeightSwapper} from '../../src/llm/index.js'

export default class ServeModel extends ArsCommand {
  static override summary = 'Serve a model over an OpenAI-compatible HTTP API (/v1/chat/completions, /v1/completions, /v1/models).'
  static override description = [
    'Any OpenAI client can use a model trained by ars. Completions accept token-id prompts and return exact token ids',
    '(vLLM\'s return_tokens_as_token_ids / return_token_ids), per-token logprobs, SSE streaming, and the policy version',
    'as system_fingerprint "ars-policy-vN". A model folder can be replaced while serving: POST /v1/ars/weights',
    '{"path": DIR, "version": N} loads DIR (same architecture) between requests — requests in flight finish on the old',
    'version and report it; `ars train --generation URL` does this after every step. Runs until Ctrl-C. Listens on 127.0.0.1 unless --host says otherwise.',
  ].join(' ')

  static override examples = [
    'ars serve model --model runs/r1/latest --port 8000',
    'ars rollout --model openai:tiny --base-url http://127.0.0.1:8000/v1 --tokenizer runs/r1/latest --search world/ < q.jsonl',
  ]

  static override flags = {
    model: Flags.string({char: 'm', required: true, description: 'A model folder (onnx:DIR), or any --model spec (scripted:FILE for tests).'}),
    port: Flags.integer({char: 'p', default: 8000, min: 0, max: 65535, description: 'TCP port (0 = any free port; the URL is printed on stderr).'}),
    host: Flags.string({default: '127.0.0.1', description: 'Address to listen on.'}),
    name: Flags.string({description: 'Model name clients send and /v1/models lists (default: the model id).'}),
    tokenizer: Flags.string({description: 'scripted:/openai: models: tokenizer for token-id prompts ("byte" or a folder).'}),
    logprobs: Flags.boolean({default: true, allowNo: true, description: 'Answer logprob requests (--no-logprobs imitates servers that cannot).'}),
    'max-batch-size': Flags.integer({min: 1, description: 'onnx: sequences decoded together (default 16).'}),
    threads: Flags.integer({min: 1, description: 'onnx: onnxruntime intra-op threads (default: onnxruntime\'s choice, one per core).'}),
    'context-length': Flags.integer({min: 16, description: 'Refuse prompts longer than this (default: the model\'s).'}),
    quiet: Flags.boolean({char: 'q', default: false, description: 'No per-request log lines.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(ServeModel)
    const model = await resolveModel(flags.model, {tokenizer: flags.tokenizer, maxBatchSize: flags['max-batch-size'], contextLength: flags['context-length'], swapMode: 'drain', ...(flags.threads ? {threads: flags.threads} : {})})
    const server = new ModelServer(model, {
      modelName: flags.name,
      logprobs: flags.logprobs,
      // The trainer's `--generation` publishes each version here (POST /v1/ars/weights {path, version}).
      ...(model instanceof OnnxModel ? {weights: onnxWeightSwapper(model)} : {}),
      onRequest: flags.quiet ? undefined : (r) => process.stderr.write(`${r.path} ${r.status} ${r.ms} ms${r.completionTokens === undefined ? '' : ` ${r.promptTokens}+${r.completionTokens} tokens`}\n`),
    })
    const url = await server.listen(flags.port, flags.host)
    process.stderr.write(`serving ${flags.name ?? model.id} at ${url}\n`)
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        resolve()
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
    await server.close()
    await model.close?.()
    process.stderr.write('server stopped\n')
  }
}
