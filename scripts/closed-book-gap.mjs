#!/usr/bin/env node
// Issue 7's criterion from ars outputs: how often the model answers closed-book on the seeds versus on the questions
// synthesized from them. Reads `ars synthesize` output (+ its --rejects) and, optionally, `ars filter --no-tool-fail`
// runs (kept + --rejects) over the seeds and over the synthesized questions: an independent re-test with fresh
// samples, free of the synthesizer's stopping rule (it stops editing once the model fails every sample).
//
//   node scripts/closed-book-gap.mjs SYNTH.jsonl SYNTH_REJECTS.jsonl [SEEDS_KEPT SEEDS_REJECTS SYNTH_KEPT SYNTH_REJECTS]
import {readFileSync} from 'node:fs'

const read = (path) => readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))
const pct = (x) => `${(100 * x).toFixed(1)}%`
const [synthPath, rejectsPath, ...retest] = process.argv.slice(2)
if (!synthPath || !rejectsPath) {
  process.stderr.write('usage: closed-book-gap.mjs SYNTH.jsonl SYNTH_REJECTS.jsonl [SEEDS_KEPT SEEDS_REJECTS SYNTH_KEPT SYNTH_REJECTS]\n')
  process.exit(2)
}

// In-run: the difficulty check of step 0 (the seed) and of the last edit, sample-level accuracy.
function inRun(items) {
  let seedCorrect = 0, seedSamples = 0, finalCorrect = 0, finalSamples = 0, seedsSolved = 0, finalsSolved = 0
  for (const it of items) {
    const seed = it.meta?.seed_difficulty ?? it.history?.[0]?.checks?.difficulty
    const last = it.checks?.difficulty
    if (!seed?.samples || !last?.samples) continue
    seedCorrect += seed.correct; seedSamples += seed.samples; seedsSolved += seed.correct > 0 ? 1 : 0
    finalCorrect += last.correct; finalSamples += last.samples; finalsSolved += last.correct > 0 ? 1 : 0
  }
  const n = seedSamples / 8
  return {items: Math.round(n), seedAccuracy: seedCorrect / seedSamples, finalAccuracy: finalCorrect / finalSamples, seedsSolvedOnce: seedsSolved, finalsSolvedOnce: finalsSolved}
}

const kept = read(synthPath)
const rejects = read(rejectsPath)
const partial = rejects.map((r) => r.partial).filter(Boolean)
const all = inRun([...kept, ...partial])
const k = inRun(kept)
const out = {
  synthesized: kept.length,
  rejected: rejects.length,
  reject_reasons: Object.fromEntries(Object.entries(rejects.flatMap((r) => r.reasons.map((x) => x.code)).reduce((m, c) => ((m[c] = (m[c] ?? 0) + 1), m), {}))),
  in_run_all: {items: all.items, seed_accuracy: pct(all.seedAccuracy), final_accuracy: pct(all.finalAccuracy), seed_failure: pct(1 - all.seedAccuracy), final_failure: pct(1 - all.finalAccuracy), seeds_solved_at_least_once: all.seedsSolvedOnce, finals_solved_at_least_once: all.finalsSolvedOnce},
  in_run_kept: {items: k.items, seed_accuracy: pct(k.seedAccuracy), final_accuracy: pct(k.finalAccuracy)},
}

// Re-test: mean closed-book pass rate from `ars filter --no-tool-fail` (kept = 0 correct; rejects carry pass_rate).
function passRates(keptPath, rejectsPath) {
  const rates = new Map()
  for (const r of read(keptPath)) rates.set(r.seed_id ?? r.id, r.meta?.no_tool_pass_rate ?? 0)
  for (const r of read(rejectsPath)) {
    const reason = r.reasons.find((x) => x.code === 'solved-without-tools')
    if (reason) rates.set(r.record.seed_id ?? r.record.id, reason.pass_rate)
  }
  return rates
}
if (retest.length === 4) {
  const seeds = passRates(retest[0], retest[1])
  const finals = passRates(retest[2], retest[3])
  const paired = [...finals.keys()].filter((id) => seeds.has(id))
  const mean = (ids, m) => ids.reduce((s, id) => s + m.get(id), 0) / Math.max(1, ids.length)
  out.retest = {
    seeds: seeds.size, seed_accuracy: pct(mean([...seeds.keys()], seeds)), seeds_solved_at_least_once: [...seeds.values()].filter((x) => x > 0).length,
    synthesized: finals.size, final_accuracy: pct(mean([...finals.keys()], finals)), finals_solved_at_least_once: [...finals.values()].filter((x) => x > 0).length,
    paired: paired.length, paired_seed_accuracy: pct(mean(paired, seeds)), paired_final_accuracy: pct(mean(paired, finals)),
  }
}
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
