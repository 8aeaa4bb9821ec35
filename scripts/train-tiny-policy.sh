#!/usr/bin/env bash
# Reproduces datasets/policy-tiny: the embedded default policy, trained by ars itself on the embedded world.
# 1. a tiny Qwen2-family model (world BPE vocabulary); 2. world-oracle demonstrations on train questions, re-rendered
# as the ASearcher agent loop's own conversations with short observations; 3. closed-book "pretraining knowledge":
# every fact about the entities of the seed questions (dev/test supporting facts held out); 4. ars train sft on the
# mix; 5. the model files of the last checkpoint copied into datasets/policy-tiny. See datasets/policy-tiny/README.md.
#
#   npm run build && scripts/train-tiny-policy.sh            # ≈ 35 min of training on a shared 2-core machine
#
# Knobs (environment): TRAJECTORIES (train questions rolled out by the oracle, default 300), FACT_REPEATS (copies of
# the facts in the mix, default 12), LR (6e-3), CHECKPOINT (which one to copy, e.g. step-000700; default the last),
# WORK (runs/policy-tiny), OUT (datasets/policy-tiny).
set -euo pipefail
cd "$(dirname "$0")/.."
W=${W:-datasets/world-small}
WORK=${WORK:-runs/policy-tiny}
OUT=${OUT:-datasets/policy-tiny}
ars() { node bin/run.js "$@"; }
mkdir -p "$WORK"

[ -f "$W/index/meta.json" ] || ars index "$W/corpus.jsonl" --out "$W/index" -q
ars model init --preset tiny --tokenizer world --seed 0 --out "$WORK/init" --force -q

# Demonstrations: the oracle walks each question's KB path with the agent's own tools (search top 5, page parts),
# kept only when right, rendered in the ASearcher format with observations cut to ~300 characters.
head -n "${TRAJECTORIES:-300}" "$W/questions/train.jsonl" | ars rollout --model oracle --search "$W" --seed 0 -q > "$WORK/oracle.jsonl"
ars export --format sft-jsonl --agent-format asearcher --min-reward 1 --max-observation-chars 300 -i "$WORK/oracle.jsonl" > "$WORK/agent-sft.jsonl"

# Knowledge: closed-book QA about the seed questions' entities, in the closed-book solver's exact prompt.
ars world facts --world "$W" --about "$W/seeds.jsonl" > "$WORK/facts.jsonl"

for _ in $(seq "${FACT_REPEATS:-12}"); do cat "$WORK/facts.jsonl"; done > "$WORK/mix.jsonl"
cat "$WORK/agent-sft.jsonl" >> "$WORK/mix.jsonl"

nice node bin/run.js train sft "$WORK/mix.jsonl" -m "$WORK/init" -o "$WORK/run" --max-seq-len 2048 --lr "${LR:-6e-3}" --warmup 20 --seed 0 --save-every 50 --keep 0 --force

# The model files of a checkpoint (CHECKPOINT=step-000700; default the last), without the optimizer state.
latest=$(readlink -f "$WORK/run/${CHECKPOINT:+checkpoints/}${CHECKPOINT:-latest}")
mkdir -p "$OUT"
for f in config.json generation_config.json model.safetensors tokenizer.json tokenizer_config.json trainer_state.json; do cp "$latest/$f" "$OUT/$f"; done
echo "policy-tiny: $latest → $OUT" >&2
