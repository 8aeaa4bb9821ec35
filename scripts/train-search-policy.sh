#!/usr/bin/env bash
# Reproduces datasets/policy-search-sft and datasets/policy-search-rl: a policy that searches, trained by ars itself
# on the embedded world, then improved by asynchronous RL — and the measurements in their READMEs (decision 0960).
#
#   npm run build && scripts/train-search-policy.sh          # ≈ 60 min on tfjs-wasm (decision 0960); the default
#                                                            # onnxruntime trainer (decision 0940) is ~6× faster
#
# 1. demonstrations: a larger question set of the same world (dev/test facts held out), solved by the search-only
#    world oracle in the compact agent format; 2. SFT of a 0.8M-parameter model on 1–2-hop demonstrations (and a
#    few 3–4-hop ones); 3. ars train (async GRPO, dynamic sampling) from the SFT checkpoint on the world's train
#    questions; 4. the control: the same wall-clock budget spent on more SFT; 5. greedy evals on world dev + test
#    (320 questions) with tools and closed-book, per-hop tables, and paired-bootstrap comparisons.
#
# Knobs (environment): WORK (runs/policy-search), STAGES (default "data sft rl control eval"), OTHER_WORLDS (seeds of
# the extra worlds, "2 3 4 5 6 7"), RL_STEPS, RL_LR, RL_SAMPLES, COPY (1: copy the policies into datasets/).
set -euo pipefail
cd "$(dirname "$0")/.."
W=${W:-datasets/world-small}
WORK=${WORK:-runs/policy-search}
STAGES=${STAGES:-data sft rl control eval}
OTHER_WORLDS=${OTHER_WORLDS:-2 3 4 5 6 7}
RL_STEPS=${RL_STEPS:-45}
RL_LR=${RL_LR:-5e-4}
RL_SAMPLES=${RL_SAMPLES:-16}
ars() { node bin/run.js "$@"; }
has() { [[ " $STAGES " == *" $1 "* ]]; }
clock() { date +%s; }
mkdir -p "$WORK"
T0=$(clock)
echo "train-search-policy: stages [$STAGES] in $WORK" >&2

[ -f "$W/index/meta.json" ] || ars index "$W/corpus.jsonl" --out "$W/index" -q

if has data; then
  ars model init --preset mini --tokenizer world --seed 0 --out "$WORK/init" --force -q
  # The evaluation world (seed 1) with ten times the questions; any question sharing a supporting fact (or its text)
  # with world dev/test is dropped, so no demonstration shows a held-out answer.
  ars world build --seed 1 --questions 16000 --out "$WORK/world-q" --force -q
  cat "$WORK"/world-q/questions/{dev,test,train}.jsonl | node scripts/held-out-questions.mjs "$W"/questions/{dev,test}.jsonl > "$WORK/pool.jsonl"
  demos() { # QUESTIONS WORLD OUT: the search-only oracle in the compact format, right episodes as SFT examples
    ars rollout --model oracle --search "$2" --format compact --seed 0 -q < "$1" | ars export --format sft-jsonl --min-reward 1 > "$3"
  }
  ars filter --max-hops 2 -q < "$WORK/pool.jsonl" > "$WORK/pool-12.jsonl"
  ars filter --min-hops 3 -q < "$WORK/pool.jsonl" > "$WORK/pool-34.jsonl"
  demos "$WORK/pool-12.jsonl" "$W" "$WORK/demos-12.jsonl"
  demos "$WORK/pool-34.jsonl" "$W" "$WORK/demos-34.jsonl"
  # Six other worlds: their names never repeat, so copying from the question and the results is the only way to
  # lower the loss (on the evaluation world alone the model memorised its 2 000 names instead; decision 0960).
  for s in $OTHER_WORLDS; do
    ars world build --seed "$s" --questions 5000 --out "$WORK/w$s" --force -q
    ars index "$WORK/w$s/corpus.jsonl" --out "$WORK/w$s/index" -q
    cat "$WORK"/w$s/questions/*.jsonl | ars filter --max-hops 2 -q > "$WORK/w$s/q12.jsonl"
    cat "$WORK"/w$s/questions/*.jsonl | ars filter --min-hops 3 -q > "$WORK/w$s/q34.jsonl"
    demos "$WORK/w$s/q12.jsonl" "$WORK/w$s" "$WORK/demos-12-w$s.jsonl"
    demos "$WORK/w$s/q34.jsonl" "$WORK/w$s" "$WORK/demos-34-w$s.jsonl"
  done
  demos "$W/questions/train.jsonl" "$W" "$WORK/demos-train.jsonl"
  # Phase 1: 1–2-hop demonstrations of the evaluation world (and 200 of 3–4 hops). Phase 2: 1 700 + 35 from each
  # other world and the rest of the evaluation world's. Control: fresh ones (every hop count) never trained on,
  # including the oracle's demonstrations of the train questions RL trains on.
  { head -n 7000 "$WORK/demos-12.jsonl"; head -n 200 "$WORK/demos-34.jsonl"; } > "$WORK/sft-mix-1.jsonl"
  { for s in $OTHER_WORLDS; do head -n 1700 "$WORK/demos-12-w$s.jsonl"; head -n 35 "$WORK/demos-34-w$s.jsonl"; done; tail -n +7001 "$WORK/demos-12.jsonl"; } > "$WORK/sft-mix-2.jsonl"
  { cat "$WORK/demos-train.jsonl"; for s in $OTHER_WORLDS; do tail -n +1701 "$WORK/demos-12-w$s.jsonl"; tail -n +36 "$WORK/demos-34-w$s.jsonl"; done; } > "$WORK/control-mix.jsonl"
  echo "data: $(wc -l < "$WORK/sft-mix-1.jsonl") + $(wc -l < "$WORK/sft-mix-2.jsonl") SFT demonstrations, $(wc -l < "$WORK/control-mix.jsonl") for the control ($(( $(clock) - T0 )) s)" >&2
fi

if has sft; then
  t=$(clock)
  ars train sft "$WORK/sft-mix-1.jsonl" -m "$WORK/init" -o "$WORK/sft-1" --max-seq-len 1024 --lr 4e-3 --warmup 20 --seed 0 --force \
    --batch-tokens 8192 --micro-batch-tokens 4096 --epochs 2 --save-every 40 --keep 0
  ars train sft "$WORK/sft-mix-2.jsonl" -m "$WORK/sft-1/latest" -o "$WORK/sft" --max-seq-len 1024 --lr 3e-3 --warmup 10 --seed 0 --force \
    --batch-tokens 8192 --micro-batch-tokens 4096 --save-every 40 --keep 0
  echo "$(( $(clock) - t ))" > "$WORK/sft.seconds"
  echo "sft: $(cat "$WORK/sft.seconds") s" >&2
fi

if has rl; then
  t=$(clock)
  # The world's own train split, every hop count; dynamic sampling keeps the groups with reward variance.
  ars train --model "$WORK/sft/latest" --questions "$W/questions/train.jsonl" --search "$W" --out "$WORK/rl" --force \
    --format compact --mode async --samples "$RL_SAMPLES" --batch-questions 4 --drop-zero-variance \
    --max-turns 6 --max-tokens-per-turn 48 --lr "$RL_LR" --steps "$RL_STEPS" --concurrency 16 --save-every 10 --keep 0 --seed 0 > "$WORK/rl-metrics.jsonl"
  echo "$(( $(clock) - t ))" > "$WORK/rl.seconds"
  echo "rl: $(cat "$WORK/rl.seconds") s" >&2
fi

if has control; then
  # The same wall-clock budget as RL, spent on more SFT from the same checkpoint with fresh demonstrations
  # (including 3–4-hop ones the SFT start never saw): what RL has to beat.
  budget=$(cat "$WORK/rl.seconds" 2>/dev/null || echo 900)
  per_step=$(node -e "const m=require('fs').readFileSync('$WORK/sft/metrics.jsonl','utf8').trim().split('\n').map(JSON.parse);const a=m.at(-1);console.log(a.time_ms/1000/a.step)")
  steps=$(node -e "console.log(Math.max(1, Math.round($budget / $per_step)))")
  demos=$(node -e "console.log(Math.min($(wc -l < "$WORK/control-mix.jsonl"), $steps * 32))")
  shuf -n "$demos" --random-source=<(yes) "$WORK/control-mix.jsonl" > "$WORK/control-sft.jsonl"
  echo "control: ~$steps SFT steps (${budget} s at ${per_step} s/step) on $demos fresh demonstrations" >&2
  ars train sft "$WORK/control-sft.jsonl" -m "$WORK/sft/latest" -o "$WORK/control" --max-seq-len 1024 --lr 1e-3 --warmup 5 --seed 0 --force \
    --batch-tokens 8192 --micro-batch-tokens 4096 --keep 1
fi

if has eval; then
  cat "$W"/questions/{dev,test}.jsonl > "$WORK/heldout.jsonl"
  for name in sft rl control; do
    model="$WORK/$name/latest"
    [ -e "$model" ] || continue
    ars eval --bench "$WORK/heldout.jsonl" --model "$model" --search "$W" --agent-format compact --max-turns 6 --concurrency 8 -q > "$WORK/eval-$name.jsonl"
    ars eval --bench "$WORK/heldout.jsonl" --model "$model" --search none -q > "$WORK/closed-$name.jsonl"
  done
  node scripts/eval-by-hops.mjs "$WORK"/eval-{sft,rl,control}.jsonl > "$WORK/by-hops.md"
  ars eval compare "$WORK/eval-sft.jsonl" "$WORK/eval-rl.jsonl" --seed 0 > "$WORK/compare-rl.txt"
  [ -f "$WORK/eval-control.jsonl" ] && ars eval compare "$WORK/eval-sft.jsonl" "$WORK/eval-control.jsonl" --seed 0 > "$WORK/compare-control.txt"
  [ -f "$WORK/eval-control.jsonl" ] && ars eval compare "$WORK/eval-control.jsonl" "$WORK/eval-rl.jsonl" --seed 0 > "$WORK/compare-rl-vs-control.txt"
  cat "$WORK/by-hops.md" "$WORK"/compare-*.txt >&2
fi

if [ "${COPY:-0}" = 1 ]; then
  for pair in "sft:datasets/policy-search-sft" "rl:datasets/policy-search-rl"; do
    src=$(readlink -f "$WORK/${pair%%:*}/latest"); dst=${pair#*:}
    mkdir -p "$dst"
    for f in config.json generation_config.json model.safetensors tokenizer.json tokenizer_config.json trainer_state.json; do [ -f "$src/$f" ] && cp "$src/$f" "$dst/$f"; done
  done
fi
echo "train-search-policy: done in $(( $(clock) - T0 )) s" >&2
