#!/usr/bin/env bash
# The paper's Table 4 at small scale (issue 7, item 5), end to end on one CPU machine: expert
# games (gen-game) -> imitation (pixelprobe-train imitate, encoder frozen as in the paper's
# fine-tuning) from the PVP-adapted weights (models/pae-tiny-stage2) and, with the same budget,
# from the frozen-encoder weights (models/pae-tiny-stage1) (STARTS lists other weights to start
# from, e.g. the frozen control of docs/training.md) -> 15 scored episodes of each, the
# scripted expert and random play (play-game) -> `coordinator compare`. See docs/games.md.
# Imitation resumes from its checkpoint when run again; jobs are enqueued again (they are cheap
# next to training and playing).
# Sizes come from the environment (defaults are the measured CarRacing run of docs/games.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
game=${GAME:-carracing}
case "$game" in
  carracing) default_instruction=brief ;;
  spaceinvaders) default_instruction=none ;; # 4 frames leave the tiny model no room for more
  *) echo "imitate.sh: GAME must be carracing or spaceinvaders, not $game" >&2; exit 1 ;;
esac
out=${IMITATE_DIR:-$root/out/imitate/$game}
instruction=${INSTRUCTION:-$default_instruction}
games=${GAMES:-10}
holdout_games=${HOLDOUT_GAMES:-2}
steps=${STEPS:-1000}
examples_per_step=${EXAMPLES_PER_STEP:-16}
lr=${LR:-1e-3}
lora_rank=${LORA_RANK:-0}
threads=${THREADS:-2}
episodes=${EPISODES:-15}
max_steps=${MAX_STEPS:-}
seed=${SEED:-21} # imitation's data order; another seed measures the spread of imitation runs
starts=(${STARTS:-models/pae-tiny-stage1.safetensors models/pae-tiny-stage2.safetensors})
mkdir -p "$out"
t0=$(date +%s)
stamp() { echo "imitate: [$(( $(date +%s) - t0 )) s] $*" >&2; }

ops/setup.sh
stamp "building (release)"
for product in coordinator worker pixelprobe-train; do swift build -c release --product "$product" >/dev/null; done
bin=$(swift build -c release --show-bin-path)
export DATABASE_URL=$(ops/pg.sh start)
export OPENBLAS_NUM_THREADS=1
"$bin/coordinator" migrate --migrations "$root/migrations"
limit=()
[ -n "$max_steps" ] && limit=(--max-steps "$max_steps")

run_workers() {
  "$bin/worker" --exit-when-idle --concurrency 1 --kinds gen-game play-game --name imitate-1 &
  local w1=$!
  "$bin/worker" --exit-when-idle --concurrency 1 --kinds gen-game play-game --name imitate-2 &
  local w2=$!
  for job in "$@"; do "$bin/coordinator" wait "$job"; done
  wait "$w1" "$w2"
}

stamp "$game: $games expert games for training, $holdout_games held out (instruction $instruction)"
train_job=$("$bin/coordinator" enqueue gen-game --game "$game" --games "$games" --seed 0 \
  --instruction "$instruction")
holdout_job=$("$bin/coordinator" enqueue gen-game --game "$game" --games "$holdout_games" \
  --seed 1000 --instruction "$instruction")
run_workers "$train_job" "$holdout_job"

models=()
for start in "${starts[@]}"; do
  name=$(basename "$start" .safetensors)
  name=${name#pae-tiny-}
  stamp "imitation from $start ($steps steps of $examples_per_step observations)"
  "$bin/pixelprobe-train" imitate --job "$train_job" --holdout-job "$holdout_job" \
    --initial "$start" --parts connector,lm --lora-rank "$lora_rank" \
    --steps "$steps" --examples-per-step "$examples_per_step" --lr "$lr" --threads "$threads" \
    --seed "$seed" --log-every 50 --checkpoint "$out/$name.checkpoint" --out "$out/$game-$name.safetensors" \
    | tee "$out/$name-holdout.txt"
  models+=("native:$out/$game-$name.safetensors")
done

stamp "play-game: $episodes episodes (seeds 0-$((episodes - 1))) each ${max_steps:+, cut at $max_steps steps}"
jobs=()
for model in baseline:expert baseline:random "${models[@]}"; do
  jobs+=("$("$bin/coordinator" enqueue play-game --game "$game" --episodes "$episodes" --seed 0 \
    --model "$model" --instruction "$instruction" --frame-every 0 "${limit[@]}")")
done
run_workers "${jobs[@]}"
stamp "done"
"$bin/coordinator" compare "${jobs[@]}" | tee "$out/table4.txt"
