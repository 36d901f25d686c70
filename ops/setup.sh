#!/usr/bin/env bash
# Installs the Debian packages PixelProbe builds and runs with, and the game environment server's
# Python packages (ops/envs/requirements.txt) into .venv-envs/. Idempotent; needs root or sudo
# only when a Debian package is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(pkg-config libcurl4 libpq-dev libzstd-dev libopenblas-dev libturbojpeg0-dev libpng-dev postgresql openssl python3 python3-venv)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all Debian packages present" >&2
else
  echo "setup: installing ${missing[*]}" >&2
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian's postgresql package starts a cluster of its own; PixelProbe never uses it.
fi
ops/envs/install.sh
echo "setup: done" >&2
