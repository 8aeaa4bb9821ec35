// The fused tfjs ops (causal attention, lm-head log-probs): forward against a float64 plain-JS reference, and
// gradients against float64 central differences of that reference (so tolerances can be tight).
import {before, test} from 'node:test'
import assert from 'node:assert/strict'
import type * as TfCore from '@tensorflow/tfjs'
import {loadTf, type LoadedTf} from '../../src/model/tfjs/backend.js'
import {createCausalAttention, type AttentionShape} from '../../src/model/tfjs/attention.js'
import {createOps, transposeMatrix} from '../../src/model/tfjs/ops.js'
import {Rng} from '../../src/core/rng.js'

let runtime: LoadedTf
before(async () => {
  runtime = await loadTf('wasm')
})

interface Case {
  batch: number
  seqLen: number
  numHeads: number
  numKvHeads: number
  headDim: number
  keyMask?: number[]
}

function tables(c: Case, rng: Rng): {cos: Float32Array; sin: Float32Array} {
  const n = c.batch * c.seqLen
  const half = c.headDim / 2
  const cos = new Float32Array(n * c.headDim)
  const sin = new Float32Array(n * c.headDim)
  for (let i = 0; i < n; i++) {
    const pos = rng.int(50)
    for (let j = 0; j < half; j++) {
      const angle = pos / 10000 ** ((2 * j) / c.headDim)
      cos[i * c.headDim + j] = cos[i * c.headDim + j + half] = Math.cos(angle)
      sin[i * c.headDim + j] = sin[i * c.headDim + j + half] = Math.sin(angle)
    }
  }
  return {cos, sin}
}

/** Plain attention in float64: RoPE, causal + key mask, softmax (fully masked queries attend uniformly to all keys). */
function referenceAttention(qkv: Float64Array, shape: AttentionShape): Float64Array {
  const {batch: b, seqLen: t, numHeads: nh, numKvHeads: nkv, headDim: d, cos, sin, keyMask} = shape
  const width = (nh + 2 * nkv) * d
  const half = d / 2
  const rot = (row: number, col: number): number[] => {
    const x = Array.from({length: d}, (_, c) => qkv[row * width + col + c] as number)
    return x.map((v, c) => v * (cos[row * d + c] as number) + (sin[row * d + c] as number) * (c < half ? -(x[c + half] as number) : (x[c - half] as number)))
  }
  const out = new Float64Array(b * t * nh * d)
  for (let r = 0; r < b; r++) {
    for (let h = 0; h < nh; h++) {
      const g = Math.floor(h / (nh / nkv))
      for (let i = 0; i < t; i++) {
        const q = rot(r * t + i, h * d)
        const visible = Array.from({length: t}, (_, j) => j <= i && (!keyMask || keyMask[r * t + j] !== 0))
        const any = visible.some(Boolean)
        const scores = Array.from({length: t}, (_, j) => {
          if (any && !visible[j]) return -Infinity
          if (!any) return 0
          const k = rot(r * t + j, nh * d + g * d)
          return q.reduce((a, v, c) => a + v * (k[c] as number), 0) / Math.sqrt(d)
        })
        const max = Math.max(...scores)
        const e = scores.map((s) => Math.exp(s - max))
        const sum = e.reduce((a, v) => a + v, 0)
        for (let j = 0; j < t; j++) {
          const p = (e[j] as number) / sum
          for (let c = 0; c < d; c++) out[((r * t + i) * nh + h) * d + c] += p * (qkv[(r * t + j) * width + (nh + nkv) * d + g * d + c] as number)
        }
      }
    }
  }
  return out
}

const cases: [string, Case][] = [
  ['GQA (4 heads, 2 kv heads)', {batch: 2, seqLen: 7, numHeads: 4, numKvHeads: 2, headDim: 4}],
  ['MHA', {batch: 1, seqLen: 5, numHeads: 2, numKvHeads: 2, headDim: 6}],
  ['right and left padding (fully masked queries)', {batch: 2, seqLen: 6, numHeads: 4, numKvHeads: 1, headDim: 4, keyMask: [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1]}],
]

test('fused attention matches a float64 reference, forward and gradient', () => {
  const {tf} = runtime
  const attention = createCausalAttention(tf)
  for (const [label, c] of cases) {
    const rng = new Rng(c.seqLen)
    const n = c.batch * c.seqLen
    const width = (c.numHeads + 2 * c.numKvHeads) * c.headDim
    const shape: AttentionShape = {...c, ...tables(c, rng), ...(c.keyMask ? {keyMask: c.keyMask} : {})}
    const x = Float64Array.from({length: n * width}, () => rng.normal())
    const weights = Float64Array.from({length: n * c.numHeads * c.headDim}, () => rng.normal())
    const qkv = tf.tensor2d(Float32Array.from(x), [n, width])
    const got = tf.tidy(() => attention(qkv, shape).dataSync() as Float32Array)
    const want = referenceAttention(x, shape)
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs((got[i] as number) - (want[i] as number)) < 1e-5, `${label}: out[${i}] ${got[i]} vs ${want[i]}`)
    // Gradient of sum(out ⊙ weights) w.r.t. every qkv entry against float64 central differences.
    const grad = tf.tidy(() => (tf.grad((q: TfCore.Tensor) => tf.sum(tf.mul(attention(q, shape), tf.tensor2d(Float32Array.from(weights), [n, c.numHeads * c.headDim]))))(qkv) as TfCore.Tensor).dataSync() as Float32Array)
    const loss = (v: Float64Array) => referenceAttention(v, shape).reduce((a, o, i) => a + o * (weights[i] as number), 0)
    const eps = 1e-5
    let checked = 0
    for (let i = 0; i < x.length; i++) {
      const plus = Float64Array.from(x)
      const minus = Float64Array.from(x)
      plus[i] = (plus[i] as number) + eps
      minus[i] = (minus[i] as number) - eps
      const numeric = (loss(plus) - loss(minus)) / (2 * eps)
      assert.ok(Math.abs((grad[i] as number) - numeric) < 1e-4 + 1e-4 * Math.abs(numeric), `${label}: d/dqkv[${i}] analytic ${grad[i]}, numeric ${numeric}`)
      checked++
    }
    assert.equal(checked, n * width)
    qkv.dispose()
  }
  assert.throws(() => attention(tf.zeros([3, 5]), {batch: 1, seqLen: 3, numHeads: 2, numKvHeads: 1, headDim: 2, cos: new Float32Array(6), sin: new Float32Array(6)}), /Expected qkv \[3, 8\], got \[3,5\]/)
})

/** log softmax(x @ tableᵀ)[i, targets[i]] in float64. */
function referenceHead(x: Float64Array, table: Float64Array, targets: Int32Array, n: number, h: number, v: number): Float64Array {
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const z = Array.from({length: v}, (_, j) => {
      let s = 0
      for (let c = 0; c < h; c++) s += (x[i * h + c] as number) * (table[j * h + c] as number)
      return s
    })
    const max = Math.max(...z)
    out[i] = (z[targets[i] as number] as number) - max - Math.log(z.reduce((a, s) => a + Math.exp(s - max), 0))
  }
  return out
}

test('fused lm-head log-probs match a float64 reference, forward and gradients (rows with zero weight included)', () => {
  const {tf} = runtime
  const ops = createOps(tf)
  const [n, h, v] = [6, 5, 11]
  const rng = new Rng(3)
  const x = Float64Array.from({length: n * h}, () => rng.normal())
  const table = Float64Array.from({length: v * h}, () => rng.normal())
  const targets = Int32Array.from({length: n}, () => rng.int(v))
  const g = Float64Array.from([0.5, -1, 0, 2, 0, 1.5]) // zeros: masked positions contribute nothing
  const xt = tf.tensor2d(Float32Array.from(x), [n, h])
  const wt = tf.tensor2d(Float32Array.from(table), [v, h])
  const got = tf.tidy(() => ops.headLogProbs(xt, wt, targets).dataSync() as Float32Array)
  const want = referenceHead(x, table, targets, n, h, v)
  for (let i = 0; i < n; i++) assert.ok(Math.abs((got[i] as number) - (want[i] as number)) < 1e-5, `logp[${i}] ${got[i]} vs ${want[i]}`)
  // Same numbers as the unfused path (matmul with the transposed table, then targetLogProbs).
  const unfused = tf.tidy(() => ops.targetLogProbs(ops.matmul(xt, tf.transpose(wt)), targets).dataSync() as Float32Array)
  for (let i = 0; i < n; i++) assert.ok(Math.abs((got[i] as number) - (unfused[i] as number)) < 1e-5)
  const [dx, dw] = tf.tidy(() => tf.grads((a: TfCore.Tensor, w: TfCore.Tensor) => tf.sum(tf.mul(ops.headLogProbs(a, w, targets), tf.tensor1d(Float32Array.from(g)))))([xt, wt]).map((t) => t.dataSync() as Float32Array))
  const loss = (xs: Float64Array, ws: Float64Array) => referenceHead(xs, ws, targets, n, h, v).reduce((a, l, i) => a + l * (g[i] as number), 0)
  const eps = 1e-5
  for (const [name, base, analytic] of [['x', x, dx], ['table', table, dw]] as const) {
    for (let i = 0; i < base.length; i++) {
      const plus = Float64Array.from(base)
      const minus = Float64Array.from(base)
      plus[i] = (plus[i] as number) + eps
      minus[i] = (minus[i] as number) - eps
      const numeric = name === 'x' ? (loss(plus, table) - loss(minus, table)) / (2 * eps) : (loss(x, plus) - loss(x, minus)) / (2 * eps)
      assert.ok(Math.abs((analytic![i] as number) - numeric) < 1e-4 + 1e-4 * Math.abs(numeric), `d/d${name}[${i}] analytic ${analytic![i]}, numeric ${numeric}`)
    }
  }
  for (let c = 0; c < h; c++) assert.equal(dx![2 * h + c], 0, 'a zero-weight row gets no input gradient')
  assert.throws(() => ops.headLogProbs(xt, wt, Int32Array.from([0, 1, 2, 3, 4, 11])), /Expected target ids in \[0, 11\), got 11/)
  xt.dispose()
  wt.dispose()
  assert.deepEqual([...transposeMatrix(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3)], [1, 4, 2, 5, 3, 6])
})
