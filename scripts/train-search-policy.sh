#!/usr/bin/env bash
# Reproduces datasets/policy-search-sft and datasets/policy-search-rl: a policy that searches, trained by ars itself
# on the embedded world, then improved by asynchronous RL — and the measurements in their READMEs (decision 0960).
#
#   npm run build && scripts/train-search-policy.sh          # 45–52 min on 2 cores (decision 0960, sixth attempt)
#
# 1. data: the search-only world oracle solves questions in the compact agent format (its view shows the opening of
#    each hit and the line the query's extra words match; the oracle adds the question's word, "… presents") — a
#    16 000-question set of the evaluation world (dev/test facts held out) and 24 other worlds (names never repeat, so
#    copying is the only way down) — and its right episodes become 117 012 SFT demonstrations, 30 % of them trained on
#    every token; apart, the demonstrations of the world's own train split and of worlds 26–27 (phase B) and 28–30
#    (the control);
# 2. sft: phase A, 56 000 of the demonstrations (2 040 steps of 8 192 tokens, onnxruntime trainer) from START (default:
#    the policy-search-sft of git commit bbb3a7b, trained on the view without focus lines; "scratch" first runs a
#    phase on the evaluation world's demonstrations from initial weights); phase B, four epochs of the train-split and
#    worlds-26–27 demonstrations (1 528 steps): datasets/policy-search-sft;
# 3. rl: ars train (async GRPO, dynamic sampling, EM reward) on a fresh 10 000-entity world's questions (seed 31; its
#    held-out slice measured on the evaluation world with --eval-search), with the control beside it (CONTROL=1) — the
#    same wall-clock spent on more SFT (worlds 28–30) from the same checkpoint;
# 4. eval: greedy on world dev + test (320 questions) with tools, with searches that find nothing, and closed-book;
#    per-hop tables and paired-bootstrap comparisons; PASS_K samples per question at temperature 1 from SFT and RL
#    (pass@k: what sharpening can reach) and headroom.md, where RL gained and lost (scripts/rl-headroom.mjs).
#
# Knobs (environment): WORK (runs/policy-search), STAGES (default "data sft rl eval"), OTHER_WORLDS (seeds of the
# extra worlds, 2…25), START (previous|scratch), RL_ON (fresh|pool: RL's questions), RL_STEPS (default 100), RL_LR (default: from
# the model's size), RL_SAMPLES, RL_REWARD (em|f1), RL_KL (--kl-coef; default none), RL_ARGS (more `ars train` flags for
# RL and its mask-off ablation, e.g. "--ppo-epochs 2 --negative-weight 0"), SFT_THREADS (onnxruntime threads of the SFT phases, which run alone:
# default 2), CONTROL
# (1: run the control beside RL), OBSERVATION_LOSS (1: also the mask-off ablation after RL), PASS_K (default 16; 0: no
# sampled evaluation), COPY (1: copy the policies into datasets/).
set -euo pipefail
cd "$(dirname "$0")/.."
W=${W:-datasets/world-small}
WORK=${WORK:-runs/policy-search}
STAGES=${STAGES:-data sft rl eval}
OTHER_WORLDS=${OTHER_WORLDS:-$(seq 2 25)}
START=${START:-previous}
# 100 RL steps: on the fresh world the held-out slice stops rising after ~100 (decision 0960, fifth attempt), and the
# whole script must fit in an hour.
RL_STEPS=${RL_STEPS:-100}
RL_REWARD=${RL_REWARD:-em}
SFT_THREADS=${SFT_THREADS:-2}
RL_LR=${RL_LR:-}
RL_SAMPLES=${RL_SAMPLES:-16}
RL_KL=${RL_KL:-}
read -r -a RL_ARGS_LIST <<< "${RL_ARGS:-}"
RL_ON=${RL_ON:-fresh}
CONTROL=${CONTROL:-1}
OBSERVATION_LOSS=${OBSERVATION_LOSS:-0}
PASS_K=${PASS_K:-16}
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
  # Phase B of SFT: the oracle's demonstrations of the world's own train split and of two more worlds (26, 27), not
  # marked train-on-all. The control: three more worlds (28–30), never seen by SFT.
  demos "$W/questions/train.jsonl" "$W" "$WORK/demos-train.jsonl"
  for s in 26 27 28 29 30; do
    ars world build --seed "$s" --questions 5000 --out "$WORK/w$s" --force -q
    ars index "$WORK/w$s/corpus.jsonl" --out "$WORK/w$s/index" -q
    cat "$WORK"/w$s/questions/*.jsonl > "$WORK/w$s/q.jsonl"
    demos "$WORK/w$s/q.jsonl" "$WORK/w$s" "$WORK/c-w$s.jsonl"
  done
  cat "$WORK/demos-train.jsonl" "$WORK"/c-w26.jsonl "$WORK"/c-w27.jsonl | shuf --random-source=<(yes) > "$WORK/phase-b.jsonl"
  (export LC_ALL=C; cat "$WORK"/c-w28.jsonl "$WORK"/c-w29.jsonl "$WORK"/c-w30.jsonl | shuf --random-source=<(yes) > "$WORK/control-sft.jsonl")
  # RL's questions: a fresh 10 000-entity world (seed 31, 12 000 questions, each asked about once), so no reward can
  # come from remembering the evaluation world's facts (decision 0960, fourth attempt); RL_ON=pool: the evaluation
  # world's held-out-filtered pool instead (the third attempt's RL). One fixed shuffle either way.
  ars world build --seed 31 --size 10000 --questions 12000 --out "$WORK/w31" --force -q
  ars index "$WORK/w31/corpus.jsonl" --out "$WORK/w31/index" -q
  cat "$WORK"/w31/questions/*.jsonl | shuf --random-source=<(yes) > "$WORK/rl-questions-fresh.jsonl"
  shuf --random-source=<(yes) "$WORK/pool.jsonl" > "$WORK/rl-questions-pool.jsonl"
  echo "data: $(wc -l < "$WORK/mix.jsonl") SFT demonstrations, $(wc -l < "$WORK/phase-b.jsonl") for phase B, $(wc -l < "$WORK/control-sft.jsonl") for the control ($(( $(clock) - T0 )) s)" >&2
fi

if has sft; then
  t=$(clock)
  # START: where SFT begins. "previous" (default) is the policy-search-sft this script made before the compact view's
  # focus lines (git commit bbb3a7b: decision 0960's second attempt, 25.6 % held-out EM) — what this policy was trained
  # from. "scratch" first runs a short phase on the evaluation world's demonstrations from the initial weights (the
  # earlier phases are not repeated: expect a weaker policy).
  # The SFT phases run alone: SFT_THREADS onnxruntime threads (the RL stage's trainers keep one; the other core generates).
  sft_alone() { ARS_TRAIN_THREADS=$SFT_THREADS ars train sft "$@"; }
  case "$START" in
    previous)
      mkdir -p "$WORK/start"
      for f in config.json generation_config.json model.safetensors tokenizer.json tokenizer_config.json; do
        git show "bbb3a7b:datasets/policy-search-sft/$f" > "$WORK/start/$f"
      done
      start="$WORK/start" ;;
    scratch)
      { head -n 7000 "$WORK/d12-w1.jsonl"; head -n 200 "$WORK/d34-w1.jsonl"; } > "$WORK/sft-mix-1.jsonl"
      sft_alone "$WORK/sft-mix-1.jsonl" -m "$WORK/init" -o "$WORK/sft-1" --max-seq-len 1024 --lr 4e-3 --warmup 20 --seed 0 --force \
        --batch-tokens 8192 --micro-batch-tokens 4096 --epochs 2 --save-every 40 --keep 0
      start="$WORK/sft-1/latest" ;;
    *) echo "START must be previous or scratch, got $START" >&2; exit 2 ;;
  esac
  # Phase A: 56 000 of the mix's demonstrations, one pass.
  head -n 56000 "$WORK/mix.jsonl" > "$WORK/sft-data.jsonl"
  sft_alone "$WORK/sft-data.jsonl" -m "$start" -o "$WORK/sft-a" --max-seq-len 1024 --lr 1.5e-3 --warmup 30 --seed 0 --force \
    --batch-tokens 8192 --micro-batch-tokens 4096 --save-every 200 --keep 0 \
    --eval-every 500 --eval-questions "$WORK/heldout-12.jsonl" --eval-limit 100 --search "$W" --format compact --max-turns 6 --eval-concurrency 8
  # Phase B: four epochs of the world's train split and worlds 26–27, actions only (+15 points over phase A, decision
  # 0960's third attempt: more SFT on fresh demonstrations was far from saturated).
  sft_alone "$WORK/phase-b.jsonl" -m "$WORK/sft-a/latest" -o "$WORK/sft" --max-seq-len 1024 --lr 1e-3 --warmup 5 --seed 0 --force \
    --batch-tokens 8192 --micro-batch-tokens 4096 --epochs 4 --save-every 200 --keep 0 \
    --eval-every 500 --eval-questions "$WORK/heldout-12.jsonl" --eval-limit 100 --search "$W" --format compact --max-turns 6 --eval-concurrency 8
  echo "$(( $(clock) - t ))" > "$WORK/sft.seconds"
  echo "sft: $(cat "$WORK/sft.seconds") s" >&2
fi

if has rl; then
  # RL and its control side by side from the same SFT checkpoint, so both get the same wall-clock share of the
  # machine: RL (async GRPO on RL_ON's questions — by default the fresh world's — every hop count, EM reward; dynamic
  # sampling keeps the groups with reward variance) and more SFT on fresh demonstrations (worlds 28–30),
  # stopped (Ctrl-C: it saves) when RL ends. What RL has to beat.
  t=$(clock)
  case "$RL_ON" in fresh) rl_search="$WORK/w31" ;; pool) rl_search="$W" ;; *) echo "RL_ON must be fresh or pool, got $RL_ON" >&2; exit 2 ;; esac
  rl_run() { # OUT [extra flags]
    local out=$1; shift
    ars train --model "$WORK/sft/latest" --questions "$WORK/rl-questions-$RL_ON.jsonl" --search "$rl_search" --eval-search "$W" --out "$WORK/$out" --force \
      --format compact --mode async --samples "$RL_SAMPLES" --batch-questions 4 --drop-zero-variance --reward "$RL_REWARD" \
      --max-turns 6 --max-tokens-per-turn 48 ${RL_LR:+--lr "$RL_LR"} ${RL_KL:+--kl-coef "$RL_KL"} --steps "$RL_STEPS" --concurrency 16 --save-every 25 --keep 0 --seed 0 \
      --eval-every 50 --eval-questions "$WORK/heldout-12.jsonl" --eval-limit 100 "${RL_ARGS_LIST[@]}" "$@" > "$WORK/$out-metrics.jsonl"
  }
  rl_run rl &
  rl=$!
  if [ "$CONTROL" = 1 ]; then
    # exec: $! must be node itself, not a subshell running the ars function (a SIGINT sent to that subshell never
    # reaches node, and the control ran all four epochs past RL's end).
    ( exec node bin/run.js train sft "$WORK/control-sft.jsonl" -m "$WORK/sft/latest" -o "$WORK/control" --max-seq-len 1024 --lr 1e-3 --warmup 5 --seed 0 --force \
      --batch-tokens 8192 --micro-batch-tokens 4096 --epochs 4 --save-every 25 --keep 0 > "$WORK/control-metrics.jsonl" ) &
    control=$!
  fi
  wait "$rl"
  echo "$(( $(clock) - t ))" > "$WORK/rl.seconds"
  if [ "$CONTROL" = 1 ]; then
    kill -INT "$control" 2>/dev/null || true
    wait "$control" || true
  fi
  echo "rl (and the control beside it): $(cat "$WORK/rl.seconds") s" >&2
  # Search-R1's ablation: the same RL with the tool-result tokens in the loss.
  if [ "$OBSERVATION_LOSS" = 1 ]; then rl_run rl-obs --observation-loss; fi
fi

if has eval; then
  mkdir -p "$WORK/empty"
  echo '{"id":"none","title":"Nothing","text":"This page is empty.","url":"http://world.local/wiki/Nothing.html"}' > "$WORK/empty/corpus.jsonl"
  rm -rf "$WORK/empty/index"; ars index "$WORK/empty/corpus.jsonl" --out "$WORK/empty/index" -q
  for name in sft rl control rl-obs; do
    model="$WORK/$name/latest"
    [ -e "$model" ] || continue
    ars eval --bench "$WORK/heldout.jsonl" --model "$model" --search "$W" --agent-format compact --max-turns 6 --concurrency 8 -q > "$WORK/eval-$name.jsonl"
    ars eval --bench "$WORK/heldout.jsonl" --model "$model" --search none -q > "$WORK/closed-$name.jsonl"
    # Memory alone in the policy's own format: every search finds nothing (an index of one empty page).
    ars eval --bench "$WORK/heldout.jsonl" --model "$model" --search "$WORK/empty/index" --agent-format compact --max-turns 6 --concurrency 8 -q > "$WORK/noresults-$name.jsonl"
  done
  node scripts/eval-by-hops.mjs $(ls "$WORK"/eval-{sft,rl,control,rl-obs}.jsonl 2>/dev/null) > "$WORK/by-hops.md"
  ars eval compare "$WORK/eval-sft.jsonl" "$WORK/eval-rl.jsonl" --seed 0 > "$WORK/compare-rl.txt"
  [ -f "$WORK/eval-control.jsonl" ] && ars eval compare "$WORK/eval-sft.jsonl" "$WORK/eval-control.jsonl" --seed 0 > "$WORK/compare-control.txt"
  [ -f "$WORK/eval-control.jsonl" ] && ars eval compare "$WORK/eval-control.jsonl" "$WORK/eval-rl.jsonl" --seed 0 > "$WORK/compare-rl-vs-control.txt"
  if [ -f "$WORK/eval-rl-obs.jsonl" ]; then ars eval compare "$WORK/eval-rl.jsonl" "$WORK/eval-rl-obs.jsonl" --seed 0 > "$WORK/compare-rl-obs.txt"; fi
  # What RL could gain by sharpening: PASS_K samples per question at temperature 1 (pass@k: the questions any sample
  # gets right), and where RL's greedy gains and losses fell (decision 0960, sixth attempt).
  if [ "$PASS_K" -gt 0 ]; then
    for name in sft rl; do
      [ -e "$WORK/$name/latest" ] || continue
      ars eval --bench "$WORK/heldout.jsonl" --model "$WORK/$name/latest" --search "$W" --agent-format compact --max-turns 6 --concurrency 16 -k "$PASS_K" -q \
        > "$WORK/pass$PASS_K-$name.jsonl" 2> "$WORK/pass$PASS_K-$name.txt"
    done
    node scripts/rl-headroom.mjs "$WORK/eval-sft.jsonl" "$WORK/pass$PASS_K-sft.jsonl" $(ls "$WORK"/eval-{rl,control,rl-obs}.jsonl 2>/dev/null) > "$WORK/headroom.md"
    cat "$WORK"/pass$PASS_K-*.txt "$WORK/headroom.md" >&2
  fi
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
