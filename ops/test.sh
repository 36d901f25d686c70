#!/usr/bin/env bash
# The test command: installs what is missing, starts a private PostgreSQL just for the tests,
# runs the whole suite against it, and stops the server again. Extra arguments go to `swift test`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ops/setup.sh
export PIXELPROBE_PG_DIR=${PIXELPROBE_TEST_PG_DIR:-$root/.pg-test}
url=$(ops/pg.sh start)
trap 'ops/pg.sh stop' EXIT
export PIXELPROBE_TEST_DATABASE_URL=$url
echo "test: PostgreSQL at $url" >&2
swift build --build-tests "$@"
swift test --skip-build "$@"
