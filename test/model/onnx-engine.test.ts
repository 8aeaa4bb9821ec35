// The generation engine on a real onnxruntime session: greedy tokens and behaviour log-probs against the JS
// reference, seeded sampling reproducible whatever else shares the batch (including requests joining a running
// batch), stop strings/ids, max tokens, aborts, and weight swaps with requests in flight (both swap modes).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import type {ModelConfig, Weights} from '../../src/model/config.js'
import {GenerationEngine, type GenerationRequest, type GenerationResult} from '../../src/model/onnx/engine.js'
import {buildDecoderModel} from '../../src/model/onnx/graph.js'
import {logSoftmax, referenceLogits} from '../helpers/qwen2-reference.js'
import {tinyConfig, tinyWeights} from '../helpers/tiny-model.js'

const config = tinyConfig()
const weights = tinyWeights(config, 1)
/** A byte-free toy decoder: token id → one letter, so stop strings can be placed exactly. */
const decode = (ids: readonly number[]): string => ids.map((id) => String.fromCharCode(97 + (id % 26))).join('')

async function engineFor(options: Partial<Parameters<typeof GenerationEngine.create>[0]> = {}): Promise<GenerationEngine> {
  return GenerationEngine.create({config, model: weights, intraOpNumThreads: 1, decoder: decode, ...options})
}

/** Checks each generated token's log-prob against log-softmax of the reference logits for its context. */
function assertLogprobsMatchReference(cfg: ModelConfig, w: Weights | ((i: number) => Weights), prompt: number[], result: GenerationResult): void {
  const context = [...prompt, ...result.tokenIds]
  const rowsFor = new Map<Weights, Float64Array[]>()
  result.tokenIds.forEach((token, i) => {
    const wi = typeof w === 'function' ? w(i) : w
    if (!rowsFor.has(wi)) rowsFor.set(wi, referenceLogits(cfg, wi, context))
    const row = (rowsFor.get(wi) as Float64Array[])[prompt.length + i - 1] as Float64Array
    const expected = logSoftmax(row)[token] as number
    assert.ok(Math.abs((result.logprobs[i] as number) - expected) < 1e-4, `token ${i}: logprob ${result.logprobs[i]} vs reference ${expected}`)
  })
}

const prompts = [[1, 2, 3], [40, 41, 42, 43, 44, 45, 46, 47, 48], [7], [90, 12, 33, 33, 5]]

test('greedy generation follows the reference argmax; log-probs are log-softmax of the reference logits', async () => {
  const engine = await engineFor()
  const prompt = prompts[1] as number[]
  const result = await engine.generate({tokenIds: prompt, maxTokens: 12, temperature: 0, stopTokenIds: []})
  assert.equal(result.tokenIds.length, 12)
  assert.equal(result.finishReason, 'length')
  const context = [...prompt]
  for (const token of result.tokenIds) {
    const row = referenceLogits(config, weights, context).at(-1) as Float64Array
    assert.equal(token, row.indexOf(Math.max(...row)))
    context.push(token)
  }
  assertLogprobsMatchReference(config, weights, prompt, result)
  assert.ok(result.samplingLogprobs.every((v) => v === 0), 'greedy sampling log-probs are 0')
  assert.deepEqual(result.policyVersions, Array(12).fill(0))
  assert.equal(result.text, decode(result.tokenIds))
  await engine.close()
})

test('seeded sampling: same seed same tokens, alone or in a batch, joining a running batch or not', async () => {
  const requests: GenerationRequest[] = prompts.map((tokenIds, i) => ({tokenIds, maxTokens: 20, temperature: 1.3, topP: i % 2 ? 0.9 : 1, topK: i === 2 ? 10 : 0, seed: 100 + i, stopTokenIds: []}))
  const solo = await engineFor({maxBatchSize: 1})
  const alone: GenerationResult[] = []
  for (const r of requests) alone.push(await solo.generate(r))
  await solo.close()

  // All at once, and two of them joining a batch already decoding (step 4).
  let joined: Promise<GenerationResult[]> | undefined
  const engine = await engineFor({
    onStep: ({step}) => {
      if (step === 4) joined = Promise.all(requests.slice(2).map((r) => engine.generate(r)))
    },
  })
  const together = await Promise.all(requests.map((r) => engine.generate(r)))
  const late = await Promise.all([engine.generate(requests[0] as GenerationRequest), engine.generate(requests[1] as GenerationRequest)])
  assert.ok(joined, 'requests joined mid-batch')
  const joinedResults = await (joined as Promise<GenerationResult[]>)
  for (const [i, result] of [...together.entries(), ...late.map((r, i) => [i, r] as const), ...joinedResults.map((r, i) => [i + 2, r] as const)]) {
    const expected = alone[i] as GenerationResult
    assert.deepEqual(result.tokenIds, expected.tokenIds, `request ${i}`)
    result.logprobs.forEach((lp, k) => assert.ok(Math.abs(lp - (expected.logprobs[k] as number)) < 1e-4))
  }
  assert.notDeepEqual(alone[0]?.tokenIds, (await engine.generate({...requests[0], seed: 999} as GenerationRequest)).tokenIds, 'another seed samples differently')
  for (const [i, r] of alone.entries()) assertLogprobsMatchReference(config, weights, prompts[i] as number[], r)
  await engine.close()
})

test('stop strings, stop token ids, max tokens and abort', async () => {
  const engine = await engineFor()
  const base = await engine.generate({tokenIds: [5, 6, 7], maxTokens: 16, temperature: 0, stopTokenIds: []})
  const text = decode(base.tokenIds)
  const stop = text.slice(5, 7) // completed by token 6 (its first occurrence may be earlier)
  const at = text.indexOf(stop) + stop.length
  const stopped = await engine.generate({tokenIds: [5, 6, 7], maxTokens: 16, temperature: 0, stopTokenIds: [], stop: ['zzzz', stop]})
  assert.equal(stopped.finishReason, 'stop')
  assert.deepEqual(stopped.stoppedBy, {string: stop})
  assert.deepEqual(stopped.tokenIds, base.tokenIds.slice(0, at))
  assert.ok(stopped.text?.endsWith(stop))

  const stopId = base.tokenIds[3] as number
  const byId = await engine.generate({tokenIds: [5, 6, 7], maxTokens: 16, temperature: 0, stopTokenIds: [stopId]})
  assert.deepEqual(byId.tokenIds, base.tokenIds.slice(0, base.tokenIds.indexOf(stopId) + 1))
  assert.deepEqual(byId.stoppedBy, {tokenId: stopId})

  const controller = new AbortController()
  const aborted = engine.generate({tokenIds: [5], maxTokens: 500, stopTokenIds: [], signal: controller.signal})
  setTimeout(() => controller.abort(), 5)
  const result = await aborted
  assert.equal(result.finishReason, 'abort')
  assert.ok(result.tokenIds.length < 500)

  await assert.rejects(engine.generate({tokenIds: [], maxTokens: 3}), /at least one prompt token/)
  await assert.rejects(engine.generate({tokenIds: [1, 97], maxTokens: 3}), /tokenIds\[1\]: expected a token id in \[0, 97\), got 97/)
  await assert.rejects(engine.generate({tokenIds: [1], maxTokens: 0}), /maxTokens/)
  await assert.rejects(engine.generate({tokenIds: [1], maxTokens: 3, topP: 0}), /topP/)
  const noDecoder = await GenerationEngine.create({config, model: weights, intraOpNumThreads: 1})
  await assert.rejects(noDecoder.generate({tokenIds: [1], maxTokens: 3, stop: ['x']}), /stop strings need a decoder/)
  await noDecoder.close()
  await engine.close()
})

test('publish during generation (interrupt): no request dropped, tokens resume on the new version', async () => {
  const next = tinyWeights(config, 2)
  const nextBytes = buildDecoderModel(config, next).bytes
  let publishing: Promise<void> | undefined
  const engine = await engineFor({
    onStep: async ({step}) => {
      if (step !== 3) return
      publishing = engine.publish(1, nextBytes)
      while (!engine.swapPending) await new Promise((resolve) => setTimeout(resolve, 1))
    },
  })
  const requests = prompts.map((tokenIds, i) => ({tokenIds, maxTokens: 8, temperature: 1, seed: i, stopTokenIds: []}))
  const results = await Promise.all(requests.map((r) => engine.generate(r)))
  await publishing
  assert.equal(engine.version, 1)
  for (const [i, result] of results.entries()) {
    assert.equal(result.tokenIds.length, 8, 'every request completes')
    // Prefill (step 1) + decode steps 2, 3 sample tokens 0..2 on version 0; the rest on version 1.
    assert.deepEqual(result.policyVersions, [0, 0, 0, 1, 1, 1, 1, 1])
    assert.equal(result.policyVersion, 1)
    assertLogprobsMatchReference(config, (k) => (k < 3 ? weights : next), prompts[i] as number[], result)
  }
  await engine.close()
})

test('publish during generation (drain): in-flight requests finish on the old version, later ones use the new', async () => {
  const next = tinyWeights(config, 3)
  let publishing: Promise<void> | undefined
  let late: Promise<GenerationResult> | undefined
  const engine = await engineFor({
    swapMode: 'drain',
    onStep: async ({step}) => {
      if (step !== 2) return
      publishing = engine.publish(7, next)
      while (!engine.swapPending) await new Promise((resolve) => setTimeout(resolve, 1))
      late = engine.generate({tokenIds: [9, 9], maxTokens: 4, temperature: 0, stopTokenIds: []})
    },
  })
  const results = await Promise.all(prompts.map((tokenIds) => engine.generate({tokenIds, maxTokens: 6, temperature: 0, stopTokenIds: []})))
  for (const r of results) assert.deepEqual(r.policyVersions, Array(6).fill(0))
  for (const [i, r] of results.entries()) assertLogprobsMatchReference(config, weights, prompts[i] as number[], r)
  const lateResult = await (late as Promise<GenerationResult>)
  await publishing
  assert.deepEqual(lateResult.policyVersions, [7, 7, 7, 7])
  assertLogprobsMatchReference(config, next, [9, 9], lateResult)
  await engine.close()
})

test('weights through a temporary model file (weightFileThreshold 0) give the inline graph\'s tokens and log-probs, and the file is removed', async () => {
  const {readdirSync} = await import('node:fs')
  const {tmpdir} = await import('node:os')
  const before = new Set(readdirSync(tmpdir()).filter((f) => f.startsWith('ars-engine-')))
  const request = {tokenIds: prompts[3] as number[], maxTokens: 6, temperature: 1, seed: 3, stopTokenIds: []}
  const inline = await engineFor({weightFileThreshold: Number.POSITIVE_INFINITY})
  const expected = await inline.generate(request)
  await inline.close()
  const viaFile = await engineFor({weightFileThreshold: 0})
  const got = await viaFile.generate(request)
  assert.deepEqual(got.tokenIds, expected.tokenIds)
  assert.deepEqual(got.logprobs, expected.logprobs, 'same graph, same weights: bit-identical log-probs')
  // A published version goes the same way.
  await viaFile.publish(1, tinyWeights(config, 2))
  const next = await viaFile.generate(request)
  assertLogprobsMatchReference(config, tinyWeights(config, 2), request.tokenIds, next)
  await viaFile.close()
  const left = readdirSync(tmpdir()).filter((f) => f.startsWith('ars-engine-') && !before.has(f))
  assert.deepEqual(left, [], 'the temporary model folders are deleted once loaded')
  await assert.rejects(engineFor({weightFileThreshold: -1}), /weightFileThreshold/)
})
