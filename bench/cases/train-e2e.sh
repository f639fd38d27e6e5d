#!/usr/bin/env bash
# End-to-end training throughput: the whole `pixelrec train` process (CSV loading, id maps, feature stores,
# scalers, per-epoch negative sampling, training, checkpoints and logs) in training rows per second
# (positives + negatives), side by side with an equivalent PyTorch script on the same files
# (bench/train_e2e_peer.py: same model, batch stream structure, loss, clipping, AdamW, one checkpoint), at
# 1 and 2 threads. PyTorch runs eagerly and under torch.compile (both with fused AdamW); the ratio is taken
# against the faster. Then `PixelBench train-dp`: W=1 vs W=2 steps/s of the bare training step, measured
# back to back, with the CPU split of a W=2 step and the Amdahl bound it implies.
#
# Shape (Pixel200K, as train-step): 200k users, 100k items, width 128, 4 heads, fusion MLP [512, 256, 128]
# with batch norm and dropout 0.1, 256 positives + 256 negatives per step, BCE. Content comes from the
# builtin encoders (image 192-d, text 512-d; train-step's random features are 512/384) and 7 numeric
# columns. Data: `pixelrec synth` with BENCH_E2E_INTERACTIONS interactions (default 150,000: one epoch of
# 586 steps; measured on the shared, busy 2-core machine: pixelrec ~90 s, each PyTorch run 6-10 minutes;
# on a quiet machine pixelrec should take tens of seconds), generated once into BENCH_E2E_DIR (default
# $TMPDIR/pixelrec-train-e2e) with its features (synth ~3 min, encode ~45 s, busy machine).
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-bench/.venv/bin/python}"
PIXELREC="${PIXELREC:-.build/release/pixelrec}"
PIXELBENCH="${PIXELBENCH:-.build/release/PixelBench}"
INTERACTIONS="${BENCH_E2E_INTERACTIONS:-150000}"
WORK="${BENCH_E2E_DIR:-${TMPDIR:-/tmp}/pixelrec-train-e2e}/n$INTERACTIONS"
VARIANTS="${BENCH_E2E_PEERS:-eager compile}"
export OPENBLAS_THREAD_TIMEOUT=1
mkdir -p "$WORK"
if [ ! -f "$WORK/raw/synth_info.json" ]; then
  "$PIXELREC" synth --users 200000 --items 100000 --interactions "$INTERACTIONS" --image-size 32 --seed 1 \
    --out "$WORK/raw" -q >/dev/null
fi
config() {
  cat > "$WORK/config-$1.yaml" <<YAML
model: {vision_model: builtin, language_model: builtin, embedding_dim: 128, num_attention_heads: 4, attention_dropout: 0.0,
        dropout_rate: 0.1, fusion_hidden_dims: [512, 256, 128], use_batch_norm: true, use_contrastive: false,
        item_id_dropout: 0.0, scoring: dot}
training: {loss: bce, batch_size: 256, epochs: 1, learning_rate: 0.001, weight_decay: 0.01, optimizer_type: adamw,
           threads: $1, seed: 7, gradient_clip: 1.0}
data:
  item_info_path: $WORK/raw/item_info.csv
  interactions_path: $WORK/raw/interactions.csv
  image_folder: $WORK/raw/images
  processed_item_info_path: $WORK/processed/item_info.csv
  feature_store_path: $WORK/features
  train_data_path: $WORK/raw/interactions.csv
  val_data_path: $WORK/no-validation.csv
  negative_sampling_ratio: 1
checkpoint_dir: $WORK/ckpt-$1
YAML
}
config 1
"$PIXELREC" encode --config "$WORK/config-1.yaml" -q >/dev/null   # once; later runs reuse the stores
rows=$((2 * INTERACTIONS))
clock() { "$PYTHON" -c "import time; print(time.perf_counter())"; }

json=()
printf '%-12s %8s %14s %14s %14s %8s\n' bench threads ours peer-eager peer-compile ratio
for threads in 1 2; do
  config "$threads"
  rm -rf "$WORK/ckpt-$threads"
  start=$(date +%s.%N)
  "$PIXELREC" train --config "$WORK/config-$threads.yaml" -q >/dev/null 2>&1
  end=$(date +%s.%N)
  ours=$("$PYTHON" -c "print($rows / ($end - $start))")
  declare -A peer=([eager]=0 [compile]=0)
  for variant in $VARIANTS; do
    flags="--fused"
    [ "$variant" = compile ] && flags="--fused --compile"
    # shellcheck disable=SC2086
    out=$("$PYTHON" bench/train_e2e_peer.py --train "$WORK/raw/interactions.csv" --item-info "$WORK/raw/item_info.csv" \
      --features "$WORK/features" --out "$WORK/peer.pt" --threads "$threads" $flags 2>/dev/null | tail -1) || out=""
    if [ -n "$out" ]; then
      peer[$variant]=$(echo "$out" | "$PYTHON" -c "import json,sys; print(json.loads(sys.stdin.read())['samples_per_s'])")
    fi
  done
  line=$("$PYTHON" - "$ours" "${peer[eager]}" "${peer[compile]}" "$threads" <<'PY'
import json, sys
ours, eager, compiled, threads = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
peer = max(eager, compiled)
shown = lambda v: f"{v:14.0f}" if v > 0 else f"{'n/a':>14}"
ratio = ours / peer if peer > 0 else float("nan")
print(f"{'train-e2e':<12} {threads:>8} {ours:14.0f}{shown(eager)}{shown(compiled)} {ratio:8.2f}   (rows/s; eager and compiled"
      " PyTorch with fused AdamW)")
print(json.dumps({"bench": "train-e2e", "ours": round(ours, 1), "peer": round(peer, 1), "unit": "samples/s",
                  "ratio": round(ratio, 3), "threads": threads}))
PY
)
  echo "$line" | head -1
  json+=("$(echo "$line" | tail -1)")
done

dp=$("$PIXELBENCH" train-dp)
"$PYTHON" - "$dp" <<'PY'
import json, sys
d = json.loads(sys.argv[1].strip().splitlines()[-1])
print(f"train-dp: W=1 {d['w1_steps_per_s']} steps/s, W=2 {d['w2_steps_per_s']} steps/s, speedup {d['speedup']} "
      f"(CPU ms/step W=1 {d['w1_cpu_ms_per_step']}, W=2 {d['w2_cpu_ms_per_step']}; W=2 split: forward {d['w2_forward_ms']}, "
      f"head {d['w2_head_ms']}, backward {d['w2_backward_ms']}, merge {d['w2_merge_ms']}, AdamW {d['optimizer_ms']} ms; "
      f"Amdahl bound {d['amdahl_speedup']})")
PY
for j in "${json[@]}"; do echo "$j"; done
