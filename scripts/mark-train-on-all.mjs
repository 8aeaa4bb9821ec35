#!/usr/bin/env node
// Marks a share (in tenths) of SFT examples (stdin JSONL) `train_on: "all"`, chosen by ars's string hash of each id
// (FNV-1a, src/core/rng.ts; mod 10, deterministic), and leaves the rest as they are. Language modelling on the whole
// episode trains on the observations too, which repeat every name ("[1] Belaburg: Belaburg is a city in Kelmaria … Country: Kelmaria"): the copying a small policy's
// actions need (decision 0960). Used by scripts/train-search-policy.sh.
//   npm run build && node scripts/mark-train-on-all.mjs 0.3 < demos.jsonl > mix.jsonl
import {createInterface} from 'node:readline'
import {hashString} from '../dist/src/core/index.js'

const share = Number(process.argv[2] ?? '0.3')
if (!(share >= 0 && share <= 1) || Math.round(share * 10) !== share * 10) {
  console.error(`mark-train-on-all: the share must be one of 0, 0.1, …, 1, got ${JSON.stringify(process.argv[2])}`)
  process.exit(2)
}
let marked = 0
let total = 0
for await (const line of createInterface({input: process.stdin})) {
  if (!line.trim()) continue
  const e = JSON.parse(line)
  total++
  if (hashString(String(e.id)) % 10 < Math.round(share * 10)) {
    e.train_on = 'all'
    marked++
  }
  process.stdout.write(`${JSON.stringify(e)}\n`)
}
console.error(`mark-train-on-all: ${marked} of ${total} examples trained on every token`)
