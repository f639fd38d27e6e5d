#!/usr/bin/env bash
# Fast however it is built: `pixelrec embed` of 64 plot-length texts (the first 64 descriptions of
# ml100k-pixel) with the real MiniLM-L6, by the binary of a plain `swift build -c release` (no -target-cpu:
# baseline x86-64, what a Swift user types and what a package depending on pixelrec gets) vs the `make build`
# binary ($PIXELREC, built by bench/run.sh for CPU). Same inputs, same threads (embed's default, 2); the
# dense kernels of both pick their instruction set at run time (PIXELREC_ISA unset). texts/s = 64 / the
# best wall time of BENCH_PORTABLE_RUNS runs (default 5) after one warm-up, whole process (model load
# included); ratio = ours/peer (goal ≥ 0.8). The two outputs' largest difference is printed beside the table.
# Needs ../shared (PIXELREC_SHARED); skips when absent.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-bench/.venv/bin/python}"
PIXELREC="${PIXELREC:-.build/release/pixelrec}"
SHARED="${PIXELREC_SHARED:-../shared}"
RUNS="${BENCH_PORTABLE_RUNS:-5}"
MODEL="$SHARED/models/real/minilm-l6-v2"
ITEMS="$SHARED/data/ml100k-pixel/item_info.csv"
if [ ! -f "$MODEL/all-MiniLM-L6-v2.onnx" ] || [ ! -f "$ITEMS" ]; then
  echo "skip onnx-portable: $MODEL or $ITEMS is absent"
  exit 0
fi
# Its own scratch folder (gitignored .build-*), so the make build binary in .build stays as it is.
PORTABLE_BUILD="${PIXELREC_PORTABLE_BUILD:-.build-portable}"
swift build -c release --product pixelrec --scratch-path "$PORTABLE_BUILD"
work="${TMPDIR:-/tmp}/pixelrec-onnx-portable"
mkdir -p "$work"
"$PYTHON" - "$PORTABLE_BUILD/release/pixelrec" "$PIXELREC" "$MODEL" "$ITEMS" "$RUNS" "$work" <<'PY'
import csv, json, subprocess, sys, time
import numpy as np

ours_bin, peer_bin, model, items, runs, work = sys.argv[1:7]
with open(items, newline="", encoding="utf-8") as f:
    texts = [r["description"] for r in csv.DictReader(f) if r["description"].strip()][:64]

def best(binary, out):
    args = [binary, "embed", "--quiet", "--encoder", "sentence-bert", "--model", model, "--output", out]
    for t in texts:
        args += ["--text", t]
    times = []
    for i in range(int(runs) + 1):
        start = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        if i > 0:
            times.append(time.perf_counter() - start)
    return len(texts) / min(times)

ours = best(ours_bin, f"{work}/ours.npy")
peer = best(peer_bin, f"{work}/peer.npy")
diff = float(np.abs(np.load(f"{work}/ours.npy") - np.load(f"{work}/peer.npy")).max())
print(f"{'bench':<16} {'threads':>8} {'ours':>10} {'peer':>10} {'ratio':>8}   texts/s (max |ours - peer| {diff:.3g})")
print(f"{'onnx-portable':<16} {2:>8} {ours:>10.1f} {peer:>10.1f} {ours / peer:>8.2f}")
print(json.dumps({"bench": "onnx-portable", "ours": round(ours, 2), "peer": round(peer, 2), "unit": "texts/s",
                  "ratio": round(ours / peer, 3), "threads": 2}))
PY
