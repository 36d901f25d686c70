#!/usr/bin/env bash
# A private PostgreSQL for PixelProbe: `ops/pg.sh start|stop|crash|status|url|destroy [DIR]`.
# The cluster lives in DIR (default: .pg under the project folder) and listens on a Unix socket
# only, so it never clashes with another server. PostgreSQL refuses to run as root: as root the
# cluster is owned by the `postgres` system user (and placed under /var/tmp when that user cannot
# reach the project folder).
set -euo pipefail
cmd=${1:-status}
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${2:-${PIXELPROBE_PG_DIR:-$root/.pg}}
db=${PIXELPROBE_PG_DB:-pixelprobe}
port=${PIXELPROBE_PG_PORT:-5439}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bindir" ] || { echo "pg.sh: no PostgreSQL server found; run ops/setup.sh" >&2; exit 1; }

as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  as_owner=(runuser -u postgres --)
  mkdir -p "$(dirname "$dir")"
  if ! runuser -u postgres -- test -x "$(dirname "$dir")"; then
    # The postgres user cannot reach the project folder (e.g. under /root): keep the cluster
    # in a folder it can reach, named after the project path so that two checkouts never share.
    dir=/var/tmp/pixelprobe-pg-$(printf '%s' "$dir" | md5sum | cut -c1-12)
  fi
fi
data=$dir/data
sock=$dir/socket

url() { printf 'postgresql:///%s?host=%s&port=%s&user=%s\n' "$db" "$sock" "$port" "$dbuser"; }
dbuser=$( [ "$(id -u)" -eq 0 ] && echo postgres || id -un )

case "$cmd" in
  start)
    if [ ! -f "$data/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
      "${as_owner[@]}" mkdir -p "$sock"
      "${as_owner[@]}" "$bindir/initdb" -D "$data" -U "$dbuser" --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { echo "pg.sh: initdb failed, see $dir/initdb.log" >&2; exit 1; }
      cat >>"$data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$sock'
port = $port
max_connections = 200
fsync = on
CONF
    fi
    if "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      echo "pg.sh: already running in $dir" >&2
    else
      # -p: PIXELPROBE_PG_PORT applies to a cluster made earlier with another port too.
      "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -o "-p $port" -w -t 60 start >/dev/null \
        || { echo "pg.sh: server did not start, see $dir/server.log" >&2; exit 1; }
    fi
    if ! "${as_owner[@]}" "$bindir/psql" -h "$sock" -p "$port" -U "$dbuser" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
      "${as_owner[@]}" "$bindir/createdb" -h "$sock" -p "$port" -U "$dbuser" "$db"
    fi
    url
    ;;
  stop)
    if [ -f "$data/PG_VERSION" ]; then
      "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
  crash)
    # Stops the server without a checkpoint (`-m immediate`), as a power cut would; `start`
    # brings it back through crash recovery. For fault-injection tests.
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null
    ;;
  status)
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" status
    ;;
  url)
    url
    ;;
  destroy)
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: ops/pg.sh start|stop|crash|status|url|destroy [DIR]" >&2
    exit 2
    ;;
esac
