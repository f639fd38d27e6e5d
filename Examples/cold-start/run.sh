#!/usr/bin/env bash
# Cold-start items: item split → train with ID dropout → eval --task cold_item, model vs content kNN.
source "$(dirname "$0")/../common.sh"
here="$(cd "$(dirname "$0")" && pwd)"
OUT="${OUT:-$here/out}"
mkdir -p "$OUT" && cd "$OUT"
config="$here/config.yaml"

run "1. generate data" synth "${SYNTH[@]}" --seed 11 --out raw -q
run "2. preprocess" preprocess --config "$config" -q
run "3. hold out 10% of the items with >= 5 interactions for test, 10% for validation" split --config "$config" -q
run "4. encode" encode --config "$config" -q
run "5. train (validation on the cold validation items)" train --config "$config" --set training.epochs=$EPOCHS -q
run "6. the model on cold items" \
  eval --config "$config" --task cold_item --k 10 --output results/cold-multimodal.json -q
run "7. content kNN on cold items (a user's history vs the items' image + text features)" \
  eval --config "$config" --task cold_item --recommender-type content_knn --k 10 --output results/cold-content_knn.json -q
run "8. side by side" eval --compare results/cold-multimodal.json results/cold-content_knn.json
