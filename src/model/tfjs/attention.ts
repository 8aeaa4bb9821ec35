// Fused causal self-attention for tfjs-wasm: RoPE, grouped-query scores, masked softmax and the value mix for every
// (row, kv-head) group in one differentiable op, with a hand-written backward. See docs/decisions/0930.
import type * as TfCore from '@tensorflow/tfjs'
import type {Tf} from './backend.js'
import {readNow} from './heap-view.js'

type Tensor = TfCore.Tensor
type Tensor2D = TfCore.Tensor2D

/** Additive bias for masked (future or padded) keys; fully masked queries then attend uniformly, as before
 * (their outputs are padding; their score gradient is zero, as the uniform weights do not depend on the scores). */
const MASKED = -1e9

export interface AttentionShape {
  batch: number
  seqLen: number
  numHeads: number
  numKvHeads: number
  headDim: number
  /** [batch·seqLen, headDim] RoPE tables (rotate-half layout: entries j and j + headDim/2 are equal). */
  cos: Float32Array
  sin: Float32Array
  /** [batch, seqLen]: 0 = padded key (never attended to). Default all ones. */
  keyMask?: ArrayLike<number>
}

/**
 * qkv [batch·seqLen, (numHeads + 2·numKvHeads)·headDim] (q | k | v columns, biases already added) → attention
 * output [batch·seqLen, numHeads·headDim], before o_proj.
 *
 * Why this shape of op: on wasm only plain 2-D matmuls are fast (XNNPACK), transposes run at ~25 ns per element
 * and every small kernel costs tens of µs. So the query heads sharing a kv head are stacked into one
 * [group·seqLen, headDim] matrix (one scores matmul per (row, kv head) instead of one per (row, head)), RoPE and
 * all re-layouts are done in JS on the fused qkv buffer, and the backward pass builds the transposed
 * probabilities and score gradients in JS (one pass) instead of calling Transpose.
 */
export type CausalAttention = (qkv: Tensor, shape: AttentionShape) => Tensor2D

/**
 * One (row, kv-head) group of the softmax backward: dS = P ∘ (dP − D) [group·t, t], plus dSᵀ and Pᵀ [t, group·t]
 * for the key and value gradients, in 32-column tiles. Entries above the diagonal are exact zeros for queries at
 * or after `firstValid` and are never written (the buffers start zeroed and every group skips the same cells).
 */
function softmaxBackward(p: Float32Array, dP: Float32Array, dRow: Float32Array, group: number, t: number, firstValid: number, dS: Float32Array, dST: Float32Array, pT: Float32Array): void {
  const gt = group * t
  const tile = 32
  for (let r0 = 0; r0 < gt; r0 += tile) {
    const r1 = Math.min(gt, r0 + tile)
    for (let j0 = 0; j0 < t; j0 += tile) {
      const j1 = Math.min(t, j0 + tile)
      for (let row = r0; row < r1; row++) {
        const i = row % t
        const live = i >= firstValid
        const end = live ? Math.min(j1, i + 1) : j1
        const base = row * t
        const dr = dRow[row] as number
        for (let j = j0; j < end; j++) {
          const pj = p[base + j] as number
          // A fully masked query's uniform weights do not depend on its scores: no score gradient.
          const s = live ? pj * ((dP[base + j] as number) - dr) : 0
          dS[base + j] = s
          dST[j * gt + row] = s
          pT[j * gt + row] = pj
        }
      }
    }
  }
}

export function createCausalAttention(tf: Tf): CausalAttention {
  return (qkv, shape) => {
    const {batch: b, seqLen: t, numHeads: nh, numKvHeads: nkv, headDim: d, cos, sin, keyMask} = shape
    const n = b * t
    const qCols = nh * d
    const kvCols = nkv * d
    const width = qCols + 2 * kvCols
    if (qkv.rank !== 2 || qkv.shape[0] !== n || qkv.shape[1] !== width) throw new RangeError(`Expected qkv [${n}, ${width}], got [${qkv.shape}]`)
    if (nh % nkv !== 0 || d % 2 !== 0) throw new RangeError(`Expected heads (${nh}) divisible by kv heads (${nkv}) and an even head size, got ${d}`)
    if (cos.length !== n * d || sin.length !== n * d) throw new RangeError(`Expected RoPE tables of ${n * d}, got ${cos.length}`)
    if (keyMask && keyMask.length !== n) throw new RangeError(`Expected a key mask of ${n}, got ${keyMask.length}`)
    const group = nh / nkv
    const gt = group * t
    const half = d / 2
    const scale = 1 / Math.sqrt(d)

    /** Rotate (RoPE) `heads` vectors of token i read from src at column `col`, into dst [n, heads, d], times `s`. */
    const rope = (src: Float32Array, col: number, heads: number, dst: Float32Array, s: number) => {
      for (let i = 0; i < n; i++) {
        const tab = i * d
        for (let h = 0; h < heads; h++) {
          const from = i * width + col + h * d
          const to = (i * heads + h) * d
          for (let c = 0; c < half; c++) {
            const x1 = src[from + c] as number
            const x2 = src[from + c + half] as number
            dst[to + c] = s * (x1 * (cos[tab + c] as number) - x2 * (sin[tab + c] as number))
            dst[to + c + half] = s * (x2 * (cos[tab + c + half] as number) + x1 * (sin[tab + c + half] as number))
          }
        }
      }
    }

    /** The additive bias [group·seqLen, seqLen] for row r (shared when there is no padding). */
    const biasData = (r: number | undefined) => {
      const bias = new Float32Array(gt * t)
      for (let i = 0; i < t; i++) {
        for (let j = 0; j < t; j++) {
          const masked = j > i || (r !== undefined && (keyMask as ArrayLike<number>)[r * t + j] === 0)
          if (masked) for (let hh = 0; hh < group; hh++) bias[(hh * t + i) * t + j] = MASKED
        }
      }
      return bias
    }

    const f = tf.customGrad(((input: Tensor2D, save: TfCore.GradSaveFunc) => {
      const src = input.dataSync() as Float32Array
      const qr = new Float32Array(n * qCols) // RoPE'd and scaled queries, [n, nh, d]
      const kr = new Float32Array(n * kvCols) // RoPE'd keys, [n, nkv, d]
      rope(src, 0, nh, qr, scale)
      rope(src, qCols, nkv, kr, 1)
      // Per (row, kv head) operands: Q stacked over the group's heads [group·t, d], Kᵀ [d, t], V [t, d].
      const qOf = (r: number, g: number) => {
        const out = new Float32Array(gt * d)
        for (let hh = 0; hh < group; hh++) for (let i = 0; i < t; i++) out.set(qr.subarray(((r * t + i) * nh + g * group + hh) * d, ((r * t + i) * nh + g * group + hh + 1) * d), (hh * t + i) * d)
        return out
      }
      const kOf = (r: number, g: number) => {
        const out = new Float32Array(t * d)
        for (let j = 0; j < t; j++) out.set(kr.subarray(((r * t + j) * nkv + g) * d, ((r * t + j) * nkv + g + 1) * d), j * d)
        return out
      }
      const kTransposedOf = (r: number, g: number) => {
        const out = new Float32Array(d * t)
        for (let j = 0; j < t; j++) for (let c = 0; c < d; c++) out[c * t + j] = kr[((r * t + j) * nkv + g) * d + c] as number
        return out
      }
      const vOf = (r: number, g: number) => {
        const out = new Float32Array(t * d)
        for (let j = 0; j < t; j++) out.set(src.subarray((r * t + j) * width + qCols + kvCols + g * d, (r * t + j) * width + qCols + kvCols + (g + 1) * d), j * d)
        return out
      }
      const vTransposedOf = (r: number, g: number) => {
        const out = new Float32Array(d * t)
        for (let j = 0; j < t; j++) for (let c = 0; c < d; c++) out[c * t + j] = src[(r * t + j) * width + qCols + kvCols + g * d + c] as number
        return out
      }
      const out = new Float32Array(n * qCols)
      const probs: Tensor[] = []
      // Queries before a row's first real key see only masked keys (uniform softmax); all others give exact zeros
      // above the diagonal, which the backward pass skips.
      const firstValid = new Int32Array(b)
      if (keyMask) {
        for (let r = 0; r < b; r++) {
          let j = 0
          while (j < t && keyMask[r * t + j] === 0) j++
          firstValid[r] = j
        }
      }
      const sharedBias = keyMask ? undefined : tf.tensor2d(biasData(undefined), [gt, t])
      for (let r = 0; r < b; r++) {
        const bias = sharedBias ?? tf.tensor2d(biasData(r), [gt, t])
        for (let g = 0; g < nkv; g++) {
          probs.push(tf.tidy(() => {
            const scores = tf.matMul(tf.tensor2d(qOf(r, g), [gt, d]), tf.tensor2d(kTransposedOf(r, g), [d, t]))
            const p = tf.softmax(tf.add(scores, bias))
            const o = tf.matMul(p, tf.tensor2d(vOf(r, g), [t, d])).dataSync() as Float32Array
            for (let hh = 0; hh < group; hh++) for (let i = 0; i < t; i++) out.set(o.subarray((hh * t + i) * d, (hh * t + i + 1) * d), ((r * t + i) * nh + g * group + hh) * d)
            return p
          }))
        }
      }
      save(probs)
      return {
        value: tf.tensor2d(out, [n, qCols]),
        gradFunc: (dy: Tensor2D, saved: Tensor[]) => {
          const dOut = dy.dataSync() as Float32Array
          // D[i, h] = dO·O: the softmax backward's row term (Σ_j p_ij dp_ij), computed on the small side.
          const rowTerm = new Float32Array(n * nh)
          for (let k = 0; k < n * nh; k++) {
            let s = 0
            for (let c = 0; c < d; c++) s += (dOut[k * d + c] as number) * (out[k * d + c] as number)
            rowTerm[k] = s
          }
          const dq = new Float32Array(n * qCols)
          const dk = new Float32Array(n * kvCols)
          const grad = new Float32Array(n * width)
          const dS = new Float32Array(gt * t)
          const dST = new Float32Array(t * gt)
          const pT = new Float32Array(t * gt)
          for (let r = 0; r < b; r++) {
            for (let g = 0; g < nkv; g++) tf.tidy(() => {
              const dO = new Float32Array(gt * d)
              const dRow = new Float32Array(gt)
              for (let hh = 0; hh < group; hh++) {
                for (let i = 0; i < t; i++) {
                  const k = (r * t + i) * nh + g * group + hh
                  dO.set(dOut.subarray(k * d, (k + 1) * d), (hh * t + i) * d)
                  dRow[hh * t + i] = rowTerm[k] as number
                }
              }
              const dOTensor = tf.tensor2d(dO, [gt, d])
              const dP = tf.matMul(dOTensor, tf.tensor2d(vTransposedOf(r, g), [d, t]))
              // Heap views, no copies: nothing touches tfjs until softmaxBackward has read them.
              softmaxBackward(readNow(tf, saved[r * nkv + g] as Tensor), readNow(tf, dP), dRow, group, t, firstValid[r] as number, dS, dST, pT)
              const dQg = tf.matMul(tf.tensor2d(dS, [gt, t]), tf.tensor2d(kOf(r, g), [t, d])).dataSync() as Float32Array
              const dKg = tf.matMul(tf.tensor2d(dST, [t, gt]), tf.tensor2d(qOf(r, g), [gt, d])).dataSync() as Float32Array
              const dVg = tf.matMul(tf.tensor2d(pT, [t, gt]), dOTensor).dataSync() as Float32Array
              for (let hh = 0; hh < group; hh++) {
                for (let i = 0; i < t; i++) {
                  const to = ((r * t + i) * nh + g * group + hh) * d
                  const from = (hh * t + i) * d
                  for (let c = 0; c < d; c++) dq[to + c] = scale * (dQg[from + c] as number)
                }
              }
              for (let j = 0; j < t; j++) {
                dk.set(dKg.subarray(j * d, (j + 1) * d), ((r * t + j) * nkv + g) * d)
                grad.set(dVg.subarray(j * d, (j + 1) * d), (r * t + j) * width + qCols + kvCols + g * d)
              }
            })
          }
          // Back through RoPE (its transpose: rotate by −angle) into the q and k columns.
          const unrope = (from: Float32Array, heads: number, col: number) => {
            for (let i = 0; i < n; i++) {
              const tab = i * d
              for (let h = 0; h < heads; h++) {
                const at = (i * heads + h) * d
                const to = i * width + col + h * d
                for (let c = 0; c < half; c++) {
                  const g1 = from[at + c] as number
                  const g2 = from[at + c + half] as number
                  grad[to + c] = g1 * (cos[tab + c] as number) + g2 * (sin[tab + c + half] as number)
                  grad[to + c + half] = g2 * (cos[tab + c + half] as number) - g1 * (sin[tab + c] as number)
                }
              }
            }
          }
          unrope(dq, nh, 0)
          unrope(dk, nkv, qCols)
          return [tf.tensor2d(grad, [n, width])]
        },
      }
    }) as unknown as Parameters<Tf['customGrad']>[0])
    return f(qkv) as Tensor2D
  }
}
