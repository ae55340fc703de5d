#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs every unit and integration test
# (ctest starts and stops a throwaway PostgreSQL itself).
#   scripts/test.sh [PRESET] [ctest args...]    PRESET: release (default), debug, asan
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
preset=release
if [ $# -gt 0 ] && [[ "$1" != -* ]]; then preset=$1; shift; fi
bash "$root/scripts/setup.sh" "$preset"
cd "$root"
ctest --preset "$preset" -j"$(nproc)" "$@"
