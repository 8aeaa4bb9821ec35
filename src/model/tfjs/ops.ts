// Differentiable building blocks with gradients chosen for tfjs-wasm: on wasm only plain 2-D matMul is fast
// (transposed and batched matmuls run ~10× slower, and tfjs's own matmul gradient uses them), and tf.gather's
// gradient needs UnsortedSegmentSum, which wasm lacks. So: a 2-D matmul whose gradient uses explicit transposes
// and plain matmuls, an embedding lookup whose gradient is a scatter-add, and target log-probs (alone or fused
// with the lm_head projection) with their own gradients.
import type * as TfCore from '@tensorflow/tfjs'
import type {Tf} from './backend.js'

type Tensor = TfCore.Tensor
type Tensor2D = TfCore.Tensor2D

export interface Ops {
  /** x [n, k] @ w [k, m] → [n, m]; the gradient uses only non-transposed 2-D matMuls. */
  matmul(x: Tensor, w: Tensor): Tensor2D
  /** Rows of table [v, h] at ids → [ids.length, h]; the gradient is a scatter-add into [v, h]. */
  embedding(table: Tensor, ids: Int32Array): Tensor2D
  /** log softmax(logits [n, v])[i, targets[i]] → [n]; gradient (onehot − softmax) · g. */
  targetLogProbs(logits: Tensor, targets: Int32Array): TfCore.Tensor1D
  /**
   * log softmax(x [n, h] @ tableᵀ)[i, targets[i]] → [n] for an lm_head `table` [v, h] (HF layout): the output
   * projection and the target log-probs as one op, so the backward pass needs no [v, n] transpose kernel.
   */
  headLogProbs(x: Tensor, table: Tensor, targets: Int32Array): TfCore.Tensor1D
  /** x · rsqrt(mean(x², −1) + eps) · weight over the last axis. */
  rmsNorm(x: Tensor, weight: Tensor, eps: number): Tensor
  /** sum(values · mask) / max(sum(mask), 1): a scalar. */
  maskedMean(values: Tensor, mask: Tensor): TfCore.Scalar
}

/** Scatter-add rows of dy [n, h] into a [v, h] buffer at ids (plain JS: one pass, exact in fp32 order). */
function scatterAddRows(dy: Float32Array, ids: Int32Array, vocab: number, hidden: number): Float32Array {
  const out = new Float32Array(vocab * hidden)
  for (let i = 0; i < ids.length; i++) {
    const row = (ids[i] as number) * hidden
    const src = i * hidden
    for (let j = 0; j < hidden; j++) out[row + j] += dy[src + j] as number
  }
  return out
}

/** [rows, cols] → [cols, rows] in JS, in 32×32 tiles (wasm's Transpose kernel runs at ~25 ns per element). */
export function transposeMatrix(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols)
  const tile = 32
  for (let r0 = 0; r0 < rows; r0 += tile) {
    const r1 = Math.min(rows, r0 + tile)
    for (let c0 = 0; c0 < cols; c0 += tile) {
      const c1 = Math.min(cols, c0 + tile)
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out[c * rows + r] = data[r * cols + c] as number
    }
  }
  return out
}

/** Flat indices i·vocab + targets[i], validating each target. */
function targetIndices(targets: Int32Array, n: number, vocab: number): Int32Array {
  if (targets.length !== n) throw new RangeError(`Expected ${n} targets, got ${targets.length}`)
  const flat = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const t = targets[i] as number
    if (!(t >= 0 && t < vocab && Number.isInteger(t))) throw new RangeError(`Expected target ids in [0, ${vocab}), got ${t}`)
    flat[i] = i * vocab + t
  }
  return flat
}

/** The head's input gradient dx = g ⊙ (W[target] − P @ W) (pw = P @ W) and (g ⊙ x)ᵀ [hidden, n]. */
function headInputGradient(g: Float32Array, x: Float32Array, w: Float32Array, pw: Float32Array, flat: Int32Array, n: number, hidden: number, vocab: number): {dx: Float32Array; gxT: Float32Array} {
  const dx = new Float32Array(n * hidden)
  const gxT = new Float32Array(hidden * n)
  for (let i = 0; i < n; i++) {
    const gi = g[i] as number
    if (gi === 0) continue
    const t = (flat[i] as number) - i * vocab
    for (let c = 0; c < hidden; c++) {
      dx[i * hidden + c] = gi * ((w[t * hidden + c] as number) - (pw[i * hidden + c] as number))
      gxT[c * n + i] = gi * (x[i * hidden + c] as number)
    }
  }
  return {dx, gxT}
}

/** dW [vocab, hidden] = scatter(g ⊙ x at the targets) − (gxTP = (g ⊙ x)ᵀ @ P [hidden, vocab])ᵀ. */
function headWeightGradient(gxTP: Float32Array, gxT: Float32Array, flat: Int32Array, n: number, hidden: number, vocab: number): Float32Array {
  const dw = new Float32Array(vocab * hidden)
  for (let c = 0; c < hidden; c++) for (let j = 0; j < vocab; j++) dw[j * hidden + c] = -(gxTP[c * vocab + j] as number)
  for (let i = 0; i < n; i++) {
    const t = (flat[i] as number) - i * vocab
    for (let c = 0; c < hidden; c++) dw[t * hidden + c] = (dw[t * hidden + c] as number) + (gxT[c * n + i] as number)
  }
  return dw
}

export function createOps(tf: Tf): Ops {
  const matmul2d = tf.customGrad(((x: Tensor2D, w: Tensor2D, save: TfCore.GradSaveFunc) => {
    save([x, w])
    return {
      value: tf.matMul(x, w),
      gradFunc: (dy: Tensor2D, saved: Tensor[]) => {
        const [sx, sw] = saved as [Tensor2D, Tensor2D]
        return [tf.matMul(dy, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy)]
      },
    }
  }) as unknown as Parameters<Tf["customGrad"]>[0]) as (x: Tensor, w: Tensor) => Tensor2D

  const ops: Ops = {
    matmul(x, w) {
      if (x.rank !== 2 || w.rank !== 2) throw new RangeError(`Expected 2-D operands, got [${x.shape}] @ [${w.shape}]`)
      if (x.shape[1] !== w.shape[0]) throw new RangeError(`Expected inner dimensions to agree, got [${x.shape}] @ [${w.shape}]`)
      return matmul2d(x, w)
    },

    embedding(table, ids) {
      const [vocab, hidden] = table.shape as [number, number]
      for (const id of ids) if (id < 0 || id >= vocab || !Number.isInteger(id)) throw new RangeError(`Expected token ids in [0, ${vocab}), got ${id}`)
      const f = tf.customGrad(((t: Tensor2D) => {
        const idsTensor = tf.tensor1d(ids, 'int32')
        const value = tf.gather(t, idsTensor) as Tensor2D
        idsTensor.dispose()
        return {
          value,
          gradFunc: (dy: Tensor2D) => [tf.tensor2d(scatterAddRows(dy.dataSync() as Float32Array, ids, vocab, hidden), [vocab, hidden])],
        }
      }) as unknown as Parameters<Tf["customGrad"]>[0])
      return f(table) as Tensor2D
    },

    targetLogProbs(logits, targets) {
      const [n, vocab] = logits.shape as [number, number]
      const flat = targetIndices(targets, n, vocab)
      // wasm's Exp kernel is ~20× slower than its Softmax, so logsumexp is taken from the softmax at the row max
      // (lse = max − log softmax[argmax]; that entry is ≥ 1/vocab, so it never underflows), and the backward pass
      // g·(onehot − softmax) runs as one plain-JS loop over the saved softmax.
      const f = tf.customGrad(((z: Tensor2D, save: TfCore.GradSaveFunc) => {
        const probs = tf.softmax(z)
        const lse = tf.sub(tf.max(z, 1), tf.log(tf.max(probs, 1)))
        const picked = tf.gather(tf.reshape(z, [n * vocab]), tf.tensor1d(flat, 'int32'))
        save([probs])
        return {
          value: tf.sub(picked, lse),
          gradFunc: (g: TfCore.Tensor1D, saved: Tensor[]) => {
            const p = (saved[0] as Tensor).dataSync() as Float32Array
            const gv = g.dataSync() as Float32Array
            const out = new Float32Array(n * vocab)
            for (let i = 0; i < n; i++) {
              const gi = gv[i] as number
              const row = i * vocab
              for (let j = 0; j < vocab; j++) out[row + j] = -gi * (p[row + j] as number)
              out[flat[i] as number] = (out[flat[i] as number] as number) + gi
            }
            return [tf.tensor2d(out, [n, vocab])]
          },
        }
      }) as unknown as Parameters<Tf["customGrad"]>[0])
      return f(logits) as TfCore.Tensor1D
    },

    headLogProbs(x, table, targets) {
      if (x.rank !== 2 || table.rank !== 2 || x.shape[1] !== table.shape[1]) throw new RangeError(`Expected x [n, h] and table [v, h], got [${x.shape}] and [${table.shape}]`)
      const [n, hidden] = x.shape as [number, number]
      const vocab = table.shape[0] as number
      const flat = targetIndices(targets, n, vocab)
      const f = tf.customGrad(((xs: Tensor2D, w: Tensor2D, save: TfCore.GradSaveFunc) => {
        const wT = tf.tensor2d(transposeMatrix(w.dataSync() as Float32Array, vocab, hidden), [hidden, vocab])
        const z = tf.matMul(xs, wT)
        // As targetLogProbs: logsumexp from the softmax at the row max, because wasm's Exp is slow.
        const probs = tf.softmax(z)
        const lse = tf.sub(tf.max(z, 1), tf.log(tf.max(probs, 1)))
        const picked = tf.gather(tf.reshape(z, [n * vocab]), tf.tensor1d(flat, 'int32'))
        save([probs, xs, w])
        return {
          value: tf.sub(picked, lse),
          gradFunc: (g: TfCore.Tensor1D, saved: Tensor[]) => {
            const [sp, sx, sw] = saved as [Tensor2D, Tensor2D, Tensor2D]
            const gv = g.dataSync() as Float32Array
            const xv = sx.dataSync() as Float32Array
            const wv = sw.dataSync() as Float32Array
            // With G = diag(g)(onehot − P): dx = G @ W = g ⊙ (W[target] − P @ W), using P where it lies;
            // dW = Gᵀ @ x = scatter(g ⊙ x at targets) − Pᵀ @ (g ⊙ x), over the rows with g ≠ 0 only.
            const pw = tf.matMul(sp, sw).dataSync() as Float32Array
            const {dx, gxT} = headInputGradient(gv, xv, wv, pw, flat, n, hidden, vocab)
            // (g ⊙ x)ᵀ @ P [hidden, vocab] keeps P where it lies: measured faster than a JS transpose of P feeding
            // Pᵀ @ (g ⊙ x), even though XNNPACK runs this shape below its best rate.
            const gxTP = tf.matMul(tf.tensor2d(gxT, [hidden, n]), sp).dataSync() as Float32Array
            const dw = headWeightGradient(gxTP, gxT, flat, n, hidden, vocab)
            return [tf.tensor2d(dx, [n, hidden]), tf.tensor2d(dw, [vocab, hidden])]
          },
        }
      }) as unknown as Parameters<Tf["customGrad"]>[0])
      return f(x, table) as TfCore.Tensor1D
    },

    rmsNorm(x, weight, eps) {
      return tf.tidy(() => tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))), weight))
    },

    maskedMean(values, mask) {
      return tf.tidy(() => tf.div(tf.sum(tf.mul(values, mask)), tf.maximum(tf.sum(mask), 1)) as TfCore.Scalar)
    },
  }
  return ops
}
