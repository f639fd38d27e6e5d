#!/usr/bin/env bash
# Scale-out on this box: `pixelrec train` and `pixelrec eval` as one process with 1 thread vs `mpirun -n 2`
# with 1 thread per rank (the same steps, bit for bit, as `--threads 2`), and the cost of each collective
# rank 0 logs (bytes and ms per step; the ms include waiting for the slower rank). No peer: the row's
# "peer" is the 1-rank run, "ratio" the speed-up.
#
# Shape (Pixel200K, as train-e2e): 200k users, 100k items, width 128, 4 heads, fusion MLP [512, 256, 128]
# with batch norm and dropout 0.1, ID user encoder, 256 positives + 256 negatives per step, BCE, AdamW.
# Data: `pixelrec synth` with BENCH_MPI_INTERACTIONS interactions (default 60,000: 235 steps), generated
# once into BENCH_MPI_DIR. eval: multimodal full ranking (37k items with interactions) for the users of the first
# BENCH_MPI_EVAL_ROWS interactions (timing only: their items are also training items). eval users/s is
# measured twice: the whole process (item vectors of the checkpoint are computed on every rank) and the
# ranking phase alone (split over the ranks, its all-gather included).
set -euo pipefail
cd "$(dirname "$0")/../.."
PIXELREC="${PIXELREC:-.build/release/pixelrec}"
INTERACTIONS="${BENCH_MPI_INTERACTIONS:-60000}"
EVAL_ROWS="${BENCH_MPI_EVAL_ROWS:-20000}"
WORK="${BENCH_MPI_DIR:-${TMPDIR:-/tmp}/pixelrec-mpi}/n$INTERACTIONS"
MPIRUN=(mpirun --allow-run-as-root --oversubscribe -n 2)
command -v mpirun >/dev/null || { echo "mpi-scaling: mpirun not found (apt-get install openmpi-bin libopenmpi-dev)"; exit 0; }
export OPENBLAS_THREAD_TIMEOUT=1
mkdir -p "$WORK"
if [ ! -f "$WORK/raw/synth_info.json" ]; then
  "$PIXELREC" synth --users 200000 --items 100000 --interactions "$INTERACTIONS" --image-size 16 --seed 1 \
    --out "$WORK/raw" -q >/dev/null
fi
cat > "$WORK/config.yaml" <<YAML
model: {vision_model: builtin, language_model: builtin, embedding_dim: 128, num_attention_heads: 4, attention_dropout: 0.0,
        dropout_rate: 0.1, fusion_hidden_dims: [512, 256, 128], use_batch_norm: true, use_contrastive: false,
        item_id_dropout: 0.0, scoring: dot, user_encoder: id}
training: {loss: bce, batch_size: 256, epochs: 1, learning_rate: 0.001, weight_decay: 0.01, optimizer_type: adamw,
           threads: 1, seed: 7, gradient_clip: 1.0}
data:
  item_info_path: $WORK/raw/item_info.csv
  interactions_path: $WORK/raw/interactions.csv
  image_folder: $WORK/raw/images
  processed_item_info_path: $WORK/processed/item_info.csv
  feature_store_path: $WORK/features
  train_data_path: $WORK/raw/interactions.csv
  val_data_path: $WORK/no-validation.csv
  negative_sampling_ratio: 1
checkpoint_dir: $WORK/ckpt
YAML
"$PIXELREC" encode --config "$WORK/config.yaml" -q >/dev/null   # once; later runs reuse the stores
head -n $((EVAL_ROWS + 1)) "$WORK/raw/interactions.csv" > "$WORK/eval-test.csv"
rows=$((2 * INTERACTIONS))

seconds() { local start end; start=$(date +%s.%N); "$@" > "$WORK/last.log" 2>&1; end=$(date +%s.%N); echo "$end - $start" | bc -l; }
t1=$(seconds "$PIXELREC" train --config "$WORK/config.yaml" --threads 1 --set "checkpoint_dir=$WORK/ckpt-1")
t2=$(seconds "${MPIRUN[@]}" "$PIXELREC" train --config "$WORK/config.yaml" --threads 1 --set "checkpoint_dir=$WORK/ckpt-2")
grep -A6 "^mpi:" "$WORK/last.log" || true
grep "^time:" "$WORK/last.log" || true
eval_args=(eval --config "$WORK/config.yaml" -r multimodal --train-data "$WORK/raw/interactions.csv"
  --test-data "$WORK/eval-test.csv" --checkpoint "$WORK/ckpt-1/last.ckpt" -q)
e1=$(seconds "$PIXELREC" "${eval_args[@]}" -o "$WORK/eval-1.json")
e2=$(seconds "${MPIRUN[@]}" "$PIXELREC" "${eval_args[@]}" -o "$WORK/eval-2.json")
users=$(python3 -c "import json; print(json.load(open('$WORK/eval-1.json'))['split']['evaluated_users'])")
r1=$(python3 -c "import json; print(json.load(open('$WORK/eval-1.json'))['timing']['rank'])")
r2=$(python3 -c "import json; print(json.load(open('$WORK/eval-2.json'))['timing']['rank'])")
row() { # bench unit ours(2 ranks) peer(1 rank)
  python3 -c "import json; print(json.dumps({'bench': '$1', 'unit': '$2', 'ours': round($3, 1), 'peer': round($4, 1), 'ratio': round($3 / $4, 3), 'threads': 2}))"
}
printf '%-18s %14s %14s %8s\n' bench "2 ranks" "1 rank" speed-up
printf '%-18s %14.1f %14.1f %8.2f\n' "train rows/s" "$(echo "$rows / $t2" | bc -l)" "$(echo "$rows / $t1" | bc -l)" "$(echo "$t1 / $t2" | bc -l)"
printf '%-18s %14.1f %14.1f %8.2f\n' "eval users/s" "$(echo "$users / $e2" | bc -l)" "$(echo "$users / $e1" | bc -l)" "$(echo "$e1 / $e2" | bc -l)"
printf '%-18s %14.1f %14.1f %8.2f\n' "eval rank users/s" "$(echo "$users / $r2" | bc -l)" "$(echo "$users / $r1" | bc -l)" "$(echo "$r1 / $r2" | bc -l)"
row mpi-train rows/s "$(echo "$rows / $t2" | bc -l)" "$(echo "$rows / $t1" | bc -l)"
row mpi-eval users/s "$(echo "$users / $e2" | bc -l)" "$(echo "$users / $e1" | bc -l)"
row mpi-eval-rank users/s "$(echo "$users / $r2" | bc -l)" "$(echo "$users / $r1" | bc -l)"
