#!/usr/bin/env bash
# One training step (forward + backward + AdamW) of the default fusion network at Pixel200K shape:
# pixelrec (sparse embedding gradients, lazy AdamW) vs PyTorch (dense nn.Embedding; default and fused AdamW),
# at 1 and 2 threads. The ratio is taken against the faster PyTorch variant. Then the largest matmul's
# GFLOP/s against the measured sgemm peak, and peak RSS over 10,000 steps (BENCH_MEMORY_STEPS to change).
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-bench/.venv/bin/python}"
PIXELBENCH="${PIXELBENCH:-.build/release/PixelBench}"
STEPS="${BENCH_STEPS:-40}"
PEER_STEPS="${BENCH_PEER_STEPS:-15}"
MEMORY_STEPS="${BENCH_MEMORY_STEPS:-10000}"
export OPENBLAS_THREAD_TIMEOUT=1
field() { "$PYTHON" -c "import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])['$1'])"; }

rows=()
printf '%-28s %8s %12s %12s %12s %8s\n' bench threads ours peer-default peer-fused ratio
for threads in 1 2; do
  ours_json=$("$PIXELBENCH" train-step --threads "$threads" --steps "$STEPS")
  plain_json=$("$PYTHON" bench/train_step_peer.py --threads "$threads" --steps "$PEER_STEPS")
  fused_json=$("$PYTHON" bench/train_step_peer.py --threads "$threads" --steps "$PEER_STEPS" --fused)
  row=$("$PYTHON" - "$ours_json" "$plain_json" "$fused_json" "$threads" <<'PY'
import json, sys
o, p, f = (json.loads(a.strip().splitlines()[-1]) for a in sys.argv[1:4])
threads = int(sys.argv[4])
ours, plain, fused = o["steps_per_s"], p["steps_per_s"], f["steps_per_s"]
peer = max(plain, fused)
print(f"{'train-step':<28} {threads:>8} {ours:>12.2f} {plain:>12.2f} {fused:>12.2f} {ours / peer:>8.2f}"
      f"   (CPU ms/step: ours {o['cpu_ms_per_step']}, default {p['cpu_ms_per_step']}, fused {f['cpu_ms_per_step']};"
      f" ours fwd {o['forward_ms']} / bwd {o['backward_ms']} / AdamW {o['optimizer_ms']} ms)")
print(json.dumps({"bench": "train-step", "ours": round(ours, 3), "peer": round(peer, 3), "unit": "steps/s",
                  "ratio": round(ours / peer, 3), "threads": threads}))
PY
)
  echo "$row" | head -1
  rows+=("$(echo "$row" | tail -1)")
done

for threads in 1 2; do
  g=$("$PIXELBENCH" gemm --threads "$threads")
  largest=$(echo "$g" | field largest_gflops)
  peak=$(echo "$g" | field peak_gflops)
  printf 'gemm 512x256x512 (threads %s): %.1f GFLOP/s of %.1f GFLOP/s sgemm peak (%.0f%%)\n' "$threads" "$largest" "$peak" \
    "$("$PYTHON" -c "print(100 * $largest / $peak)")"
done

if [ "$MEMORY_STEPS" -gt 0 ]; then
  every=$(( MEMORY_STEPS < 1000 ? MEMORY_STEPS : 1000 ))
  "$PIXELBENCH" memory --steps "$MEMORY_STEPS" --every "$every" --threads 1 > "${TMPDIR:-/tmp}/pixelrec-memory.jsonl"
  "$PYTHON" - "${TMPDIR:-/tmp}/pixelrec-memory.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(f"memory: step {r['step']:>6}  peak RSS {r['peak_rss_mib']:8.1f} MiB  RSS {r['rss_mib']:8.1f} MiB")
PY
fi

for r in "${rows[@]}"; do echo "$r"; done
