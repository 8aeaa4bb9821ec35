// optimizer.safetensors: the AdamW state of a checkpoint as one safetensors file, tensors named the way torch's
// AdamW state_dict names them (`exp_avg.<HF weight name>`, `exp_avg_sq.<…>`) with the step in the metadata.
import {DataError} from '../core/index.js'
import type {NamedTensor, Weights} from '../model/index.js'
import {readSafetensorsFile, writeSafetensorsFile} from '../model/index.js'
import type {OptimizerState} from '../model/index.js'

export const OPTIMIZER_FILE = 'optimizer.safetensors'

const FIRST = 'exp_avg.'
const SECOND = 'exp_avg_sq.'

export async function writeOptimizerState(path: string, state: OptimizerState): Promise<void> {
  const tensors: NamedTensor[] = []
  for (const [prefix, moments] of [[FIRST, state.firstMoments], [SECOND, state.secondMoments]] as const) {
    for (const t of moments.values()) tensors.push({name: `${prefix}${t.name}`, shape: t.shape, data: t.data})
  }
  await writeSafetensorsFile(path, tensors, {optimizer: 'adamw', step: String(state.step)})
}

export async function readOptimizerState(path: string): Promise<OptimizerState> {
  const {weights, metadata} = await readSafetensorsFile(path)
  const step = Number(metadata.step)
  if (metadata.optimizer !== 'adamw' || !Number.isInteger(step) || step < 0) {
    throw new DataError(`not an ars optimizer state (metadata optimizer=${metadata.optimizer ?? 'missing'}, step=${metadata.step ?? 'missing'})`, {code: 'optimizer-state', where: path, fix: 'Resume from a checkpoint written by ars train, or start over with --force.'})
  }
  const firstMoments: Weights = new Map()
  const secondMoments: Weights = new Map()
  for (const t of weights.values()) {
    // exp_avg_sq. also starts with exp_avg, so test the longer prefix first.
    const [prefix, into] = t.name.startsWith(SECOND) ? [SECOND, secondMoments] : t.name.startsWith(FIRST) ? [FIRST, firstMoments] : [undefined, undefined]
    if (!prefix || !into) throw new DataError(`unexpected tensor ${t.name} (expected exp_avg.* or exp_avg_sq.*)`, {code: 'optimizer-state', where: path, fix: 'Resume from a checkpoint written by ars train, or start over with --force.'})
    const name = t.name.slice(prefix.length)
    into.set(name, {name, shape: t.shape, data: t.data})
  }
  return {step, firstMoments, secondMoments}
}
