#!/usr/bin/env bash
# Builds this package against the checkout and ranks items for one user from a model the quickstart trains.
source "$(dirname "$0")/../common.sh"
here="$(cd "$(dirname "$0")" && pwd)"
OUT="${OUT:-$here/out}"
mkdir -p "$OUT"
OUT="$OUT/quickstart" SCALE="$SCALE" PIXELREC="$PIXELREC" bash "$here/../quickstart/run.sh" > /dev/null
q="$OUT/quickstart"
echo "== build this package (swift build, against the checkout)"
SWIFT="${SWIFT:-$(command -v swift || echo /opt/swift/usr/bin/swift)}"
"$SWIFT" build --package-path "$here" --scratch-path "$OUT/.build" -q
echo "== the top 5 items for u1"
echo "\$ pixelrec-library rank-items $q/models/best.ckpt ... u1 5"
"$OUT/.build/debug/rank-items" "$q/models/best.ckpt" "$q/processed/features" "$q/processed/item_info.csv" \
  "$q/splits/loo/train.csv,$q/splits/loo/val.csv" u1 5
