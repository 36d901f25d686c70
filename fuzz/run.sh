#!/usr/bin/env bash
# Builds and runs one libFuzzer target for a while: `fuzz/run.sh TARGET SECONDS [libFuzzer options]`.
#
# Targets (each a folder here with its Fuzz.swift; seeds in fuzz/corpus/TARGET, and the inputs
# of past findings, kept as regression seeds, in fuzz/regressions/TARGET):
#   shard_reader   Sources/Shards: container, zstd frame, record framing, every record decoder
#   pickle_reader  Sources/Refer: the plain-data pickle reader
#   answer_parser  AnswerParser.pixel/mask against reference implementations, ReferBox answers
# `fuzz/run.sh seeds` rewrites the shard seeds (valid shards of every kind) from the writer.
#
# Each target is built with `swiftc -sanitize=fuzzer,address` from the module's own sources plus
# the harness (one module: the harness may use internal helpers). New inputs go to
# .build/fuzz/corpus/TARGET (the committed seeds stay as they are); crashes, leaks and timeouts
# go to fuzz/findings/TARGET/. The last lines printed are the run's figures:
#   fuzz: TARGET: N executions in S s (E/s), corpus C inputs, F finding(s)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
target=${1:?usage: fuzz/run.sh TARGET SECONDS [libFuzzer options] | fuzz/run.sh seeds}
out=$root/.build/fuzz
mkdir -p "$out"
common=(-O -g -parse-as-library -swift-version 6 -enable-upcoming-feature InternalImportsByDefault)

if [ "$target" = seeds ]; then
  swiftc "${common[@]}" -module-name FuzzSeeds -I Sources/CZstd -lzstd \
    Sources/Shards/*.swift fuzz/shard_reader/Seeds.swift -o "$out/shard_seeds"
  rm -rf fuzz/corpus/shard_reader && mkdir -p fuzz/corpus/shard_reader
  "$out/shard_seeds" fuzz/corpus/shard_reader
  exit 0
fi

seconds=${2:?usage: fuzz/run.sh TARGET SECONDS [libFuzzer options]}
shift 2
case "$target" in
  shard_reader) sources=(Sources/Shards/*.swift); flags=(-I Sources/CZstd -lzstd) ;;
  pickle_reader) sources=(Sources/Refer/*.swift); flags=() ;;
  answer_parser) sources=(Sources/Model/AnswerParser.swift Sources/Refer/*.swift); flags=() ;;
  *) echo "fuzz/run.sh: unknown target $target (shard_reader, pickle_reader, answer_parser)" >&2; exit 2 ;;
esac

echo "fuzz: building $target" >&2
swiftc "${common[@]}" -sanitize=fuzzer,address -module-name "Fuzz_$target" "${flags[@]}" \
  "${sources[@]}" "fuzz/$target/Fuzz.swift" -o "$out/$target"

corpus=$out/corpus/$target
findings=fuzz/findings/$target
mkdir -p "$corpus" "$findings"
log=$out/$target.log
echo "fuzz: running $target for $seconds s (log: $log)" >&2
set +e
"$out/$target" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 \
  -artifact_prefix="$findings/" "$@" "$corpus" "fuzz/corpus/$target" \
  $( [ -d "fuzz/regressions/$target" ] && echo "fuzz/regressions/$target" ) >"$log" 2>&1
status=$?
set -e
tail -n 25 "$log" >&2
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
time=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
inputs=$(find "$corpus" -type f | wc -l)
found=$(find "$findings" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
echo "fuzz: $target: ${runs:-0} executions in $seconds s (${time:-0}/s), corpus $inputs inputs, $found finding(s), exit $status"
exit "$status"
