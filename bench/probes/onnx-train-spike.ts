// Spike for docs/decisions/0940: one forward+backward of the ONNX training graph (onnxruntime-node, MLAS) on a
// batch of 8 × 256, timed; optional gradient comparison with tfjs on the same weights. Not part of npm run bench.
// Reproduce: npm run build && node dist/bench/probes/onnx-train-spike.js tiny 1 [check]
import {presetConfig, type PresetName} from '../../src/model/config.js'
import {initWeights} from '../../src/model/init.js'
import {Rng} from '../../src/core/rng.js'
import {buildTrainGraph} from '../../src/model/onnx/train-graph.js'
import {toTrainLayout, trainParameters} from '../../src/model/onnx/train-layout.js'
import {OnnxSession, type HostTensor} from '../../src/model/onnx/runtime.js'

const preset = (process.argv[2] ?? 'tiny') as PresetName
const threads = Number(process.argv[3] ?? 1)
const steps = Number(process.env.STEPS ?? 5)
const vocab = preset === 'tiny' ? 2048 : 4096
const config = presetConfig(preset, vocab, vocab - 1)
const weights = initWeights(config, 1)
const B = 8
const T = 256
const n = B * T
const rng = new Rng(0)
const ids = Int32Array.from({length: n}, () => rng.int(vocab))
let started = performance.now()
const graph = buildTrainGraph(config)
const buildMs = performance.now() - started
started = performance.now()
const session = await OnnxSession.create(graph.bytes, {intraOpNumThreads: threads})
const loadMs = performance.now() - started
const params = toTrainLayout(config, weights)
const feeds: Record<string, HostTensor> = {
  input_ids: {data: BigInt64Array.from(ids, (v) => BigInt(v)), dims: [B, T]},
  position_ids: {data: BigInt64Array.from({length: n}, (_, i) => BigInt(i % T)), dims: [B, T]},
  attention_mask: {data: new Float32Array(n).fill(1), dims: [B, T]},
  targets: {data: BigInt64Array.from({length: n}, (_, i) => BigInt(i % T < T - 1 ? ids[i + 1] as number : 0)), dims: [n]},
  dlogp: {data: Float32Array.from({length: n}, (_, i) => (i % T < T - 1 ? -1 / (B * (T - 1)) : 0)), dims: [n]},
}
trainParameters(config).forEach((p, i) => (feeds[p.name] = {data: params[i] as Float32Array, dims: p.shape}))
const times: number[] = []
let loss = 0
for (let s = 0; s <= steps; s++) {
  const t0 = performance.now()
  const out = await session.run(feeds)
  if (s > 0) times.push(performance.now() - t0)
  const logp = out.logp!.data as Float32Array
  loss = 0
  for (let i = 0; i < n; i++) if (i % T < T - 1) loss -= logp[i] as number
  loss /= B * (T - 1)
}
times.sort((a, b) => a - b)
console.log(JSON.stringify({probe: 'onnx-train-spike', config: preset, threads, build_ms: Math.round(buildMs), load_ms: Math.round(loadMs), step_ms: times.map((t) => Math.round(t)), median_ms: Math.round(times[Math.floor(times.length / 2)] as number), loss}))
