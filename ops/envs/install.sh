#!/usr/bin/env bash
# Installs the game environment server's packages (requirements.txt beside this script) into a
# virtual environment, from wheels only. Idempotent: does nothing when the environment already
# holds exactly these requirements (a stamp records their digest).
# PIXELPROBE_ENVS_VENV chooses the folder (default: .venv-envs under the project folder).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${PIXELPROBE_ENVS_VENV:-$root/.venv-envs}
requirements=$here/requirements.txt
want=$(sha256sum "$requirements" | cut -d' ' -f1)
stamp=$venv/.pixelprobe-requirements
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "setup: game environments present in $venv" >&2
  exit 0
fi
# Debian's interpreter (with python3-venv) when there is one: the wheels are for CPython 3.11.
python=/usr/bin/python3
[ -x "$python" ] || python=$(command -v python3)
echo "setup: installing the game environments into $venv" >&2
rm -f "$stamp"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: \
  -r "$requirements"
"$venv/bin/python" -c 'import gymnasium, ale_py, Box2D, pygame' 2>/dev/null \
  || { echo "setup: the game environments do not import; see $venv" >&2; exit 1; }
echo "$want" >"$stamp"
