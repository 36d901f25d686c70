#!/usr/bin/env bash
# The eval-re performance goal, measured: RUNS interleaved pairs of the whole distributed run
# (`pixelprobe-bench eval-re`: enqueue, two workers, report) and the in-process Python peer
# (`bench/pillow_eval_re.py`) on the same 100 images, back to back so both see the same machine
# load. Before each PixelProbe run `coordinator prune --older-than 0s --vacuum` removes the
# finished jobs and their blobs and vacuums the tables, so every run stores its input blobs
# afresh (identical images would otherwise find their content-addressed blobs already stored)
# and no run scans the dead rows of the one before. Prints each pair, then min and median.
#
# usage: DATABASE_URL=... bench/eval_re_side_by_side.sh [RUNS [DIR [pixelprobe-bench eval-re options]]]
#   (a migrated database that holds nothing you want to keep; release binaries in $PIXELPROBE_BIN, default .build/release;
#    DIR defaults to /tmp/eval100, made with bench/make_corpus.py when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
dir=${2:-/tmp/eval100}
shift $(($# < 2 ? $# : 2))
bin=${PIXELPROBE_BIN:-.build/release}
[ -d "$dir" ] || python3 bench/make_corpus.py "$dir" 100 >/dev/null
ours=()
peer=()
for i in $(seq 1 "$runs"); do
  "$bin/coordinator" prune --older-than 0s --vacuum >/dev/null 2>&1
  load=$(cut -d' ' -f1 /proc/loadavg)
  out=$("$bin/pixelprobe-bench" eval-re --images "$dir" --count 100 "$@" 2>/dev/null)
  py=$(python3 bench/pillow_eval_re.py "$dir" 100 8)
  total=$(sed -n 's/.*total \([0-9.]*\) s.*/\1/p' <<<"$out")
  seconds=$(sed -n 's/.* in \([0-9.]*\) s;.*/\1/p' <<<"$py")
  ours+=("$total")
  peer+=("$seconds")
  echo "run $i (load $load):$(grep -o ' enqueue.*' <<<"$out") | $(grep -o 'used [0-9.]* s of CPU' <<<"$out") |" \
    "RE $(printf '%.4f' "$(sed -n 's/.*RE \([0-9.]*\) %.*/\1/p' <<<"$out")") | python ${seconds} s (RE $(sed -n 's/.*RE \([0-9.]*\)%.*/\1/p' <<<"$py"))"
done
stats() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "min %.3f s, median %.3f s", v[1], m}'; }
echo "PixelProbe (distributed, durable): $(stats "${ours[@]}")"
echo "Python (in process, nothing durable): $(stats "${peer[@]}")"
