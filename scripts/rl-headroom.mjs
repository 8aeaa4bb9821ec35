#!/usr/bin/env node
// Where RL can gain greedily, and where it did: questions split by the starting policy's greedy result (right or wrong)
// and whether any of its k samples at temperature 1 was right (pass@k); for each cell, how many of them each later
// policy answers right greedily. RL that sharpens what the start already samples gains in "wrong, sampled right"
// (the headroom) and cannot easily gain in "wrong, never sampled right". Reads EvalResult JSONL (ars eval output);
// the primary metric is EM. A second table splits the questions by how many of the k samples were right (quarters of
// k) and counts, for each later policy, the questions it gained and lost greedily there: where RL converts and where
// it churns. Used by scripts/train-search-policy.sh (decision 0960, sixth and seventh attempts).
//   node scripts/rl-headroom.mjs START_GREEDY.jsonl START_K_SAMPLES.jsonl [LATER_GREEDY.jsonl …]
import {readFileSync} from 'node:fs'

const [greedyFile, samplesFile, ...later] = process.argv.slice(2)
if (!greedyFile || !samplesFile) {
  console.error('usage: node scripts/rl-headroom.mjs START_GREEDY.jsonl START_K_SAMPLES.jsonl [LATER_GREEDY.jsonl …]')
  process.exit(2)
}
const read = (file) =>
  readFileSync(file, 'utf8').split('\n').map((l, i) => [l, i]).filter(([l]) => l.trim()).map(([l, i]) => {
    try { return JSON.parse(l) } catch (e) { console.error(`${file}:${i + 1}: not JSON (${e.message}); pass ars eval output`); process.exit(1) }
  })
const em = (r) => (r.scores?.em ?? 0) > 0
const greedy = new Map(read(greedyFile).map((r) => [r.id, em(r)]))
const samples = read(samplesFile)
// Per question, how many of its samples are right (a question with none right still has an entry).
const rightSamples = new Map()
for (const r of samples) rightSamples.set(r.id, (rightSamples.get(r.id) ?? 0) + (em(r) ? 1 : 0))
const k = Math.max(...samples.map((r) => (r.sample_index ?? 0) + 1))
const cells = [
  ['right greedily', (g) => g],
  [`wrong greedily, right in some of ${k} samples (the headroom)`, (g, s) => !g && s],
  [`wrong greedily and in all ${k} samples`, (g, s) => !g && !s],
]
const laters = later.map((f) => [f, new Map(read(f).map((r) => [r.id, em(r)]))])
console.log(`| start: ${greedyFile} | questions |${laters.map(([f]) => ` right greedily: ${f} |`).join('')}`)
console.log(`| --- | --- |${laters.map(() => ' --- |').join('')}`)
for (const [label, test] of cells) {
  const ids = [...greedy.keys()].filter((id) => rightSamples.has(id) && test(greedy.get(id), rightSamples.get(id) > 0))
  console.log(`| ${label} | ${ids.length} |${laters.map(([, m]) => ` ${ids.filter((id) => m.get(id)).length} |`).join('')}`)
}
// By how often the start's samples are right: 0, then quarters of k (1–4, 5–8, 9–12, 13–16 of 16).
const quarter = (c) => (c === 0 ? 0 : Math.ceil((4 * c) / k))
const range = (q) => (q === 0 ? [0, 0] : [Math.floor(((q - 1) * k) / 4) + 1, Math.floor((q * k) / 4)])
console.log('')
console.log(`| start's samples right (of ${k}) | questions | right greedily: start |${laters.map(([f]) => ` ${f}: gained / lost |`).join('')}`)
console.log(`| --- | --- | --- |${laters.map(() => ' --- |').join('')}`)
for (let q = 0; q <= 4; q++) {
  const [lo, hi] = range(q)
  if (lo > hi) continue
  const ids = [...greedy.keys()].filter((id) => rightSamples.has(id) && quarter(rightSamples.get(id)) === q)
  const start = ids.filter((id) => greedy.get(id))
  const moved = laters.map(([, m]) => `${ids.filter((id) => !greedy.get(id) && m.get(id)).length} / ${start.filter((id) => !m.get(id)).length}`)
  console.log(`| ${lo === hi ? lo : `${lo}–${hi}`} | ${ids.length} | ${start.length} |${moved.map((c) => ` ${c} |`).join('')}`)
}
const missing = [...greedy.keys()].filter((id) => !rightSamples.has(id)).length
if (missing) console.error(`rl-headroom: ${missing} questions of ${greedyFile} have no samples in ${samplesFile}; left out`)
