// Sequences → micro-batches: target alignment, padding, token budget, length grouping, max-seq-len handling,
// and (with the real tfjs model) that a padded row's log-probs equal the same sequence run alone.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {Rng} from '../../src/core/rng.js'
import {PolicyTrainer} from '../../src/model/tfjs/policy-trainer.js'
import {packMicroBatches, type SequenceSample} from '../../src/train/sequences.js'
import {tinyConfig, tinyWeights} from '../helpers/tiny-model.js'

test('targets are shifted by one: entry t is the mask/extra of token t+1; padding is masked', () => {
  const samples: SequenceSample[] = [
    {tokenIds: [5, 6, 7, 8], lossMask: [0, 0, 1, 1], weight: 2, extras: {logp: [0, 0, -0.5, -0.25]}},
    {tokenIds: [9, 10], lossMask: [0, 1], extras: {logp: [0, -1]}},
  ]
  const {microBatches, stats} = packMicroBatches(samples, {maxTokensPerMicroBatch: 8, padId: 3})
  assert.equal(microBatches.length, 1)
  const mb = microBatches[0]!
  assert.deepEqual({batch: mb.tokens.batch, seqLen: mb.tokens.seqLen}, {batch: 2, seqLen: 4})
  assert.deepEqual([...mb.tokens.inputIds], [5, 6, 7, 8, 9, 10, 3, 3])
  assert.deepEqual([...(mb.tokens.attentionMask ?? [])], [1, 1, 1, 1, 1, 1, 0, 0])
  assert.deepEqual([...mb.lossMask], [0, 1, 1, 1, 0, 0])
  assert.deepEqual([...mb.targetWeights], [0, 2, 2, 1, 0, 0])
  assert.deepEqual([...mb.extras.logp!], [0, -0.5, -0.25, -1, 0, 0])
  assert.deepEqual(mb.sampleIndices, [0, 1])
  assert.deepEqual({lossTokens: mb.lossTokens, targetWeight: mb.targetWeight, realTokens: mb.realTokens, paddedTokens: mb.paddedTokens}, {lossTokens: 3, targetWeight: 5, realTokens: 6, paddedTokens: 8})
  assert.deepEqual({kept: stats.kept, lossTokens: stats.lossTokens}, {kept: 2, lossTokens: 3})
})

function randomSamples(n: number, seed: number): SequenceSample[] {
  const rng = new Rng(seed)
  return Array.from({length: n}, () => {
    const len = rng.range(2, 60)
    return {tokenIds: Array.from({length: len}, () => rng.int(50)), lossMask: Array.from({length: len}, (_, i) => (i === 0 ? 0 : 1))}
  })
}

test('every micro-batch stays within the padded-token budget, each sample appears once, grouping cuts padding', () => {
  const samples = randomSamples(200, 7)
  const grouped = packMicroBatches(samples, {maxTokensPerMicroBatch: 256})
  const ungrouped = packMicroBatches(samples, {maxTokensPerMicroBatch: 256, groupByLength: false})
  for (const {microBatches} of [grouped, ungrouped]) {
    for (const mb of microBatches) assert.ok(mb.paddedTokens <= 256, `micro-batch of ${mb.paddedTokens} padded tokens`)
    assert.deepEqual(microBatches.flatMap((mb) => mb.sampleIndices).sort((a, b) => a - b), samples.map((_, i) => i))
  }
  const realTokens = samples.reduce((a, s) => a + s.tokenIds.length, 0)
  assert.equal(grouped.stats.realTokens, realTokens)
  assert.ok(grouped.stats.paddedTokens < ungrouped.stats.paddedTokens, `grouped ${grouped.stats.paddedTokens} vs ${ungrouped.stats.paddedTokens}`)
  assert.ok(grouped.stats.paddedTokens < realTokens * 1.1, `grouped padding ${grouped.stats.paddedTokens} for ${realTokens} real tokens`)
})

test('max-seq-len: drop (default) or truncate, counted; samples without targets are skipped', () => {
  const samples: SequenceSample[] = [
    {tokenIds: [1, 2, 3, 4, 5, 6], lossMask: [0, 0, 0, 1, 1, 1]},
    {tokenIds: [1, 2, 3], lossMask: [0, 1, 1]},
    {tokenIds: [1, 2, 3, 4, 5, 6], lossMask: [0, 1, 0, 0, 0, 0]},
    {tokenIds: [1, 2], lossMask: [1, 0]},
    {tokenIds: [7], lossMask: [1]},
  ]
  const dropped = packMicroBatches(samples, {maxTokensPerMicroBatch: 16, maxSeqLen: 4})
  assert.deepEqual({kept: dropped.stats.kept, dropped: dropped.stats.dropped, truncated: dropped.stats.truncated, noTargets: dropped.stats.noTargets}, {kept: 1, dropped: 2, truncated: 0, noTargets: 2})
  const cut = packMicroBatches(samples, {maxTokensPerMicroBatch: 16, maxSeqLen: 4, overflow: 'truncate'})
  // sample 0 cut to [1,2,3,4] keeps one target (token 4); sample 2 cut keeps token 2's target
  assert.deepEqual({kept: cut.stats.kept, dropped: cut.stats.dropped, truncated: cut.stats.truncated, noTargets: cut.stats.noTargets}, {kept: 3, dropped: 0, truncated: 2, noTargets: 2})
  assert.ok(cut.microBatches.every((mb) => mb.tokens.seqLen <= 4))
})

test('bad inputs are refused with the sample named', () => {
  assert.throws(() => packMicroBatches([{tokenIds: [1, 2], lossMask: [1]}], {maxTokensPerMicroBatch: 8}), /Sample 0: expected a loss mask of 2, got 1/)
  assert.throws(() => packMicroBatches([{tokenIds: [1, 2], lossMask: [0, 1], extras: {a: [1]}}], {maxTokensPerMicroBatch: 8}), /extra "a" of 2 values/)
  assert.throws(() => packMicroBatches([{tokenIds: [1, 2], lossMask: [0, 1], weight: -1}], {maxTokensPerMicroBatch: 8}), /weight ≥ 0, got -1/)
  assert.throws(() => packMicroBatches([{tokenIds: [1, -2], lossMask: [0, 1]}], {maxTokensPerMicroBatch: 8}), /token 1 is -2/)
  assert.throws(() => packMicroBatches([], {maxTokensPerMicroBatch: 8, maxSeqLen: 16}), /exceeds maxTokensPerMicroBatch/)
  assert.throws(
    () => packMicroBatches([{tokenIds: [1, 2], lossMask: [0, 1], extras: {a: [0, 1]}}, {tokenIds: [1, 2], lossMask: [0, 1]}], {maxTokensPerMicroBatch: 8}),
    /Sample 1: extras \[\] differ/,
  )
})

test('a right-padded row gives the same log-probs as the sequence alone (real tfjs model)', async () => {
  const config = tinyConfig()
  const trainer = await PolicyTrainer.create(config, tinyWeights(config), {backend: 'wasm'})
  const {tf} = trainer
  try {
    const samples: SequenceSample[] = [
      {tokenIds: [3, 14, 15, 92, 65, 35, 89, 79], lossMask: [0, 0, 1, 1, 1, 1, 1, 1]},
      {tokenIds: [27, 18, 28], lossMask: [0, 1, 1]},
    ]
    const [mb] = packMicroBatches(samples, {maxTokensPerMicroBatch: 64}).microBatches
    const padded = tf.tidy(() => trainer.model.tokenLogProbs(mb!.tokens).arraySync()) as number[][]
    const alone = packMicroBatches([samples[1]!], {maxTokensPerMicroBatch: 64}).microBatches[0]!
    const single = tf.tidy(() => trainer.model.tokenLogProbs(alone.tokens).arraySync()) as number[][]
    assert.deepEqual(mb!.sampleIndices, [0, 1])
    for (let t = 0; t < 2; t++) assert.ok(Math.abs(padded[1]![t]! - single[0]![t]!) < 1e-5, `target ${t}: ${padded[1]![t]} vs ${single[0]![t]}`)
  } finally {
    trainer.dispose()
  }
})
