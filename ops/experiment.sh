#!/usr/bin/env bash
# The paper's Table 2 at small scale, end to end on one CPU machine: crops of the training photos
# -> gen-pvp through the real pipeline -> contrastive pre-training of the vision encoder (the
# stand-in for frozen CLIP) -> stage 1 (encoder frozen; connector + LM LoRA) -> stage 2 (encoder
# adapted too) -> stage 3 (encoder frozen again) -> eval-re on the held-out photos through the
# coordinator and workers -> `coordinator compare`. See docs/training.md.
# Every step is resumable: run it again after a kill and it goes on from the last checkpoint.
# Sizes come from the environment (defaults are the measured run of docs/training.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${EXPERIMENT_DIR:-$root/out/experiment}
holdout=${HOLDOUT:-opencv-baboon.jpg,opencv-fruits.jpg,opencv-home.jpg,skimage-astronaut.png,skimage-coffee.png}
crops=${CROPS:-120}
questions=${QUESTIONS:-600000}
encoder_steps=${ENCODER_STEPS:-120}
stage1_steps=${STAGE1_STEPS:-1200}
stage2_steps=${STAGE2_STEPS:-1200}
stage3_steps=${STAGE3_STEPS:-100}
images_per_step=${IMAGES_PER_STEP:-8}
questions_per_image=${QUESTIONS_PER_IMAGE:-32}
lora_rank=${LORA_RANK:-32}
frozen_control=${FROZEN_CONTROL:-1}
threads=${THREADS:-2}
lr=${LR:-2e-3}
mkdir -p "$out" "$root/models"
t0=$(date +%s)
stamp() { echo "experiment: [$(( $(date +%s) - t0 )) s] $*" >&2; }

ops/setup.sh
stamp "building (release)"
for product in coordinator worker pixelprobe-train; do swift build -c release --product "$product" >/dev/null; done
bin=$(swift build -c release --show-bin-path)
export DATABASE_URL=$(ops/pg.sh start)
"$bin/coordinator" migrate --migrations "$root/migrations"

stamp "training corpus: $crops crops of each training photo; held out: $holdout"
"$bin/pixelprobe-train" make-corpus --photos "$root/data/photos" --holdout "$holdout" \
  --train "$out/corpus/train" --held-out "$out/corpus/heldout" --crops "$crops"

run_workers() {
  "$bin/worker" --exit-when-idle --concurrency 1 --name experiment-1 &
  local w1=$!
  "$bin/worker" --exit-when-idle --concurrency 1 --name experiment-2 &
  local w2=$!
  for job in "$@"; do "$bin/coordinator" wait "$job"; done
  wait "$w1" "$w2"
}

stamp "gen-pvp: $questions questions over the crops"
pvp=$("$bin/coordinator" enqueue gen-pvp --images "$out/corpus/train" --questions "$questions" \
  --shard-size 20000 --seed 1)
run_workers "$pvp"

train() { "$bin/pixelprobe-train" train --job "$pvp" --threads "$threads" \
  --images-per-step "$images_per_step" --questions-per-image "$questions_per_image" \
  --lora-rank "$lora_rank" --lr "$lr" --log-every 25 "$@"; }

if [ ! -f "$out/encoder.safetensors" ]; then
  stamp "contrastive pre-training of the vision encoder ($encoder_steps steps)"
  "$bin/pixelprobe-train" pretrain-encoder --photos "$root/data/photos" --holdout "$holdout" \
    --steps "$encoder_steps" --threads "$threads" --out "$out/encoder.safetensors"
fi
stamp "stage 1: encoder frozen ($stage1_steps steps)"
train --initial "$out/encoder.safetensors" --parts connector,lm --steps "$stage1_steps" \
  --checkpoint "$out/stage1.checkpoint" --out "$root/models/pae-tiny-stage1.safetensors" --seed 11
stamp "stage 2: encoder adapted ($stage2_steps steps)"
train --initial "$root/models/pae-tiny-stage1.safetensors" --parts vision,connector,lm \
  --steps "$stage2_steps" --checkpoint "$out/stage2.checkpoint" \
  --out "$root/models/pae-tiny-stage2.safetensors" --seed 12
models=("native:$root/models/pae-tiny-stage1.safetensors" "native:$root/models/pae-tiny-stage2.safetensors")
if [ "$frozen_control" = 1 ]; then
  stamp "control: stage 1 continued with the encoder frozen, as long as stage 2"
  train --initial "$root/models/pae-tiny-stage1.safetensors" --parts connector,lm \
    --steps "$stage2_steps" --checkpoint "$out/stage2-frozen.checkpoint" \
    --out "$out/pae-tiny-stage2-frozen.safetensors" --seed 12
  models+=("native:$out/pae-tiny-stage2-frozen.safetensors")
fi
if [ "$stage3_steps" -gt 0 ]; then
  stamp "stage 3: encoder frozen again ($stage3_steps steps)"
  train --initial "$root/models/pae-tiny-stage2.safetensors" --parts connector,lm \
    --steps "$stage3_steps" --checkpoint "$out/stage3.checkpoint" \
    --out "$out/pae-tiny-stage3.safetensors" --seed 13
  models+=("native:$out/pae-tiny-stage3.safetensors")
fi

stamp "eval-re on the held-out photos"
jobs=()
for model in baseline:mean "baseline:thumbnail?k=8" "${models[@]}"; do
  jobs+=("$("$bin/coordinator" enqueue eval-re --images "$out/corpus/heldout" --count 5 --model "$model")")
done
run_workers "${jobs[@]}"
stamp "done"
"$bin/coordinator" compare "${jobs[@]}" | tee "$out/table2.txt"
