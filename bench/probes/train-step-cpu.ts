// Probe for docs/decisions/0930: main-thread CPU time of each tfjs training step (from /proc, so GC helper and
// compiler threads and time spent waiting for a core on a loaded machine do not count). Not part of npm run bench.
// A/B: build each commit and run this alternately. Reproduce: npm run build && node dist/bench/probes/train-step-cpu.js tiny 6
import {readFileSync} from 'node:fs'
import {presetConfig, type PresetName} from '../../src/model/config.js'
import {initWeights} from '../../src/model/init.js'
import {PolicyTrainer} from '../../src/model/tfjs/policy-trainer.js'
import {Rng} from '../../src/core/rng.js'

const preset = (process.argv[2] ?? 'tiny') as PresetName
const steps = Number(process.argv[3] ?? 6)
const vocab = preset === 'tiny' ? 2048 : 4096
const config = presetConfig(preset, vocab, vocab - 1)
const rng = new Rng(0)
const tokens = {inputIds: Int32Array.from({length: 8 * 256}, () => rng.int(vocab)), batch: 8, seqLen: 256}
const trainer = await PolicyTrainer.create(config, initWeights(config, 1))
/** utime + stime of the main thread in ms (fields 14 and 15 of /proc/self/task/<pid>/stat, 10 ms ticks). */
const mainThreadMs = (): number => {
  const fields = (readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1] as string).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}
const times: number[] = []
for (let i = 0; i <= steps; i++) {
  const before = mainThreadMs()
  await trainer.trainStep([tokens], (m, t) => m.nextTokenLoss(t))
  if (i > 0) times.push(mainThreadMs() - before)
}
console.log(JSON.stringify({probe: 'train-step-cpu', config: preset, main_thread_ms: times, min_ms: Math.min(...times)}))
trainer.dispose()
