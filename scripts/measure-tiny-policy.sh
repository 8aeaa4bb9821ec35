#!/usr/bin/env bash
# Measures a policy against issue 7's criterion and with tools (the figures in datasets/policy-tiny/README.md):
# 1. ars synthesize (KB engine) with the policy as the difficulty model: closed-book accuracy on each seed (step 0)
#    versus on the final synthesized question, from the synthesizer's own checks;
# 2. a re-test with fresh samples (ars filter --no-tool-fail, --seed 1) on the seeds and on the synthesized questions,
#    free of the synthesizer's stop rule (it stops editing once the model fails every sample);
# 3. ars eval --bench world-test with tools.
#
#   scripts/measure-tiny-policy.sh [POLICY] [OUT_DIR]        # defaults: datasets/policy-tiny runs/policy-tiny/measure
set -euo pipefail
cd "$(dirname "$0")/.."
P=${1:-datasets/policy-tiny}
M=${2:-runs/policy-tiny/measure}
W=${W:-datasets/world-small}
ars() { node bin/run.js "$@"; }
mkdir -p "$M"
[ -f "$W/index/meta.json" ] || ars index "$W/corpus.jsonl" --out "$W/index" -q

ars synthesize --engine kb --world "$W" --model "$P" --difficulty-samples 8 --seed 0 --rejects "$M/synth-rejects.jsonl" < "$W/seeds.jsonl" > "$M/synth.jsonl"
ars filter --no-tool-fail --model "$P" --samples 8 --seed 1 --rejects "$M/seeds-solved.jsonl" < "$W/seeds.jsonl" > "$M/seeds-unsolved.jsonl"
ars filter --no-tool-fail --model "$P" --samples 8 --seed 1 --rejects "$M/synth-solved.jsonl" < "$M/synth.jsonl" > "$M/synth-unsolved.jsonl"
node scripts/closed-book-gap.mjs "$M/synth.jsonl" "$M/synth-rejects.jsonl" "$M/seeds-unsolved.jsonl" "$M/seeds-solved.jsonl" "$M/synth-unsolved.jsonl" "$M/synth-solved.jsonl" | tee "$M/closed-book-gap.json"

ars eval --bench world-test --model "$P" --search "$W" --concurrency 4 ${EVAL_LIMIT:+--limit "$EVAL_LIMIT"} --out "$M/eval-world-test.jsonl" 2> "$M/eval-world-test.txt"
cat "$M/eval-world-test.txt"
