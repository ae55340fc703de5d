#!/usr/bin/env bash
# Installs what lakesync needs (Debian packages listed in deps/debian-packages.txt), then
# configures and builds a CMake preset. Fast when everything is already there.
#   scripts/setup.sh [PRESET [TARGET...]]   PRESET: release (default), debug, asan;
#                                            TARGETs: what to build (default: everything)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
preset=${1:-release}
shift || true
targets=()
[ $# -gt 0 ] && targets=(--target "$@")

need_root() {
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null; then sudo "$@"; else
      echo "lakesync setup: installing packages needs root (run as root or install sudo)" >&2; exit 1
    fi
  else "$@"; fi
}

missing=()
while read -r pkg extra; do
  [ -z "$pkg" ] && continue
  case "$pkg" in \#*) continue ;; esac
  if [[ "${extra:-}" == cmd:* ]] && command -v "${extra#cmd:}" >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done <"$root/deps/debian-packages.txt"
if [ ${#missing[@]} -gt 0 ]; then
  echo "lakesync setup: installing ${missing[*]}"
  need_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  need_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm packages used by tests (independent readers and clients), installed into node_modules/.
# Skipped when node_modules/ is newer than package.json and package-lock.json (nothing changed).
if [ -f "$root/package.json" ] && { [ ! -d "$root/node_modules" ] ||
    [ "$root/package.json" -nt "$root/node_modules" ] || [ "$root/package-lock.json" -nt "$root/node_modules" ]; }; then
  (cd "$root" && npm install --no-audit --no-fund --loglevel=error && touch node_modules)
fi

cd "$root"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j"$(nproc)" "${targets[@]}"
