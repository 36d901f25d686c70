#!/usr/bin/env bash
# The test command: installs what is missing, starts a private PostgreSQL just for the tests,
# runs the whole suite against it, and stops the server again. Extra arguments go to `swift test`.
# The fault-injection suite starts a second private cluster of its own (it crashes and restarts
# it) in $PIXELPROBE_FAULT_PG_DIR, removed here when the run ends.
# PIXELPROBE_SLOW_TESTS=1 ops/test.sh runs the long fault loops (25 SIGKILL cases, 5 restarts).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ops/setup.sh
export PIXELPROBE_PG_DIR=${PIXELPROBE_TEST_PG_DIR:-$root/.pg-test}
url=$(ops/pg.sh start)
export PIXELPROBE_FAULT_PG_DIR=${PIXELPROBE_FAULT_PG_DIR:-$(mktemp -d /tmp/pixelprobe-faults-XXXXXX)}
trap 'ops/pg.sh stop; ops/pg.sh destroy "$PIXELPROBE_FAULT_PG_DIR"' EXIT
export PIXELPROBE_TEST_DATABASE_URL=$url
echo "test: PostgreSQL at $url" >&2
swift build --build-tests
swift test --skip-build "$@"
