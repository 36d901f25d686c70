#!/usr/bin/env bash
# The demo: on a fresh Debian machine, installs what is missing, builds, starts a private
# PostgreSQL under the project folder, migrates, runs gen-pvp over the bundled photos with two
# workers, and prints the status and a few exported questions.
# Options: --questions N (default 100000). The server keeps running: `ops/pg.sh stop` stops it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
questions=100000
while [ $# -gt 0 ]; do
  case "$1" in
    --questions) questions=$2; shift 2 ;;
    *) echo "demo: unknown option $1 (known: --questions N)" >&2; exit 2 ;;
  esac
done

ops/setup.sh
echo "demo: building (release)" >&2
swift build -c release --product coordinator >/dev/null
swift build -c release --product worker >/dev/null
bin=$(swift build -c release --show-bin-path)
export DATABASE_URL=$(ops/pg.sh start)
echo "demo: PostgreSQL at $DATABASE_URL" >&2
"$bin/coordinator" migrate --migrations "$root/migrations"

job=$("$bin/coordinator" enqueue gen-pvp --images "$root/data/photos" --questions "$questions" \
  --shard-size 5000 --seed 1)
echo "demo: job $job; starting two workers" >&2
"$bin/worker" --exit-when-idle --concurrency 1 --name demo-worker-1 &
w1=$!
"$bin/worker" --exit-when-idle --concurrency 1 --name demo-worker-2 &
w2=$!
trap 'kill $w1 $w2 2>/dev/null || true' EXIT
"$bin/coordinator" wait "$job"
wait $w1 $w2
trap - EXIT
"$bin/coordinator" status "$job"
mkdir -p "$root/out"
"$bin/coordinator" export "$job" --format jsonl --out "$root/out/gen-pvp-$job.jsonl"
echo "demo: first questions of $root/out/gen-pvp-$job.jsonl:" >&2
head -n 3 "$root/out/gen-pvp-$job.jsonl"
