#!/usr/bin/env node
// Keeps the questions (stdin JSONL) that share no supporting fact, and no question text, with the held-out
// question files named as arguments — so demonstrations drawn from a larger question set of the same world
// never show a dev/test answer. Used by scripts/train-search-policy.sh.
//   node scripts/held-out-questions.mjs datasets/world-small/questions/{dev,test}.jsonl < pool.jsonl > train.jsonl
import {readFileSync} from 'node:fs'
import {createInterface} from 'node:readline'

const facts = new Set()
const texts = new Set()
for (const file of process.argv.slice(2)) {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue
    const q = JSON.parse(line)
    for (const f of q.supporting_facts ?? []) facts.add(f)
    texts.add(q.question)
  }
}
let kept = 0
let dropped = 0
for await (const line of createInterface({input: process.stdin})) {
  if (!line.trim()) continue
  const q = JSON.parse(line)
  if (texts.has(q.question) || (q.supporting_facts ?? []).some((f) => facts.has(f))) dropped++
  else {
    kept++
    process.stdout.write(`${line}\n`)
  }
}
process.stderr.write(`held-out-questions: kept ${kept}, dropped ${dropped} sharing a fact or text with ${process.argv.length - 2} held-out file(s)\n`)
