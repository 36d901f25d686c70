#!/usr/bin/env bash
# The demo: on a fresh Debian machine, installs what is missing, builds, starts a private
# PostgreSQL under the project folder, migrates, then
#   1. gen-pvp: PVP training questions over the bundled photos, two workers, export;
#   2. eval-re: every cell of every bundled photo asked of the best model the project has, two
#      workers, the RE table (with baseline references) and the pictures (out/eval-re-JOB/).
# Options: --questions N (gen-pvp size, default 100000), --model URI (eval-re model).
# The server keeps running afterwards: `ops/pg.sh stop` stops it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
questions=100000
best=models/pae-tiny-stage2.safetensors
if [ -f "$best" ]; then model="native:$best"; else model="native:random?size=tiny&seed=1"; fi
while [ $# -gt 0 ]; do
  case "$1" in
    --questions) questions=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    *) echo "demo: unknown option $1 (known: --questions N, --model URI)" >&2; exit 2 ;;
  esac
done

ops/setup.sh
echo "demo: building (release)" >&2
swift build -c release --product coordinator >/dev/null
swift build -c release --product worker >/dev/null
bin=$(swift build -c release --show-bin-path)
# Workers parallelise over shards; OpenBLAS threads would only oversubscribe the cores.
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
export DATABASE_URL=$(ops/pg.sh start)
echo "demo: PostgreSQL at $DATABASE_URL" >&2
"$bin/coordinator" migrate --migrations "$root/migrations"
mkdir -p "$root/out"

run_workers() {
  "$bin/worker" --exit-when-idle --concurrency 1 --name demo-worker-1 &
  local w1=$!
  "$bin/worker" --exit-when-idle --concurrency 1 --name demo-worker-2 &
  local w2=$!
  "$bin/coordinator" wait "$1"
  wait "$w1" "$w2"
}

echo "demo: 1/2 gen-pvp, $questions questions over the bundled photos" >&2
job=$("$bin/coordinator" enqueue gen-pvp --images "$root/data/photos" --questions "$questions" \
  --shard-size 5000 --seed 1)
run_workers "$job"
"$bin/coordinator" status "$job"
"$bin/coordinator" export "$job" --format jsonl --out "$root/out/gen-pvp-$job.jsonl"
echo "demo: first questions of out/gen-pvp-$job.jsonl:" >&2
head -n 3 "$root/out/gen-pvp-$job.jsonl"

count=$(ls "$root/data/photos" | grep -ciE '\.(jpe?g|png)$')
echo "demo: 2/2 eval-re, all 64x64 cells of $count photos, model $model" >&2
job=$("$bin/coordinator" enqueue eval-re --images "$root/data/photos" --count "$count" --model "$model")
run_workers "$job"
"$bin/coordinator" report "$job"
"$bin/coordinator" render "$job" --out "$root/out/eval-re-$job"
echo "demo: pictures in out/eval-re-$job/index.html" >&2
