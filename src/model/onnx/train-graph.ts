// The Qwen2 training step as one ONNX graph: forward to the target log-probs and the hand-derived backward pass of
// every parameter, with the weights as graph INPUTS (so one onnxruntime session, with dynamic batch and sequence axes, serves every
// optimiser step) and the upstream gradient d loss / d logp as an input (the loss itself is computed in JS from the
// log-probs). onnxruntime's native MLAS GEMMs then do the heavy products (decision 0940).
//
// Layout: rows n = batch·seq, hidden states [n, h]; attention per (row, kv head) with the `rep` query heads that
// share a kv head stacked along the query axis ([B, kvH, rep·T, d] @ [B, kvH, d, T]), as the tfjs fused op does.
import onnxProto from 'onnx-proto'
import type {ModelConfig} from '../config.js'
import {float, GraphBuilder, STANDARD_OPSET, valueInfo} from './graph.js'
import {trainParameters} from './train-layout.js'

const {onnx} = onnxProto
const FLOAT = onnx.TensorProto.DataType.FLOAT
const INT64 = onnx.TensorProto.DataType.INT64
const BOOL = onnx.TensorProto.DataType.BOOL
const MASK_VALUE = -1e9

export interface TrainGraphOptions {
  /** false: forward only (log-probs), for proximal/behaviour log-probs without the backward pass. Default true. */
  gradients?: boolean
}

export interface TrainGraph {
  bytes: Uint8Array
  /** Parameter input names, in trainParameters order. */
  parameterNames: string[]
  /** Gradient output names (`grad.<name>`), same order; empty for a forward-only graph. */
  gradientNames: string[]
}

/**
 * Inputs: `input_ids` int64 [B, T]; `position_ids` int64 [B, T] (RoPE positions); `attention_mask` float [B, T]
 * (1 = real token; masked keys are never attended to; a query whose keys are all masked attends uniformly, as a
 * −1e9 additive mask gives); `targets` int64 [B·T] (the token whose log-prob each position scores); `dlogp` float
 * [B·T] (gradient of the loss w.r.t. each log-prob; 0 for positions not trained on); then every parameter.
 * Outputs: `logp` [B·T], then `grad.<parameter>` in parameter order.
 */
export function buildTrainGraph(config: ModelConfig, options: TrainGraphOptions = {}): TrainGraph {
  const withGrads = options.gradients ?? true
  const g = new GraphBuilder(undefined)
  const {hiddenSize: h, numHeads: H, numKvHeads: kvH, headDim: d, intermediateSize: I, vocabSize: V} = config
  const rep = H / kvH
  const Q = H * d
  const KV = kvH * d
  const params = trainParameters(config)
  const eps = config.rmsNormEps
  // Batch and sequence are dynamic (one session serves every micro-batch shape); shapes that need them are built
  // from Shape(input_ids), the rest use Reshape's 0 (copy this axis) and −1 (infer).
  const dims = g.op('Shape', ['input_ids']) // [B, T]
  const seqScalar = g.op('Gather', [dims, g.int64([1], [])], {axis: 0})
  const seq1 = g.op('Unsqueeze', [seqScalar, g.int64([0])])
  const batch1 = g.op('Gather', [dims, g.int64([0])], {axis: 0})
  /** A shape vector of static numbers and dynamic 1-element int64 tensors. */
  const shapeOf = (...parts: Array<number | string>) => g.op('Concat', parts.map((part) => (typeof part === 'number' ? g.int64([part]) : part)), {axis: 0})
  const reshapeTo = (x: string, shape: string) => g.op('Reshape', [x, shape])

  const i64 = (values: number[]) => g.int64(values)
  const reshape = (x: string, shape: number[]) => g.op('Reshape', [x, i64(shape)])
  const transpose = (x: string, perm: number[]) => g.op('Transpose', [x], {perm})
  const matmul = (a: string, b: string) => g.op('MatMul', [a, b])
  /** 2-D a·bᵀ / aᵀ·b through Gemm (MLAS takes the transposed operand directly). */
  const gemm = (a: string, b: string, transA: 0 | 1, transB: 0 | 1) => g.op('Gemm', [a, b], {transA, transB})
  /** Batched products with transposed operands (onnxruntime's com.microsoft FusedMatMul). */
  const fusedMatMul = (a: string, b: string, transA: 0 | 1, transB: 0 | 1) => g.op('FusedMatMul', [a, b], {transA, transB, alpha: float(1)}, {domain: 'com.microsoft'})
  const mul = (a: string, b: string) => g.op('Mul', [a, b])
  const add = (a: string, b: string) => g.op('Add', [a, b])
  const sub = (a: string, b: string) => g.op('Sub', [a, b])
  const sumRows = (x: string) => g.op('ReduceSum', [x, i64([0])], {keepdims: 0})
  const scalar = (v: number) => g.float32([v], [])

  // --- RoPE tables [B, T, 1, d] from position_ids, fp32 as the generation graph computes them.
  const invFreq = Array.from({length: d / 2}, (_, i) => 1 / config.ropeTheta ** ((2 * i) / d))
  const freqs = mul(g.op('Unsqueeze', [g.op('Cast', ['position_ids'], {to: FLOAT}), i64([2])]), g.float32(invFreq))
  const angles = g.op('Concat', [freqs, freqs], {axis: -1})
  const cos = g.op('Unsqueeze', [g.op('Cos', [angles]), i64([2])])
  const sin = g.op('Unsqueeze', [g.op('Sin', [angles]), i64([2])])
  const halves = i64([d / 2, d / 2])
  /** x [B, T, heads, d] → x·cos + rotate_half(x)·sin. */
  const rope = (x: string) => {
    const [x1, x2] = g.node('Split', [x, halves], {axis: -1}, {outputs: 2}) as [string, string]
    return add(mul(x, cos), mul(g.op('Concat', [g.op('Neg', [x2]), x1], {axis: -1}), sin))
  }
  /** The transpose of RoPE: dx = dy·cos + rotate_halfᵀ(dy·sin), rotate_halfᵀ([a, b]) = [b, −a]. */
  const ropeBackward = (dy: string) => {
    const [s1, s2] = g.node('Split', [mul(dy, sin), halves], {axis: -1}, {outputs: 2}) as [string, string]
    return add(mul(dy, cos), g.op('Concat', [s2, g.op('Neg', [s1])], {axis: -1}))
  }

  const scoresShape = shapeOf(batch1, kvH, rep, seq1, seq1)
  // --- Attention bias [B, 1, 1, T, T]: causal AND key not masked.
  const slots = g.op('Range', [g.int64([0], []), seqScalar, g.int64([1], [])])
  const causal = g.op('LessOrEqual', [g.op('Unsqueeze', [slots, i64([0])]), g.op('Unsqueeze', [slots, i64([1])])]) // [T(q), T(k)]
  const keyOk = g.op('Unsqueeze', [g.op('Cast', ['attention_mask'], {to: BOOL}), i64([1])]) // [B, 1, T]
  // Expanded once to the scores' full shape: onnxruntime's broadcasting Add over middle axes is ~10× slower than a
  // same-shape Add, and every layer reuses it.
  const bias = g.op('Expand', [g.op('Unsqueeze', [g.op('Where', [g.op('And', [causal, keyOk]), scalar(0), scalar(MASK_VALUE)]), i64([1, 2])]), scoresShape])

  // --- RMSNorm with what its backward pass needs.
  interface Norm { y: string; xhat: string; r: string; w: string }
  const rmsNorm = (x: string, w: string): Norm => {
    const ms = g.op('ReduceMean', [mul(x, x)], {axes: [-1], keepdims: 1})
    const r = g.op('Reciprocal', [g.op('Sqrt', [add(ms, scalar(eps))])])
    const xhat = mul(x, r)
    return {y: mul(xhat, w), xhat, r, w}
  }
  /** dx = r·(dxhat − xhat·mean(dxhat·xhat)), dw = Σ_rows dy·xhat. */
  const rmsNormBackward = (norm: Norm, dy: string): {dx: string; dw: string} => {
    const dxhat = mul(dy, norm.w)
    const proj = g.op('ReduceMean', [mul(dxhat, norm.xhat)], {axes: [-1], keepdims: 1})
    return {dx: mul(norm.r, sub(dxhat, mul(norm.xhat, proj))), dw: sumRows(mul(dy, norm.xhat))}
  }

  interface LayerSaved {
    x: string
    n1: Norm
    q4: string // [B, kvH, rep·T, d], scaled and rotated
    kT: string // [B, kvH, d, T]
    v4: string // [B, kvH, T, d]
    p4: string // [B, kvH, rep·T, T]
    merged: string // [n, Q]
    n2: Norm
    up: string
    sig: string
    silu: string
    act: string
  }

  // --- Forward.
  const embed = 'embed'
  let x = g.op('Gather', [embed, reshape('input_ids', [-1])], {axis: 0}) // [n, h]
  const saved: LayerSaved[] = []
  const attnScale = scalar(1 / Math.sqrt(d))
  for (let l = 0; l < config.numLayers; l++) {
    const p = `l${l}.`
    const n1 = rmsNorm(x, `${p}ln1`)
    let qkv = matmul(n1.y, `${p}qkv`)
    if (config.qkvBias) qkv = add(qkv, `${p}qkv_bias`)
    const [q, k, v] = g.node('Split', [qkv, i64([Q, KV, KV])], {axis: -1}, {outputs: 3}) as [string, string, string]
    const qRot = rope(reshapeTo(mul(q, attnScale), shapeOf(dims, H, d)))
    const kRot = rope(reshapeTo(k, shapeOf(dims, kvH, d)))
    const q4 = reshape(transpose(reshape(qRot, [0, 0, kvH, rep, d]), [0, 2, 3, 1, 4]), [0, 0, -1, d])
    const kT = transpose(kRot, [0, 2, 3, 1])
    const v4 = transpose(reshapeTo(v, shapeOf(dims, kvH, d)), [0, 2, 1, 3])
    const scores = add(reshapeTo(matmul(q4, kT), scoresShape), bias)
    const p4 = reshape(g.op('Softmax', [scores], {axis: -1}), [0, 0, -1, 0])
    const o4 = matmul(p4, v4) // [B, kvH, rep·T, d]
    const merged = reshape(transpose(reshape(o4, [0, 0, rep, -1, d]), [0, 3, 1, 2, 4]), [-1, Q])
    const x2 = add(x, matmul(merged, `${p}o`))
    const n2 = rmsNorm(x2, `${p}ln2`)
    const [gate, up] = g.node('Split', [matmul(n2.y, `${p}gate_up`), i64([I, I])], {axis: -1}, {outputs: 2}) as [string, string]
    const sig = g.op('Sigmoid', [gate])
    const silu = mul(gate, sig)
    const act = mul(silu, up)
    saved.push({x, n1, q4, kT, v4, p4, merged, n2, up, sig, silu, act})
    x = add(x2, matmul(act, `${p}down`))
  }
  const nf = rmsNorm(x, 'norm')
  const head = config.tieWordEmbeddings ? embed : 'lm_head'
  const logits = gemm(nf.y, head, 0, 1) // [n, V]
  // log p(target) = logit[target] − lse, lse = max − log(max P): the largest softmax entry is ≥ 1/vocab, so it
  // cannot underflow, and the one exponential pass (Softmax) also gives the P the backward pass needs.
  const probs = g.op('Softmax', [logits], {axis: -1})
  const lse = sub(g.op('ReduceMax', [logits], {axes: [-1], keepdims: 1}), g.op('Log', [g.op('ReduceMax', [probs], {axes: [-1], keepdims: 1})]))
  const targets2 = reshape('targets', [-1, 1])
  g.op('Reshape', [sub(g.op('GatherElements', [logits, targets2], {axis: 1}), lse), i64([-1])], {}, {output: 'logp'})

  const gradientNames: string[] = []
  if (withGrads) {
    const grads = new Map<string, string>()
    const addGrad = (name: string, value: string) => {
      const prev = grads.get(name)
      grads.set(name, prev ? add(prev, value) : value)
    }
    // --- Head: dlogits = G = diag(g)·(onehot(target) − P), g = dlogp, P = softmax. G is never formed (scaling
    // [n, vocab] rows is a slow broadcast): dy = g ⊙ (W[target] − P·W), dW = scatter(g ⊙ y at targets) − Pᵀ·(g ⊙ y).
    const dlogp2 = reshape('dlogp', [-1, 1])
    const gy = mul(nf.y, dlogp2) // [n, h]
    addGrad(head, g.op('ScatterND', [g.op('Neg', [gemm(probs, gy, 1, 0)]), targets2, gy], {reduction: 'add'}))
    const dnf = rmsNormBackward(nf, mul(sub(g.op('Gather', [head, 'targets'], {axis: 0}), gemm(probs, head, 0, 0)), dlogp2))
    addGrad('norm', dnf.dw)
    let dx = dnf.dx
    // --- Layers, last to first.
    for (let l = config.numLayers - 1; l >= 0; l--) {
      const p = `l${l}.`
      const s = saved[l] as LayerSaved
      // MLP: x3 = x2 + act·Wdown.
      addGrad(`${p}down`, gemm(s.act, dx, 1, 0))
      const dact = gemm(dx, `${p}down`, 0, 1)
      const dup = mul(dact, s.silu)
      // d silu(g)/dg = s + silu·(1 − s) = s + silu − silu·s (same-shape ops only: scalar broadcasts are slow).
      const dsilu = add(s.sig, sub(s.silu, mul(s.silu, s.sig)))
      const dgate = mul(mul(dact, s.up), dsilu)
      const dgu = g.op('Concat', [dgate, dup], {axis: -1})
      addGrad(`${p}gate_up`, gemm(s.n2.y, dgu, 1, 0))
      const dn2 = rmsNormBackward(s.n2, gemm(dgu, `${p}gate_up`, 0, 1))
      addGrad(`${p}ln2`, dn2.dw)
      const dx2 = add(dx, dn2.dx)
      // Attention output projection.
      addGrad(`${p}o`, gemm(s.merged, dx2, 1, 0))
      const dmerged = gemm(dx2, `${p}o`, 0, 1) // [n, Q]
      const do4 = reshape(transpose(reshapeTo(dmerged, shapeOf(dims, kvH, rep, d)), [0, 2, 3, 1, 4]), [0, 0, -1, d])
      const dv4 = fusedMatMul(s.p4, do4, 1, 0) // [B, kvH, T, d], summed over the group
      const dp4 = fusedMatMul(do4, s.v4, 0, 1) // [B, kvH, rep·T, T]
      // Softmax: dS = P ∘ (dP − rowsum(dP ∘ P)).
      const rowDot = g.op('ReduceSum', [mul(dp4, s.p4), i64([-1])], {keepdims: 1})
      const ds4 = mul(s.p4, sub(dp4, rowDot))
      const dq4 = fusedMatMul(ds4, s.kT, 0, 1) // [B, kvH, rep·T, d]
      const dk4 = fusedMatMul(ds4, s.q4, 1, 0) // [B, kvH, T, d]
      const dqRot = reshape(transpose(reshape(dq4, [0, 0, rep, -1, d]), [0, 3, 1, 2, 4]), [0, 0, H, d])
      const dq = mul(reshape(ropeBackward(dqRot), [-1, Q]), attnScale)
      const dk = reshape(ropeBackward(transpose(dk4, [0, 2, 1, 3])), [-1, KV])
      const dv = reshape(transpose(dv4, [0, 2, 1, 3]), [-1, KV])
      const dqkv = g.op('Concat', [dq, dk, dv], {axis: -1})
      if (config.qkvBias) addGrad(`${p}qkv_bias`, sumRows(dqkv))
      addGrad(`${p}qkv`, gemm(s.n1.y, dqkv, 1, 0))
      const dn1 = rmsNormBackward(s.n1, gemm(dqkv, `${p}qkv`, 0, 1))
      addGrad(`${p}ln1`, dn1.dw)
      dx = add(dx2, dn1.dx)
    }
    // --- Embedding: scatter-add of dx into the looked-up rows.
    const ids2 = reshape('input_ids', [-1, 1])
    const zeros = g.op('ConstantOfShape', [i64([V, h])], {value: {tensor: {dims: [1], dataType: FLOAT, floatData: [0]}}})
    addGrad(embed, g.op('ScatterND', [zeros, ids2, dx], {reduction: 'add'}))
    for (const param of params) {
      const value = grads.get(param.name)
      if (!value) throw new Error(`train graph: no gradient for ${param.name}`)
      const name = `grad.${param.name}`
      g.op('Identity', [value], {}, {output: name})
      gradientNames.push(name)
    }
  }

  const inputs = [
    valueInfo('input_ids', INT64, ['batch', 'seq']),
    valueInfo('position_ids', INT64, ['batch', 'seq']),
    valueInfo('attention_mask', FLOAT, ['batch', 'seq']),
    valueInfo('targets', INT64, ['rows']),
    ...(withGrads ? [valueInfo('dlogp', FLOAT, ['rows'])] : []),
    ...params.map((p) => valueInfo(p.name, FLOAT, p.shape)),
  ]
  const outputs = [valueInfo('logp', FLOAT, ['rows']), ...params.filter(() => withGrads).map((p) => valueInfo(`grad.${p.name}`, FLOAT, p.shape))]
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'ars',
    producerVersion: '0.1.0',
    opsetImport: [{domain: '', version: STANDARD_OPSET}, {domain: 'com.microsoft', version: 1}],
    graph: {name: withGrads ? 'qwen2_train_step' : 'qwen2_logprobs', node: g.nodes, initializer: g.initializers, input: inputs, output: outputs},
  })
  return {bytes: onnx.ModelProto.encode(model).finish(), parameterNames: params.map((p) => p.name), gradientNames}
}
