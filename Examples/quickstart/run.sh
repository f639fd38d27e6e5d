#!/usr/bin/env bash
# Quickstart: the whole workflow on generated data, one command per step.
#   bash Examples/quickstart/run.sh            # SCALE=tiny for a 10-second smoke run
source "$(dirname "$0")/../common.sh"
here="$(cd "$(dirname "$0")" && pwd)"
OUT="${OUT:-$here/out}"
mkdir -p "$OUT" && cd "$OUT"
config="$here/config.yaml"

run "1. generate a catalog (images, titles, numeric columns) and interactions" \
  synth "${SYNTH[@]}" --seed 7 --out raw -q
run "2. clean items and images, fit numeric scalers" preprocess --config "$config" -q
run "3. leave-one-out split (last interaction: test, second last: validation)" split --config "$config" -q
run "4. encode images and texts into the feature store" encode --config "$config" -q
run "5. train (early stopping on validation NDCG@10)" train --config "$config" --set training.epochs=$EPOCHS -q
run "6. evaluate the next-item task on test, full ranking" \
  eval --config "$config" --task next_item --k 10 20 --output results/eval-multimodal.json
run "7. recommend 10 items for two users, diversity-aware" \
  recommend --config "$config" --users u1 u2 --top-k 10 --use-diversity --output results/recommendations.json
echo
echo "quickstart: done; outputs in $OUT (models/, results/eval-multimodal.json, results/recommendations.json)"
