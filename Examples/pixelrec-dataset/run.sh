#!/usr/bin/env bash
# pixelrec on the PixelRec / Pixel200K download, or on a generated stand-in in the same layout.
#   PIXELREC_DATA=/path/to/Pixel200K bash Examples/pixelrec-dataset/run.sh   # the real download
#   bash Examples/pixelrec-dataset/run.sh                                    # no download: generated data
# PIXELREC_DATA must hold Pixel200K.csv, item_info.csv and cover/<item_id>.jpg (see README.md).
source "$(dirname "$0")/../common.sh"
here="$(cd "$(dirname "$0")" && pwd)"
OUT="${OUT:-$here/out}"
mkdir -p "$OUT/data" && cd "$OUT"
config="$here/config.yaml"

epochs=()
if [ -n "${PIXELREC_DATA:-}" ]; then
  for f in Pixel200K.csv item_info.csv cover; do
    if [ ! -e "$PIXELREC_DATA/$f" ]; then
      echo "error: $PIXELREC_DATA/$f: not found (PIXELREC_DATA needs Pixel200K.csv, item_info.csv, cover/)" >&2
      exit 2
    fi
  done
  echo "== the download in $PIXELREC_DATA (linked as data/Pixel200K)"
  ln -sfn "$(cd "$PIXELREC_DATA" && pwd)" data/Pixel200K
elif [ -d data/Pixel200K ] && [ ! -L data/Pixel200K ]; then
  echo "== the files in $OUT/data/Pixel200K"
else
  echo "PIXELREC_DATA is not set: generated data in the PixelRec layout stands in for the download"
  # Covers of at least 64 px, the size preprocess requires of real covers (common.sh's tiny images are 24 px).
  synth=("${SYNTH[@]}")
  if [ "${synth[${#synth[@]}-2]}" = --image-size ]; then synth[${#synth[@]}-1]=64; fi
  run "0. generate Pixel200K.csv, item_info.csv and cover/ (SCALE=$SCALE)" \
    synth "${synth[@]}" --seed 3 --out data/Pixel200K-generated -q
  (cd data/Pixel200K-generated && mv -f interactions.csv Pixel200K.csv && rm -rf cover && mv images cover)
  ln -sfn Pixel200K-generated data/Pixel200K
  epochs=(--set "training.epochs=$EPOCHS")
fi

run "1. check the configuration (paths, numeric columns, large-scale settings)" config check --config "$config"
run "2. preprocess: clean texts, validate covers, fit the seven count columns' scalers" \
  preprocess --config "$config" -q
run "3. temporal split per user (5-core filter first)" split --config "$config" -q
run "4. encode covers and texts into the feature store" encode --config "$config" -q
run "5. train (the time: line splits the run into phases)" train --config "$config" "${epochs[@]}"
run "6. evaluate on the test period, full ranking over the catalog" \
  eval --config "$config" --task retrieval --output results/eval-multimodal.json
run "7. the popularity baseline on the same split" \
  eval --config "$config" --task retrieval --recommender-type popularity --output results/eval-popularity.json -q
run "8. recommend for 100 sampled users, item vectors cached for later runs" \
  recommend --config "$config" --sample-users 100 --top-k 20 --embeddings-cache results/items.pxiv \
  --output results/recommendations.csv -q
echo
echo "pixelrec-dataset: done; outputs in $OUT (models/, results/eval-multimodal.json, results/recommendations.csv)"
