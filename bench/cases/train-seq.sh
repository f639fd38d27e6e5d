#!/usr/bin/env bash
# One training step (forward + backward + Adam) of the sequence model (`user_encoder: sequence`) vs the same
# SASRec in PyTorch (bench/train_seq_peer.py), at d = 64 and 128, 1 and 2 threads. Shape: 256 windows x 50
# slots (all full: 12,800 targets), 2 blocks, 1 head, dropout 0.2; item tokens from the multimodal item tower
# (ID embedding + Linear 768->d vision + Linear 384->d text, 4-head token attention, fusion MLP [512, 256, 128]
# with batch norm) over the step's candidates only; sampled softmax with log-Q correction over the batch's
# items plus 1024 uniform negatives of a 100k-item catalog (~12k candidates: items drawn by the log-normal
# popularity of `pixelrec synth`). Both sides read the same batches (`PixelBench train-seq --dump`).
# pixelrec: `threads` data-parallel shards (sequenceLossAndGradients) and Adam on `threads` workers, as
# `pixelrec train` runs a sequence step. PyTorch: eager and torch.compile (fused Adam both); the ratio is taken against the faster.
# Times: median wall ms of BENCH_SEQ_STEPS steps (default 10) after warm-up; ratio = peer ms / our ms.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-bench/.venv/bin/python}"
PIXELBENCH="${PIXELBENCH:-.build/release/PixelBench}"
STEPS="${BENCH_SEQ_STEPS:-10}"
WARMUP="${BENCH_SEQ_WARMUP:-3}"
VARIANTS="${BENCH_SEQ_PEERS:-eager compile}"
# BENCH_SEQ_ROWS: which rows (64, 128, shipped; default all)
export OPENBLAS_THREAD_TIMEOUT=1
data="${TMPDIR:-/tmp}/pixelrec-train-seq-batches.json"
"$PIXELBENCH" train-seq --dump "$data"
logs="${TMPDIR:-/tmp}/pixelrec-train-seq-logs"
mkdir -p "$logs"

rows=()
printf '%-16s %8s %12s %12s %12s %8s\n' bench threads ours-ms peer-eager peer-compile ratio
# Rows: the issue's shape at d 64 and 128 (fusion MLP [512, 256, 128] with batch norm, dropout 0.2), then
# `shipped` at d 64: the architecture of pixelrec's built-in defaults (one Linear after the token attention, no
# batch norm, tower dropout 0, sequence dropout 0.5), the step `pixelrec train` runs with an unset config.
for variant in ${BENCH_SEQ_ROWS:-64 128 shipped}; do
  dim=$variant arch=""
  [ "$variant" = shipped ] && dim=64 arch="--shipped"
  for threads in 1 2; do
    # shellcheck disable=SC2086
    ours=$("$PIXELBENCH" train-seq --dim "$dim" --threads "$threads" --steps "$STEPS" --warmup "$WARMUP" $arch | tail -1)
    eager="" compiled=""
    for peer in $VARIANTS; do
      flags=""
      [ "$peer" = compile ] && flags="--compile"
      log="$logs/$variant-t$threads-$peer.log"
      # shellcheck disable=SC2086
      out=$("$PYTHON" bench/train_seq_peer.py --data "$data" --dim "$dim" --threads "$threads" --steps "$STEPS" \
        --warmup "$WARMUP" $flags $arch 2>"$log" | tail -1) || out=""
      [ "$peer" = eager ] && eager="$out"
      [ "$peer" = compile ] && compiled="$out"
    done
    row=$("$PYTHON" - "$ours" "$eager" "$compiled" "$dim" "$threads" "$logs/$variant-t$threads-compile.log" "$variant" <<'PY'
import json, sys
ours = json.loads(sys.argv[1])
peers = {name: json.loads(text) for name, text in (("eager", sys.argv[2]), ("compile", sys.argv[3])) if text.strip()}
dim, threads, compile_log, variant = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7]
notes = [f"{ours['candidates']} candidates x {ours['targets']} targets",
         f"ours loss+gradients {ours['pass_ms']} / Adam {ours['optimizer_ms']} ms, CPU {ours['cpu_ms_per_step']} ms/step"]
for k, v in peers.items():
    notes.append(f"{k} CPU {v['cpu_ms_per_step']} ms/step")
if "compile" not in peers:
    try:
        last = [l for l in open(compile_log).read().splitlines() if l.strip()][-1:]
    except OSError:
        last = []
    notes.append("torch.compile failed on this CPU, eager only" + (f" ({last[0][:160]})" if last else ""))
shown = lambda name: f"{peers[name]['median_ms']:12.1f}" if name in peers else f"{'n/a':>12}"
name = f"train-seq-shipped-d{dim}" if variant == "shipped" else f"train-seq-d{dim}"
if peers:
    best = min(peers, key=lambda k: peers[k]["median_ms"])
    peer = peers[best]["median_ms"]
    ratio = peer / ours["median_ms"]
    notes.append(f"faster peer: {best}")
else:
    peer, ratio = float("nan"), float("nan")
    notes.append("no PyTorch peer ran")
print(f"{name:<16} {threads:>8} {ours['median_ms']:12.1f}{shown('eager')}{shown('compile')} {ratio:8.2f}   ({'; '.join(notes)})")
print(json.dumps({"bench": name, "ours": ours["median_ms"], "peer": peer, "unit": "ms/step", "ratio": round(ratio, 3),
                  "threads": threads, "notes": "; ".join(notes)}))
PY
)
    echo "$row" | head -1
    rows+=("$(echo "$row" | tail -1)")
  done
done
for r in "${rows[@]}"; do echo "$r"; done
