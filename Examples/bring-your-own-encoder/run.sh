#!/usr/bin/env bash
# Bring your own encoder: an exported ONNX model in a folder, checked with `pixelrec onnx inspect` and
# `pixelrec embed`, registered in a config and used by `pixelrec encode`. The runnable part uses the tiny
# seeded-random exports of ../shared/models/tiny (PIXELREC_SHARED overrides ../shared); without them it
# says so and stops. README.md has the commands that export real Hugging Face models.
source "$(dirname "$0")/../common.sh"
here="$(cd "$(dirname "$0")" && pwd)"
OUT="${OUT:-$here/out}"
shared="${PIXELREC_SHARED:-$root/../shared}"
tiny="$shared/models/tiny"
for f in dinov2/tiny-dinov2.onnx bert/tiny-bert.onnx clip/tiny-clip-vision.onnx; do
  if [ ! -f "$tiny/$f" ]; then
    echo "bring-your-own-encoder: skipped: $tiny/$f not found (set PIXELREC_SHARED to the folder holding models/tiny)"
    exit 0
  fi
done
mkdir -p "$OUT" && cd "$OUT"
config="$here/config.yaml"

# The folders an export produces (copies: nothing from the shared folder is written back or committed).
# A real export writes preprocessor_config.json and the tokenizer files itself; the tiny ones ship
# neither, so they are written here: 32×32 inputs, and a 1,000-entry WordPiece vocabulary laid out as
# BERT's ([PAD] 0, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103).
echo "== 0. model folders from the tiny exports in $tiny"
mkdir -p models/encoders/dino models/encoders/bert models/encoders/clip
cp "$tiny/dinov2/tiny-dinov2.onnx" models/encoders/dino/model.onnx
cp "$tiny/bert/tiny-bert.onnx" models/encoders/bert/model.onnx
cp "$tiny/clip/tiny-clip-vision.onnx" models/encoders/clip/vision_model.onnx
preprocessor() { # mean, std
  printf '{"do_resize": true, "size": {"shortest_edge": 32}, "resample": 3, "do_center_crop": true,
 "crop_size": {"height": 32, "width": 32}, "do_normalize": true, "image_mean": %s, "image_std": %s}\n' "$1" "$2"
}
preprocessor "[0.485, 0.456, 0.406]" "[0.229, 0.224, 0.225]" > models/encoders/dino/preprocessor_config.json
preprocessor "[0.48145466, 0.4578275, 0.40821073]" "[0.26862954, 0.26130258, 0.27577711]" \
  > models/encoders/clip/preprocessor_config.json
{
  echo "[PAD]"
  for i in $(seq 1 99); do echo "[unused$i]"; done
  printf '%s\n' "[UNK]" "[CLS]" "[SEP]" "[MASK]"
  for c in {a..z} {0..9}; do echo "$c"; done
  for c in {a..z} {0..9}; do echo "##$c"; done
  for i in $(seq 176 999); do echo "[unused$i]"; done
} > models/encoders/bert/vocab.txt
# The tiny BERT has 64 positions; the tokenizer truncates to model_max_length (BERT-base: 512).
echo '{"do_lower_case": true, "model_max_length": 64}' > models/encoders/bert/tokenizer_config.json

run "1. generate a catalog" synth "${SYNTH[@]}" --seed 7 --out raw -q
run "2. inspect the image export: inputs, outputs, opset, operators" onnx inspect models/encoders/dino/model.onnx
run "3. inspect the text export" onnx inspect models/encoders/bert/model.onnx
mkdir -p results
run "4. embed two covers with the dino family (pooled class token)" \
  embed --encoder dino --model models/encoders/dino --image raw/images/i1.jpg raw/images/i2.jpg \
  --output results/dino.npy
run "5. embed two titles with the bert family ([CLS] state)" \
  embed --encoder bert --model models/encoders/bert --text "a red summer dress" "striped golden moon vlog" \
  --output results/bert.npy
run "6. embed a cover with the clip family (vision tower only: image_embeds)" \
  embed --encoder clip --model models/encoders/clip --image raw/images/i1.jpg --output results/clip.npy
run "7. the config that registers them" config check --config "$config"
run "8. preprocess" preprocess --config "$config" -q
run "9. encode every item with the registered encoders into the feature store" encode --config "$config"
echo
echo "bring-your-own-encoder: done; outputs in $OUT (models/encoders/, results/*.npy, processed/features/)"
