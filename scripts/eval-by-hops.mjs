#!/usr/bin/env node
// Per hop count: episodes, EM, F1, tool calls and turns per episode, from EvalResult JSONL files (ars eval output).
// Used by scripts/train-search-policy.sh to write the before/after table of datasets/policy-search-*/README.md.
//   node scripts/eval-by-hops.mjs sft.jsonl rl.jsonl
import {readFileSync} from 'node:fs'

const pct = (x) => (100 * x).toFixed(1)
console.log('| file | hops | n | EM % | F1 % | tool calls / episode | turns / episode | answered % |')
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |')
for (const file of process.argv.slice(2)) {
  const rows = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))
  const groups = new Map()
  for (const r of rows) {
    const h = String(r.hops ?? '?')
    for (const key of [h, h === '1' || h === '2' ? '1–2' : '3–4', 'all']) {
      if (!groups.has(key)) groups.set(key, [])
      groups.get(key).push(r)
    }
  }
  for (const key of ['1', '2', '3', '4', '1–2', '3–4', 'all']) {
    const g = groups.get(key)
    if (!g) continue
    const mean = (f) => g.reduce((a, r) => a + f(r), 0) / g.length
    console.log(`| ${file} | ${key} | ${g.length} | ${pct(mean((r) => r.scores?.em ?? 0))} | ${pct(mean((r) => r.scores?.f1 ?? 0))} | ${mean((r) => r.stats?.tool_calls ?? 0).toFixed(2)} | ${mean((r) => r.stats?.turns ?? 0).toFixed(2)} | ${pct(mean((r) => (r.prediction ? 1 : 0)))} |`)
  }
}
