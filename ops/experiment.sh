#!/usr/bin/env bash
# The paper's Table 2 at small scale, end to end on one CPU machine: crops of the training photos
# -> gen-pvp through the real pipeline -> contrastive pre-training of the vision encoder (the
# stand-in for frozen CLIP) -> the LM-pretraining stand-in (synthetic block images where only
# position predicts the colour, encoder frozen; the stand-in for the paper's pretrained LLM)
# -> stage 1 (encoder frozen; connector + LM, photos mixed with block images) -> stage 2
# (encoder adapted too) -> frozen control -> stage 3 (encoder frozen again) -> eval-re on the
# held-out photos through the coordinator and workers -> `coordinator compare`, the paper's rows
# beneath. Model: ARCHITECTURE (tiny-addressed: coordinate addressing, issue 12). See
# docs/training.md.
# Every step is resumable: run it again after a kill and it goes on from the last checkpoint.
# Sizes come from the environment (defaults: the 60-minute run of docs/training.md on the shared
# machine). The trained weights stay in EXPERIMENT_DIR (out/experiment): copy a stage to
# models/pae-tiny-stage*.safetensors only when it beats the committed one (that run's did not).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${EXPERIMENT_DIR:-$root/out/experiment}
holdout=${HOLDOUT:-opencv-baboon.jpg,opencv-fruits.jpg,opencv-home.jpg,skimage-astronaut.png,skimage-coffee.png}
crops=${CROPS:-120}
questions=${QUESTIONS:-300000}
architecture=${ARCHITECTURE:-tiny-addressed}
encoder_steps=${ENCODER_STEPS:-40}
standin_steps=${STANDIN_STEPS:-100}
stage1_steps=${STAGE1_STEPS:-80}
stage2_steps=${STAGE2_STEPS:-30}
stage3_steps=${STAGE3_STEPS:-10}
images_per_step=${IMAGES_PER_STEP:-4}
questions_per_image=${QUESTIONS_PER_IMAGE:-64}
blocks=${BLOCKS:-2,4,8}
blocks_share=${BLOCKS_SHARE:-0.25}
lora_rank=${LORA_RANK:-0}
frozen_control=${FROZEN_CONTROL:-1}
threads=${THREADS:-2}
lr=${LR:-2e-3}
mkdir -p "$out" "$root/models"
t0=$(date +%s)
stamp() { echo "experiment: [$(( $(date +%s) - t0 )) s] $*" >&2; }

ops/setup.sh
if [ -n "${PIXELPROBE_BIN:-}" ]; then
  bin=$PIXELPROBE_BIN  # binaries already built (e.g. while a test run holds the build directory)
else
  stamp "building (release)"
  for product in coordinator worker pixelprobe-train; do swift build -c release --product "$product" >/dev/null; done
  bin=$(swift build -c release --show-bin-path)
fi
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

train() { "$bin/pixelprobe-train" train --threads "$threads" \
  --images-per-step "$images_per_step" --questions-per-image "$questions_per_image" \
  --lora-rank "$lora_rank" --lr "$lr" --log-every 25 "$@"; }
photos() { train --job "$pvp" --blocks "$blocks" --blocks-share "$blocks_share" "$@"; }

if [ ! -f "$out/encoder.safetensors" ]; then
  stamp "contrastive pre-training of the vision encoder ($encoder_steps steps)"
  "$bin/pixelprobe-train" pretrain-encoder --photos "$root/data/photos" --holdout "$holdout" \
    --steps "$encoder_steps" --threads "$threads" --out "$out/encoder.safetensors"
fi
stamp "LM-pretraining stand-in: block images only, encoder frozen ($standin_steps steps)"
train --blocks "$blocks" --initial "$out/encoder.safetensors" --architecture "$architecture" \
  --parts connector,lm --steps "$standin_steps" --checkpoint "$out/standin.checkpoint" \
  --out "$out/pae-tiny-standin.safetensors" --seed 10
stamp "stage 1: encoder frozen ($stage1_steps steps)"
photos --initial "$out/pae-tiny-standin.safetensors" --parts connector,lm --steps "$stage1_steps" \
  --checkpoint "$out/stage1.checkpoint" --out "$out/pae-tiny-stage1.safetensors" --seed 11
stamp "stage 2: encoder adapted ($stage2_steps steps)"
photos --initial "$out/pae-tiny-stage1.safetensors" --parts vision,connector,lm \
  --steps "$stage2_steps" --checkpoint "$out/stage2.checkpoint" \
  --out "$out/pae-tiny-stage2.safetensors" --seed 12
models=("native:$out/pae-tiny-standin.safetensors" "native:$out/pae-tiny-stage1.safetensors"
  "native:$out/pae-tiny-stage2.safetensors")
if [ "$frozen_control" = 1 ]; then
  stamp "control: stage 1 continued with the encoder frozen, as long as stage 2"
  photos --initial "$out/pae-tiny-stage1.safetensors" --parts connector,lm \
    --steps "$stage2_steps" --checkpoint "$out/stage2-frozen.checkpoint" \
    --out "$out/pae-tiny-stage2-frozen.safetensors" --seed 12
  models+=("native:$out/pae-tiny-stage2-frozen.safetensors")
fi
if [ "$stage3_steps" -gt 0 ]; then
  stamp "stage 3: encoder frozen again ($stage3_steps steps)"
  photos --initial "$out/pae-tiny-stage2.safetensors" --parts connector,lm \
    --steps "$stage3_steps" --checkpoint "$out/stage3.checkpoint" \
    --out "$out/pae-tiny-stage3.safetensors" --seed 13
  models+=("native:$out/pae-tiny-stage3.safetensors")
fi

stamp "eval-re on the held-out photos"
jobs=()
for model in "${models[@]}" baseline:mean "baseline:thumbnail?k=4" "baseline:thumbnail?k=8" \
  "baseline:thumbnail?k=16"; do
  jobs+=("$("$bin/coordinator" enqueue eval-re --images "$out/corpus/heldout" --count 5 --model "$model")")
done
run_workers "${jobs[@]}"
stamp "done"
{
  echo "rows: LM-pretraining stand-in (block images only), stage 1 (encoder frozen), stage 2 (encoder"
  echo "adapted), control (frozen as long as stage 2), stage 3 (frozen again), then the references"
  "$bin/coordinator" compare "${jobs[@]}"
  echo
  echo "the paper (MiniGPT-v2, 448x448 input, 3.6M questions; Tables 2 and 8), RE %:"
  echo "  stage 1 (ViT frozen) 20.27 | frozen ViT after stage 2 20.38 | stage 2 (ViT adapted) 6.65 | stage 3 6.59"
} | tee "$out/table2.txt"
