#!/usr/bin/env bash
# Reproduces datasets/policy-search-sft and datasets/policy-search-rl: a policy that searches, trained by ars itself
# on the embedded world, then improved by asynchronous RL — and the measurements in their READMEs (decision 0960).
#
#   npm run build && scripts/train-search-policy.sh          # ≈ 80 min on the shared 2-core machine (decision 0960)
#
# 1. data: the search-only world oracle solves questions in the compact agent format — a 16 000-question set of the
#    evaluation world (dev/test facts held out) and 24 other worlds (names never repeat, so copying is the only way
#    down) — and its right episodes become 97 158 SFT demonstrations, 30 % of them trained on every token;
# 2. sft: one epoch of them (3 466 steps of 8 192 tokens, onnxruntime trainer) from START (default: the previous
#    policy-search-sft from git history; "scratch" runs its first phase from initial weights first);
# 3. rl: ars train (async GRPO, dynamic sampling, EM reward) on the world's train questions, with the control beside
#    it — the same wall-clock spent on more SFT from the same checkpoint;
# 4. eval: greedy on world dev + test (320 questions) with tools, with searches that find nothing, and closed-book;
#    per-hop tables and paired-bootstrap comparisons.
#
# Knobs (environment): WORK (runs/policy-search), STAGES (default "data sft rl eval"), OTHER_WORLDS (seeds of the
# extra worlds, 2…25), START (previous|scratch), RL_STEPS, RL_LR (default: from the model's size), RL_SAMPLES, COPY (1:
# copy the policies into datasets/).
set -euo pipefail
cd "$(dirname "$0")/.."
W=${W:-datasets/world-small}
WORK=${WORK:-runs/policy-search}
STAGES=${STAGES:-data sft rl eval}
OTHER_WORLDS=${OTHER_WORLDS:-$(seq 2 25)}
START=${START:-previous}
RL_STEPS=${RL_STEPS:-400}
RL_LR=${RL_LR:-}
RL_SAMPLES=${RL_SAMPLES:-16}
ars() { node bin/run.js "$@"; }
has() { [[ " $STAGES " == *" $1 "* ]]; }
clock() { date +%s; }
mkdir -p "$WORK"
T0=$(clock)
cat "$W"/questions/{dev,test}.jsonl > "$WORK/heldout.jsonl"
ars filter --max-hops 2 -q < "$WORK/heldout.jsonl" > "$WORK/heldout-12.jsonl"
echo "train-search-policy: stages [$STAGES] in $WORK" >&2

[ -f "$W/index/meta.json" ] || ars index "$W/corpus.jsonl" --out "$W/index" -q

if has data; then
  ars model init --preset mini --tokenizer world --seed 0 --out "$WORK/init" --force -q
  # The evaluation world (seed 1) with ten times the questions; any question sharing a supporting fact (or its text)
  # with world dev/test is dropped, so no demonstration shows a held-out answer.
  ars world build --seed 1 --questions 16000 --out "$WORK/world-q" --force -q
  cat "$WORK"/world-q/questions/{dev,test,train}.jsonl | node scripts/held-out-questions.mjs "$W"/questions/{dev,test}.jsonl > "$WORK/pool.jsonl"
  demos() { # QUESTIONS WORLD OUT: the search-only oracle in the compact format, right episodes as SFT examples
    ars rollout --model oracle --search "$2" --format compact --seed 0 -q < "$1" | ars export --format sft-jsonl --min-reward 1 -q > "$3"
  }
  ars filter --max-hops 2 -q < "$WORK/pool.jsonl" > "$WORK/pool-12.jsonl"
  ars filter --min-hops 3 -q < "$WORK/pool.jsonl" > "$WORK/pool-34.jsonl"
  demos "$WORK/pool-12.jsonl" "$W" "$WORK/d12-w1.jsonl"
  demos "$WORK/pool-34.jsonl" "$W" "$WORK/d34-w1.jsonl"
  # Other worlds: their names never repeat, so copying from the question and the results is the only way to lower
  # the loss (on the evaluation world alone the model memorised its 2 000 names instead; decision 0960).
  for s in $OTHER_WORLDS; do
    ars world build --seed "$s" --questions 5000 --out "$WORK/w$s" --force -q
    ars index "$WORK/w$s/corpus.jsonl" --out "$WORK/w$s/index" -q
    cat "$WORK"/w$s/questions/*.jsonl | ars filter --max-hops 2 -q > "$WORK/w$s/q12.jsonl"
    cat "$WORK"/w$s/questions/*.jsonl | ars filter --min-hops 3 -q > "$WORK/w$s/q34.jsonl"
    demos "$WORK/w$s/q12.jsonl" "$WORK/w$s" "$WORK/d12-w$s.jsonl"
    demos "$WORK/w$s/q34.jsonl" "$WORK/w$s" "$WORK/d34-w$s.jsonl"
  done
  # Every demonstration, 30 % of them trained on every token (the observations repeat names: language modelling on
  # them trains copying), in one fixed shuffle. LC_ALL=C fixes the glob order the shuffle starts from.
  (export LC_ALL=C; cat "$WORK"/d12-*.jsonl "$WORK"/d34-*.jsonl | node scripts/mark-train-on-all.mjs 0.3 | shuf --random-source=<(yes) > "$WORK/mix.jsonl")
  # For the control, never in the mix: the oracle's demonstrations of the train questions RL trains on, and those of
  # two more worlds (seeds 26, 27).
  demos "$W/questions/train.jsonl" "$W" "$WORK/demos-train.jsonl"
  for s in 26 27; do
    ars world build --seed "$s" --questions 5000 --out "$WORK/w$s" --force -q
    ars index "$WORK/w$s/corpus.jsonl" --out "$WORK/w$s/index" -q
    cat "$WORK"/w$s/questions/*.jsonl > "$WORK/w$s/q.jsonl"
    demos "$WORK/w$s/q.jsonl" "$WORK/w$s" "$WORK/c-w$s.jsonl"
  done
  cat "$WORK/demos-train.jsonl" "$WORK"/c-w26.jsonl "$WORK"/c-w27.jsonl > "$WORK/control-mix.jsonl"
  echo "data: $(wc -l < "$WORK/mix.jsonl") SFT demonstrations, $(wc -l < "$WORK/control-mix.jsonl") for the control ($(( $(clock) - T0 )) s)" >&2
fi

if has sft; then
  t=$(clock)
  # START: where SFT begins. "previous" (default) is the policy-search-sft this script made before the compact
  # format's tag space and the 25-world mix (git commit 7461fb8: 773 steps on demonstrations of the evaluation world and
  # six others, decision 0960) — what the committed policy was trained from. "scratch" first runs that phase 1 on the
  # evaluation world's 1–2-hop demonstrations from the initial weights.
  case "$START" in
    previous)
      mkdir -p "$WORK/start"
      for f in config.json generation_config.json model.safetensors tokenizer.json tokenizer_config.json; do
        git show "7461fb8:datasets/policy-search-sft/$f" > "$WORK/start/$f"
      done
      start="$WORK/start" ;;
    scratch)
      { head -n 7000 "$WORK/d12-w1.jsonl"; head -n 200 "$WORK/d34-w1.jsonl"; } > "$WORK/sft-mix-1.jsonl"
      ars train sft "$WORK/sft-mix-1.jsonl" -m "$WORK/init" -o "$WORK/sft-1" --max-seq-len 1024 --lr 4e-3 --warmup 20 --seed 0 --force \
        --batch-tokens 8192 --micro-batch-tokens 4096 --epochs 2 --save-every 40 --keep 0
      start="$WORK/sft-1/latest" ;;
    *) echo "START must be previous or scratch, got $START" >&2; exit 2 ;;
  esac
  ars train sft "$WORK/mix.jsonl" -m "$start" -o "$WORK/sft" --max-seq-len 1024 --lr 2e-3 --warmup 50 --seed 0 --force \
    --batch-tokens 8192 --micro-batch-tokens 4096 --save-every 200 --keep 0 \
    --eval-every 400 --eval-questions "$WORK/heldout-12.jsonl" --eval-limit 100 --search "$W" --format compact --max-turns 6 --eval-concurrency 8
  echo "$(( $(clock) - t ))" > "$WORK/sft.seconds"
  echo "sft: $(cat "$WORK/sft.seconds") s" >&2
fi

if has rl; then
  # RL and its control side by side from the same SFT checkpoint, so both get the same wall-clock share of the
  # machine: RL (async GRPO on the world's own train split, every hop count, EM reward; dynamic sampling keeps the
  # groups with reward variance) and more SFT on fresh demonstrations (the oracle's on those same train questions and
  # two unseen worlds), stopped (Ctrl-C: it saves) when RL ends. What RL has to beat.
  t=$(clock)
  ars train --model "$WORK/sft/latest" --questions "$W/questions/train.jsonl" --search "$W" --out "$WORK/rl" --force \
    --format compact --mode async --samples "$RL_SAMPLES" --batch-questions 4 --drop-zero-variance --reward em \
    --max-turns 6 --max-tokens-per-turn 48 ${RL_LR:+--lr "$RL_LR"} --steps "$RL_STEPS" --concurrency 16 --save-every 25 --keep 0 --seed 0 \
    --eval-every 50 --eval-questions "$WORK/heldout-12.jsonl" --eval-limit 100 > "$WORK/rl-metrics.jsonl" &
  rl=$!
  shuf --random-source=<(yes) "$WORK/control-mix.jsonl" > "$WORK/control-sft.jsonl"
  ars train sft "$WORK/control-sft.jsonl" -m "$WORK/sft/latest" -o "$WORK/control" --max-seq-len 1024 --lr 1e-3 --warmup 5 --seed 0 --force \
    --batch-tokens 8192 --micro-batch-tokens 4096 --epochs 4 --save-every 25 --keep 0 > "$WORK/control-metrics.jsonl" &
  control=$!
  wait "$rl"
  echo "$(( $(clock) - t ))" > "$WORK/rl.seconds"
  kill -INT "$control" 2>/dev/null || true
  wait "$control" || true
  echo "rl (and the control beside it): $(cat "$WORK/rl.seconds") s" >&2
fi

if has eval; then
  mkdir -p "$WORK/empty"
  echo '{"id":"none","title":"Nothing","text":"This page is empty.","url":"http://world.local/wiki/Nothing.html"}' > "$WORK/empty/corpus.jsonl"
  rm -rf "$WORK/empty/index"; ars index "$WORK/empty/corpus.jsonl" --out "$WORK/empty/index" -q
  for name in sft rl control; do
    model="$WORK/$name/latest"
    [ -e "$model" ] || continue
    ars eval --bench "$WORK/heldout.jsonl" --model "$model" --search "$W" --agent-format compact --max-turns 6 --concurrency 8 -q > "$WORK/eval-$name.jsonl"
    ars eval --bench "$WORK/heldout.jsonl" --model "$model" --search none -q > "$WORK/closed-$name.jsonl"
    # Memory alone in the policy's own format: every search finds nothing (an index of one empty page).
    ars eval --bench "$WORK/heldout.jsonl" --model "$model" --search "$WORK/empty/index" --agent-format compact --max-turns 6 --concurrency 8 -q > "$WORK/noresults-$name.jsonl"
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
