// The `openai:` provider against the real `ars serve model` HTTP server (over a scripted model), plus a
// loopback server that misbehaves on purpose (429 with retry-after, no logprobs, refused connections).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {ByteTokenizer} from '../../src/llm/byte-tokenizer.js'
import {ScriptedModel} from '../../src/llm/scripted.js'
import {ModelServer} from '../../src/llm/server.js'
import {OpenAIModel} from '../../src/llm/openai.js'
import {retryAfterFromHeaders as retryAfterMs} from '../../src/core/retry-after.js'
import {ContextOverflowError, ModelBackendError} from '../../src/llm/errors.js'

const tok = new ByteTokenizer()
const scripts = [{turns: ['<think>Zürich, 東京</think><search>capital of Veltria</search> never seen', '<answer>Osk</answer>']}]

async function withServer<T>(options: {logprobs?: boolean; contextLength?: number}, fn: (base: string, direct: ScriptedModel) => Promise<T>): Promise<T> {
  const direct = new ScriptedModel(scripts, {tokenizer: tok, contextLength: options.contextLength, policyVersion: 3})
  const server = new ModelServer(direct, {modelName: 'tiny', logprobs: options.logprobs})
  const base = await server.listen(0)
  try {
    return await fn(base, direct)
  } finally {
    await server.close()
  }
}

test('GET /v1/models lists the served model', async () => {
  await withServer({}, async (base) => {
    const r = await fetch(`${base}/models`)
    const body = (await r.json()) as {data: Array<{id: string}>}
    assert.equal(body.data[0]?.id, 'tiny')
    const missing = await fetch(`${base}/nothing`)
    assert.equal(missing.status, 404)
  })
})

test('token-id prompts through the server give the same ids, log-probs and policy version as in process', async () => {
  await withServer({}, async (base, direct) => {
    const prompt = tok.encode(tok.applyChatTemplate([{role: 'user', content: 'Which river?'}]))
    const options = {maxTokens: 200, stop: ['</search>', '</answer>'], logprobs: true, temperature: 0}
    const local = await direct.generate({kind: 'tokens', tokenIds: prompt}, options)
    for (const stream of [false, true]) {
      const client = new OpenAIModel('tiny', {baseUrl: base, tokenizer: tok, stream})
      const remote = await client.generate({kind: 'tokens', tokenIds: prompt}, options)
      assert.deepEqual(remote.tokenIds, local.tokenIds, `stream=${stream}`)
      assert.deepEqual(remote.logprobs, local.logprobs)
      assert.equal(remote.text, local.text)
      assert.ok(remote.text.endsWith('</search>'), 'stop string kept (include_stop_str_in_output)')
      assert.equal(remote.policyVersion, 3)
      assert.equal(remote.usage.promptTokens, prompt.length)
    }
  })
})

test('chat completions, streamed and not, return the same text with multi-byte characters intact', async () => {
  await withServer({}, async (base) => {
    const messages = [{role: 'user' as const, content: 'Which river?'}]
    const plain = await new OpenAIModel('tiny', {baseUrl: base}).generate({kind: 'chat', messages}, {maxTokens: 200, stop: ['</search>'], logprobs: true})
    const streamed = await new OpenAIModel('tiny', {baseUrl: base, stream: true}).generate({kind: 'chat', messages}, {maxTokens: 200, stop: ['</search>'], logprobs: true})
    assert.equal(plain.text, '<think>Zürich, 東京</think><search>capital of Veltria</search>')
    assert.equal(streamed.text, plain.text)
    assert.equal(streamed.logprobs?.length, tok.encode(plain.text).length)
    // Without include_stop_str_in_output a plain OpenAI client sees the stop string removed.
    const raw = await fetch(`${base}/chat/completions`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({model: 'tiny', messages, stop: ['</search>']})})
    const body = (await raw.json()) as {choices: Array<{message: {content: string}; stop_reason: string}>}
    assert.equal(body.choices[0]?.message.content, '<think>Zürich, 東京</think><search>capital of Veltria')
    assert.equal(body.choices[0]?.stop_reason, '</search>')
  })
})

test('a server without logprobs is a clear error when log-probs are needed', async () => {
  await withServer({logprobs: false}, async (base) => {
    const client = new OpenAIModel('tiny', {baseUrl: base, tokenizer: tok})
    const prompt = tok.encode('hi')
    await assert.rejects(client.generate({kind: 'tokens', tokenIds: prompt}, {maxTokens: 10, logprobs: true}), (e: Error & {code?: string; fix?: string}) => e instanceof ModelBackendError && e.code === 'model-no-logprobs' && /vLLM|ars serve model/.test(e.fix ?? ''))
    // Without the need, the same server is fine.
    const ok = await client.generate({kind: 'chat', messages: [{role: 'user', content: 'x'}]}, {maxTokens: 10})
    assert.ok(ok.text.length > 0)
  })
})

test('prompts beyond the context are a ContextOverflowError', async () => {
  await withServer({contextLength: 64}, async (base) => {
    const client = new OpenAIModel('tiny', {baseUrl: base, tokenizer: tok})
    await assert.rejects(client.generate({kind: 'tokens', tokenIds: tok.encode('x'.repeat(80))}, {maxTokens: 8}), ContextOverflowError)
  })
})

test('an unreachable server fails after retries with the URL and the fix', async () => {
  const probe = createServer()
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
  const port = (probe.address() as AddressInfo).port
  await new Promise<void>((r) => probe.close(() => r()))
  const client = new OpenAIModel('tiny', {baseUrl: `http://127.0.0.1:${port}/v1`, retries: 2, backoffMs: 1})
  await assert.rejects(client.generate({kind: 'chat', messages: [{role: 'user', content: 'x'}]}, {maxTokens: 5}), (e: Error & {code?: string; fix?: string}) => {
    assert.equal(e.code, 'model-unreachable')
    assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}/v1/chat/completions after 3 attempts: ECONNREFUSED`))
    assert.match(e.fix ?? '', /ars serve model/)
    return true
  })
})

test('429 with retry-after is retried; the abort signal cancels a waiting request', async () => {
  let calls = 0
  const flaky = createServer((req, res) => {
    if (req.method === 'GET') {
      // The provider's one look at /models for the context length: not a completion attempt.
      res.writeHead(404)
      res.end()
      return
    }
    calls++
    if (calls === 1) {
      res.writeHead(429, {'retry-after': '0', 'content-type': 'application/json'})
      res.end('{"error":{"message":"slow down"}}')
      return
    }
    if (req.headers.authorization !== 'Bearer test-key') {
      res.writeHead(401)
      res.end()
      return
    }
    res.writeHead(200, {'content-type': 'application/json'})
    res.end(JSON.stringify({choices: [{message: {content: 'hello'}, finish_reason: 'stop'}], usage: {prompt_tokens: 3, completion_tokens: 1}}))
  })
  await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r))
  const base = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}/v1`
  try {
    process.env.OPENAI_API_KEY = 'test-key'
    const client = new OpenAIModel('m', {baseUrl: base, backoffMs: 10_000})
    const r = await client.generate({kind: 'chat', messages: [{role: 'user', content: 'x'}]}, {maxTokens: 5})
    assert.equal(r.text, 'hello')
    assert.equal(calls, 2, 'retried once, after retry-after 0 s rather than the 10 s backoff')
    const controller = new AbortController()
    controller.abort(new DOMException('stop', 'AbortError'))
    await assert.rejects(client.generate({kind: 'chat', messages: [{role: 'user', content: 'x'}]}, {maxTokens: 5, signal: controller.signal}), {name: 'AbortError'})
  } finally {
    delete process.env.OPENAI_API_KEY
    await new Promise<void>((r) => flaky.close(() => r()))
  }
  assert.equal(retryAfterMs(new Headers({'retry-after': '2'})), 2000)
  assert.equal(retryAfterMs(new Headers({'retry-after-ms': '150'})), 150)
  assert.equal(retryAfterMs(new Headers({'retry-after': new Date(1_000_000 + 3000).toUTCString()}), 1_000_000), 3000)
})
