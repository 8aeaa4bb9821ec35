// Training machinery: gradients of a scalar loss, gradient accumulation over micro-batches (the wasm heap caps
// at 4 GB, so big batches are split), global-norm clipping and AdamW (decoupled weight decay, as torch.optim.AdamW).
import type * as TfCore from '@tensorflow/tfjs'
import type {Tf} from './backend.js'

type Tensor = TfCore.Tensor
type Variable = TfCore.Variable

export interface AdamWOptions {
  /** Default 1e-4. */
  learningRate?: number
  /** Default 0.9. */
  beta1?: number
  /** Default 0.999. */
  beta2?: number
  /** Default 1e-8. */
  epsilon?: number
  /** Decoupled weight decay; default 0.01 (torch's AdamW default). */
  weightDecay?: number
  /** Variables never decayed (norm weights, biases). */
  noDecay?: Set<Variable>
}

/** Gradients summed over micro-batches; `average()` divides by the accumulated weight. */
export class GradientAccumulator {
  readonly #tf: Tf
  readonly #variables: Variable[]
  #sums: Tensor[] | undefined
  #weight = 0

  constructor(tf: Tf, variables: Variable[]) {
    this.#tf = tf
    this.#variables = variables
  }

  get weight(): number {
    return this.#weight
  }

  /** Add grads (same order as the variables) scaled by `weight`; takes ownership of (disposes) `grads`. */
  add(grads: Tensor[], weight = 1): void {
    const tf = this.#tf
    if (grads.length !== this.#variables.length) throw new RangeError(`Expected ${this.#variables.length} gradients, got ${grads.length}`)
    const previous = this.#sums
    this.#sums = tf.tidy(() => grads.map((g, i) => {
      const scaled = weight === 1 ? g : tf.mul(g, weight)
      return previous ? tf.add(previous[i] as Tensor, scaled) : weight === 1 ? tf.clone(g) : scaled
    }))
    previous?.forEach((t) => t.dispose())
    grads.forEach((g) => g.dispose())
    this.#weight += weight
  }

  /** The weighted mean gradient (new tensors, caller disposes); throws when nothing was added. */
  average(): Tensor[] {
    if (!this.#sums || this.#weight === 0) throw new Error('GradientAccumulator: no gradients added')
    const sums = this.#sums
    const w = this.#weight
    return this.#tf.tidy(() => sums.map((s) => this.#tf.div(s, w)))
  }

  reset(): void {
    this.#sums?.forEach((t) => t.dispose())
    this.#sums = undefined
    this.#weight = 0
  }
}

/** Scale grads in place of a new list so their global L2 norm is ≤ maxNorm; returns the norm before clipping. */
export function clipByGlobalNorm(tf: Tf, grads: Tensor[], maxNorm: number): {grads: Tensor[]; norm: number} {
  const normTensor = tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))))
  const norm = (normTensor.dataSync() as Float32Array)[0] as number
  normTensor.dispose()
  if (!(maxNorm > 0) || !(norm > maxNorm)) return {grads, norm}
  const scale = maxNorm / (norm + 1e-6)
  const clipped = tf.tidy(() => grads.map((g) => tf.mul(g, scale)))
  grads.forEach((g) => g.dispose())
  return {grads: clipped, norm}
}

/** AdamW's resumable state: the step count and both moments of every variable (same order as the variables). */
export interface AdamWState {
  step: number
  /** First moments (torch's `exp_avg`), one per variable, in the variable's own layout. */
  m: Float32Array[]
  /** Second moments (torch's `exp_avg_sq`). */
  v: Float32Array[]
}

/** AdamW over a fixed list of variables; state is tf.Variables, updated in place. */
export class AdamW {
  readonly #tf: Tf
  readonly #variables: Variable[]
  readonly #m: Variable[]
  readonly #v: Variable[]
  readonly #options: Required<Omit<AdamWOptions, 'noDecay'>> & {noDecay: Set<Variable>}
  #step = 0

  constructor(tf: Tf, variables: Variable[], options: AdamWOptions = {}) {
    this.#tf = tf
    this.#variables = variables
    this.#options = {
      learningRate: options.learningRate ?? 1e-4,
      beta1: options.beta1 ?? 0.9,
      beta2: options.beta2 ?? 0.999,
      epsilon: options.epsilon ?? 1e-8,
      weightDecay: options.weightDecay ?? 0.01,
      noDecay: options.noDecay ?? new Set(),
    }
    for (const [key, value] of Object.entries(this.#options)) {
      if (typeof value === 'number' && !(value >= 0 && Number.isFinite(value))) throw new RangeError(`AdamW ${key}: expected a finite number ≥ 0, got ${value}`)
    }
    const zeros = (v: Variable) => {
      const z = tf.zerosLike(v)
      const state = tf.variable(z, false)
      z.dispose()
      return state
    }
    this.#m = variables.map(zeros)
    this.#v = variables.map(zeros)
  }

  get step(): number {
    return this.#step
  }

  /** Apply one update with `grads` (same order as the variables). Does not dispose `grads`. */
  apply(grads: Tensor[], learningRate = this.#options.learningRate): void {
    const tf = this.#tf
    const {beta1, beta2, epsilon, weightDecay, noDecay} = this.#options
    if (grads.length !== this.#variables.length) throw new RangeError(`Expected ${this.#variables.length} gradients, got ${grads.length}`)
    this.#step++
    const c1 = 1 - beta1 ** this.#step
    const c2 = 1 - beta2 ** this.#step
    tf.tidy(() => {
      for (const [i, p] of this.#variables.entries()) {
        const g = grads[i] as Tensor
        const m = this.#m[i] as Variable
        const v = this.#v[i] as Variable
        const mNew = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1))
        const vNew = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2))
        m.assign(mNew)
        v.assign(vNew)
        const update = tf.div(tf.div(mNew, c1), tf.add(tf.sqrt(tf.div(vNew, c2)), epsilon))
        const decayed = weightDecay > 0 && !noDecay.has(p) ? tf.mul(p, 1 - learningRate * weightDecay) : p
        p.assign(tf.sub(decayed, tf.mul(update, learningRate)))
      }
    })
  }

  /** Copies of the step count and moments, for a checkpoint. */
  exportState(): AdamWState {
    const read = (t: Variable) => Float32Array.from(t.dataSync() as Float32Array)
    return {step: this.#step, m: this.#m.map(read), v: this.#v.map(read)}
  }

  /** Restore a state from `exportState` (moments must match the variables' sizes, in order). */
  importState(state: AdamWState): void {
    const tf = this.#tf
    if (!(Number.isInteger(state.step) && state.step >= 0)) throw new RangeError(`AdamW state step: expected an integer ≥ 0, got ${state.step}`)
    for (const [key, list] of [['m', state.m], ['v', state.v]] as const) {
      if (list.length !== this.#variables.length) throw new RangeError(`AdamW state ${key}: expected ${this.#variables.length} moments, got ${list.length}`)
      list.forEach((data, i) => {
        const size = (this.#variables[i] as Variable).size
        if (data.length !== size) throw new RangeError(`AdamW state ${key}[${i}]: expected ${size} values, got ${data.length}`)
      })
    }
    const assign = (targets: Variable[], list: Float32Array[]) => targets.forEach((t, i) => {
      const value = tf.tensor(list[i] as Float32Array, t.shape, 'float32')
      t.assign(value)
      value.dispose()
    })
    assign(this.#m, state.m)
    assign(this.#v, state.v)
    this.#step = state.step
  }

  dispose(): void {
    for (const t of [...this.#m, ...this.#v]) t.dispose()
  }
}

/** Let rollouts and I/O run between heavy steps (tfjs work is synchronous on wasm/cpu). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
