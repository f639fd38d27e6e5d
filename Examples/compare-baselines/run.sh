#!/usr/bin/env bash
# The model against the classical baselines on one leave-one-out split, in one table and one chart.
source "$(dirname "$0")/../common.sh"
here="$(cd "$(dirname "$0")" && pwd)"
OUT="${OUT:-$here/out}"
mkdir -p "$OUT" && cd "$OUT"
config="$here/../quickstart/config.yaml"

run "1. generate data" synth "${SYNTH[@]}" --seed 7 --out raw -q
run "2. preprocess" preprocess --config "$config" -q
run "3. leave-one-out split" split --config "$config" -q
run "4. train the multimodal model" train --config "$config" --set training.epochs=$EPOCHS -q
results=()
for r in multimodal popularity item_knn user_knn random; do
  run "5. eval $r" eval --config "$config" --task next_item --recommender-type "$r" --k 10 20 \
    --output "results/eval-$r.json" -q
  results+=("results/eval-$r.json")
done
run "6. one table, and the same as a bar chart (a panel per metric, 95% intervals as whiskers)" \
  eval --compare "${results[@]}" --chart results/compare.png
