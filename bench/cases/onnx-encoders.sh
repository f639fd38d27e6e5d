#!/usr/bin/env bash
# pixelrec's ONNX interpreter vs onnxruntime on the same model files and .npy inputs, same threads (1 and 2):
# MiniLM-L6 (batch 1 and 32 texts x 12 tokens), EfficientNet-Lite0 (1 and 32 images) and the full-size CLIP ViT-B/32
# vision tower (random weights, exact architecture; 1 and 32 images). items/s, ratio = ours/peer.
# Needs ../shared/models (PIXELREC_SHARED); skips rows whose model is absent.
# The CLIP tower is exported by ../shared/models/tools/export_clip.py --size base into $CLIP_DIR (default
# bench/.work/clip-vit-b32, gitignored): done here when the venv has transformers and onnx, otherwise the
# command to run is printed and the rows are skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-bench/.venv/bin/python}"
PIXELBENCH="${PIXELBENCH:-.build/release/PixelBench}"
SHARED="${PIXELREC_SHARED:-../shared}"
RUNS="${BENCH_RUNS:-20}"
export OPENBLAS_THREAD_TIMEOUT=1
# OpenBLAS 0.3.21's CPU detection falls back to its Prescott (SSE3) kernels on this VM's CPU ("Intel Xeon
# Processor" with AVX-512): measured 5-7x slower sgemm. Pick the kernel set from the CPU flags unless set.
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  if grep -qw avx512_bf16 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Cooperlake
  elif grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX
  elif grep -qw avx2 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Haswell
  fi
fi
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-auto}"
CLIP_DIR="${PIXELREC_CLIP_DIR:-bench/.work/clip-vit-b32}"
CLIP_MODEL="$CLIP_DIR/clip-vit-b32-random-vision.onnx"
CLIP_EXPORT="$PYTHON $SHARED/models/tools/export_clip.py --size base --no-timing $CLIP_DIR"
if [ ! -f "$CLIP_MODEL" ] && [ -f "$SHARED/models/tools/export_clip.py" ]; then
  if "$PYTHON" -c "import transformers, onnx, torch" 2>/dev/null; then
    echo "exporting the CLIP ViT-B/32 towers (random weights) into $CLIP_DIR (a few minutes)"
    mkdir -p "$CLIP_DIR"
    $CLIP_EXPORT > "$CLIP_DIR/export.log" 2>&1 || { echo "CLIP export failed: see $CLIP_DIR/export.log"; rm -f "$CLIP_MODEL"; }
  else
    echo "CLIP rows need the exported tower: $PYTHON -m pip install transformers onnx && $CLIP_EXPORT"
  fi
fi
field() { "$PYTHON" -c "import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])['$1'])"; }

cases=(
  "onnx-minilm-l6-b1|$SHARED/models/real/minilm-l6-v2/all-MiniLM-L6-v2.onnx|$SHARED/models/real/minilm-l6-v2/single_|texts/s"
  "onnx-minilm-l6-b32x12|$SHARED/models/real/minilm-l6-v2/all-MiniLM-L6-v2.onnx|$SHARED/models/real/minilm-l6-v2/batch32_|texts/s"
  "onnx-efficientnet-lite0-b1|$SHARED/models/real/efficientnet-lite0/efficientnet-lite0.onnx|$SHARED/models/real/efficientnet-lite0/single_|images/s"
  "onnx-efficientnet-lite0-b32|$SHARED/models/real/efficientnet-lite0/efficientnet-lite0.onnx|$SHARED/models/real/efficientnet-lite0/batch32_|images/s"
  "onnx-clip-vit-b32-vision-b1|$CLIP_MODEL|$CLIP_DIR/vision_single_|images/s"
  "onnx-clip-vit-b32-vision-b32|$CLIP_MODEL|$CLIP_DIR/vision_batch32_|images/s"
)
rows=()
printf '%-30s %8s %12s %12s %8s\n' bench threads ours peer ratio
for threads in 1 2; do
  for c in "${cases[@]}"; do
    IFS='|' read -r name model prefix unit <<< "$c"
    if [ ! -f "$model" ]; then echo "skip $name: $model is absent"; continue; fi
    runs=$RUNS
    case "$name" in *b32*) runs=$(( RUNS / 2 > 3 ? RUNS / 2 : 3 ));; esac
    warmup=3
    case "$name" in *clip*b32) runs=3; warmup=1;; esac
    ours_line=$("$PIXELBENCH" onnx --model "$model" --prefix "$prefix" --threads "$threads" --runs "$runs" --warmup "$warmup")
    ours=$(echo "$ours_line" | field items_per_s)
    isa=$(echo "$ours_line" | field isa)
    peer=$("$PYTHON" bench/onnx_peer.py --model "$model" --prefix "$prefix" --threads "$threads" --runs "$runs" --warmup "$warmup" | field items_per_s)
    row=$("$PYTHON" - "$name" "$ours" "$peer" "$threads" "$unit" "$isa" <<'PY'
import json, sys
name, ours, peer, threads, unit, isa = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
print(f"{name:<30} {threads:>8} {ours:>12.1f} {peer:>12.1f} {ours / peer:>8.2f}   kernels: {isa}")
print(json.dumps({"bench": name, "ours": round(ours, 2), "peer": round(peer, 2), "unit": unit,
                  "ratio": round(ours / peer, 3), "threads": threads, "isa": isa}))
PY
)
    echo "$row" | head -1
    rows+=("$(echo "$row" | tail -1)")
  done
done
for r in "${rows[@]}"; do echo "$r"; done
