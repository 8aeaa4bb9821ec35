// Probe for docs/decisions/0930: where one tfjs training step's time goes, kernel by kernel (tf.profile), grouped
// by kernel name and shapes, plus the wall time not spent in any kernel (JS loops, dataSync, tape bookkeeping).
// Not part of npm run bench. Reproduce: npm run build && node dist/bench/probes/train-profile.js [tiny|small] [top]
import {presetConfig, type PresetName} from '../../src/model/config.js'
import {initWeights} from '../../src/model/init.js'
import {PolicyTrainer} from '../../src/model/tfjs/policy-trainer.js'
import {Rng} from '../../src/core/rng.js'

const preset = (process.argv[2] ?? 'tiny') as PresetName
const top = Number(process.argv[3] ?? 30)
const vocab = preset === 'tiny' ? 2048 : 4096
const config = presetConfig(preset, vocab, vocab - 1)
const rng = new Rng(0)
const tokens = {inputIds: Int32Array.from({length: 8 * 256}, () => rng.int(vocab)), batch: 8, seqLen: 256}
const trainer = await PolicyTrainer.create(config, initWeights(config, 1))
const {tf} = trainer
for (let i = 0; i < 2; i++) await trainer.trainStep([tokens], (m, t) => m.nextTokenLoss(t))
const started = performance.now()
const info = await tf.profile(async () => {
  await trainer.trainStep([tokens], (m, t) => m.nextTokenLoss(t))
})
const wall = performance.now() - started
const groups = new Map<string, {ms: number; calls: number}>()
const byName = new Map<string, {ms: number; calls: number}>()
let kernelMs = 0
for (const k of info.kernels) {
  const ms = Number(await k.kernelTimeMs)
  kernelMs += ms
  const key = `${k.name} ${JSON.stringify(k.inputShapes)}`
  for (const [map, id] of [[groups, key], [byName, k.name]] as const) {
    const g = map.get(id) ?? {ms: 0, calls: 0}
    g.ms += ms
    g.calls++
    map.set(id, g)
  }
}
const print = (map: Map<string, {ms: number; calls: number}>, n: number) => {
  for (const [k, g] of [...map].sort((a, b) => b[1].ms - a[1].ms).slice(0, n)) console.log(`${g.ms.toFixed(1).padStart(8)} ms ${String(g.calls).padStart(5)}× ${k}`)
}
console.log(`wall ${wall.toFixed(0)} ms (profiled), kernels ${kernelMs.toFixed(0)} ms in ${info.kernels.length} calls, outside kernels ${(wall - kernelMs).toFixed(0)} ms`)
console.log('-- by kernel')
print(byName, 20)
console.log('-- by kernel and input shapes')
print(groups, top)
trainer.dispose()
