#!/usr/bin/env bash
# make demo: the whole pipeline on generated data (license-clean, no download):
# synth → preprocess → split → encode → train → eval (model vs baselines) → recommend (with diversity).
set -uo pipefail
cd "$(dirname "$0")/.."
bin="${1:-.build/release/pixelrec}"
out=demo-out
config=configs/demo_config.yaml
rm -rf "$out"
mkdir -p "$out"
start=$(date +%s)

step() {
  local name="$1"; shift
  echo
  echo "== $name: pixelrec $*"
  local log="$out/$name.log"
  local t0
  t0=$(date +%s)
  "$bin" "$@" 2> >(tee "$log" >&2)
  local status=$?
  wait
  if [ $status -ne 0 ]; then
    echo "demo: step '$name' failed (exit $status); see $log" >&2
    exit 1
  fi
  echo "-- $name: $(( $(date +%s) - t0 )) s"
}

step synth      synth --config "$config" --users 600 --items 400 --interactions 36000 --seed 7 --out "$out/raw"
step preprocess preprocess --config "$config"
step split      split --config "$config" --strategy leave_one_out --name loo
step encode     encode --config "$config"
step train      train --config "$config"
step eval       eval --config "$config" --task next_item --recommender-type multimodal --k 10 20 -q \
                  --output "$out/results/eval-multimodal.json"
step popularity eval --config "$config" --task next_item --recommender-type popularity --k 10 20 -q \
                  --output "$out/results/eval-popularity.json"
step item_knn   eval --config "$config" --task next_item --recommender-type item_knn --k 10 20 -q \
                  --output "$out/results/eval-item_knn.json"
step user_knn   eval --config "$config" --task next_item --recommender-type user_knn --k 10 20 -q \
                  --output "$out/results/eval-user_knn.json"
step compare    eval --compare "$out/results/eval-multimodal.json" "$out/results/eval-popularity.json" \
                  "$out/results/eval-item_knn.json" "$out/results/eval-user_knn.json"
step recommend  recommend --config "$config" --sample-users 100 --top-k 10 --use-diversity \
                  --embeddings-cache "$out/cache/item_vectors.pxiv" --evaluate "$out/splits/loo/test.csv" \
                  --output "$out/results/recommendations.json"

echo
echo "demo: finished in $(( $(date +%s) - start )) s; outputs in $out/ (results/recommendations.json, results/eval-*.json)"
