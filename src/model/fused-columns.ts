// Fused projection layouts shared by the two training runtimes (tfjs and the onnxruntime training graph): HF Linear
// weights [out_i, in] side by side as one [in, Σ out_i] matrix (q|k|v, gate|up), and back.

/** Concatenate HF Linear weights [out_i, in] into one [in, Σ out_i] matrix. */
export function fuseColumns(parts: readonly Float32Array[], outs: readonly number[], inDim: number): Float32Array {
  const total = outs.reduce((a, b) => a + b, 0)
  const out = new Float32Array(inDim * total)
  let col = 0
  parts.forEach((p, m) => {
    const rows = outs[m] as number
    for (let o = 0; o < rows; o++) for (let i = 0; i < inDim; i++) out[i * total + col + o] = p[o * inDim + i] as number
    col += rows
  })
  return out
}

/** Split an [in, Σ out_i] matrix back into HF [out_i, in] weights. */
export function splitColumns(data: Float32Array, inDim: number, outs: readonly number[]): Float32Array[] {
  const total = outs.reduce((a, b) => a + b, 0)
  const result: Float32Array[] = []
  let col = 0
  for (const rows of outs) {
    const w = new Float32Array(rows * inDim)
    for (let o = 0; o < rows; o++) for (let i = 0; i < inDim; i++) w[o * inDim + i] = data[i * total + col + o] as number
    result.push(w)
    col += rows
  }
  return result
}
