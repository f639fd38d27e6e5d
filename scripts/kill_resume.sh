#!/usr/bin/env bash
# SIGKILL/resume robustness (issue 7): trains a small generated data set once without interruption,
# then again while killing `pixelrec train` with SIGKILL at random moments KILLS times (resuming from
# last.ckpt after each kill), and checks that
#   - every checkpoint left behind by a kill reads back (signature, header, payload checksum), and
#   - the final per-epoch metrics (losses, validation metrics, learning rates) equal the uninterrupted run's.
# Usage: scripts/kill_resume.sh [pixelrec binary] [kills]   (env SEED for the kill times, THREADS=1)
set -euo pipefail
PIXELREC=${1:-${PIXELREC:-.build/release/pixelrec}}
KILLS=${2:-10}
THREADS=${THREADS:-1}
SEED=${SEED:-1}
WORK=$(mktemp -d /tmp/pixelrec-kill.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
"$PIXELREC" synth --users 300 --items 150 --interactions 9000 --image-size 32 --seed 4 --out "$WORK/raw" -q >/dev/null
cat > "$WORK/config.yaml" <<YAML
model: {vision_model: builtin, language_model: builtin, embedding_dim: 32, fusion_hidden_dims: [64], num_attention_heads: 2, item_id_dropout: 0.2}
training: {epochs: 30, batch_size: 64, threads: $THREADS, seed: 5, patience: 0}
data:
  item_info_path: $WORK/raw/item_info.csv
  interactions_path: $WORK/raw/interactions.csv
  image_folder: $WORK/raw/images
  processed_item_info_path: $WORK/processed/item_info.csv
  feature_store_path: $WORK/features
  train_data_path: $WORK/split/train.csv
  val_data_path: $WORK/split/val.csv
  test_data_path: $WORK/split/test.csv
  splitting: {strategy: leave_one_out}
checkpoint_dir: $WORK/full
YAML
"$PIXELREC" split --config "$WORK/config.yaml" --interactions "$WORK/raw/interactions.csv" --output "$WORK/split" -q >/dev/null
start=$(date +%s.%N)
"$PIXELREC" train --config "$WORK/config.yaml" -q >/dev/null
full_seconds=$(echo "$(date +%s.%N) - $start" | bc)
echo "uninterrupted run: ${full_seconds}s"
RANDOM=$SEED
killed=0
corrupt=0
while [ $killed -lt "$KILLS" ]; do
  resume=()
  [ -f "$WORK/killed/last.ckpt" ] && resume=(--resume "$WORK/killed/last.ckpt")
  "$PIXELREC" train --config "$WORK/config.yaml" --set checkpoint_dir="$WORK/killed" -q "${resume[@]}" >/dev/null 2>&1 &
  pid=$!
  # A random moment between 0.3 s and an eighth of the uninterrupted run's time.
  frac=$((RANDOM % 1000))
  delay=$(echo "scale=3; 0.3 + $frac * $full_seconds / 8000" | bc)
  sleep "$delay"
  if kill -9 $pid 2>/dev/null; then
    wait $pid 2>/dev/null || true
    killed=$((killed + 1))
    epoch="none"
    if [ -f "$WORK/killed/last.ckpt" ]; then
      if "$PIXELREC" extract-encoders --checkpoint "$WORK/killed/last.ckpt" --output "$WORK/check" -q >/dev/null 2>"$WORK/err"; then
        epoch=$(python3 -c "import json,sys; d=open('$WORK/killed/last.ckpt','rb').read(); n=int.from_bytes(d[8:16],'little'); print(json.loads(d[16:16+n])['epoch'])")
      else
        corrupt=$((corrupt + 1)); cat "$WORK/err"
      fi
    fi
    echo "kill $killed after ${delay}s: last checkpoint epoch $epoch"
  else
    wait $pid || true
    break
  fi
done
resume=()
[ -f "$WORK/killed/last.ckpt" ] && resume=(--resume "$WORK/killed/last.ckpt")
"$PIXELREC" train --config "$WORK/config.yaml" --set checkpoint_dir="$WORK/killed" -q "${resume[@]}" >/dev/null
python3 - "$WORK/full/metrics.jsonl" "$WORK/killed/metrics.jsonl" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
keys = ["epoch", "steps", "trainLoss", "recommendationLoss", "contrastiveLoss", "learningRate", "validation"]
same = len(a) == len(b) and all(x[k] == y[k] for x, y in zip(a, b) for k in keys)
print(f"epochs: {len(a)} vs {len(b)}; final ndcg@10 {a[-1]['validation'].get('ndcg@10')} vs {b[-1]['validation'].get('ndcg@10')}")
print("identical metrics: " + ("yes" if same else "NO"))
sys.exit(0 if same else 1)
PY
echo "kills: $killed, corrupt checkpoints: $corrupt"
[ $corrupt -eq 0 ]
