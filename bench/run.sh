#!/usr/bin/env bash
# make bench [BENCH=prefix]: runs every bench case whose name starts with the prefix.
# Each case runs pixelrec and its peer side by side in one run, prints a readable table, then one JSON
# line per row: {"bench","ours","peer","unit","ratio"(>1: pixelrec better),"threads"}.
set -euo pipefail
cd "$(dirname "$0")/.."
filter="${1:-}"
cpu="${2:-x86-64}"
venv=bench/.venv
if [ ! -x "$venv/bin/python" ]; then
  echo "bench: creating the peer venv in $venv"
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r bench/requirements.txt
swift build -c release -Xswiftc -target-cpu -Xswiftc "$cpu" -Xcc -march="$cpu" --product PixelBench
swift build -c release -Xswiftc -target-cpu -Xswiftc "$cpu" -Xcc -march="$cpu" --product pixelrec
export PYTHON="$PWD/$venv/bin/python" PIXELBENCH="$PWD/.build/release/PixelBench" PIXELREC="$PWD/.build/release/pixelrec"
export OPENBLAS_THREAD_TIMEOUT=1
ran=0
for case in bench/cases/*.sh; do
  [ -e "$case" ] || continue
  name=$(basename "$case" .sh)
  [[ "$name" == "$filter"* ]] || continue
  echo "== $name"
  bash "$case"
  ran=$((ran + 1))
done
[ "$ran" -gt 0 ] || { echo "bench: no bench case matches '$filter'" >&2; exit 2; }
