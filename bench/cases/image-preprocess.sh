#!/usr/bin/env bash
# Image preprocessing throughput: decode + RGB + bicubic shortest-side 224 + centre crop 224 + CLIP
# normalize + CHW, one thread. pixelrec (libturbojpeg, Pillow-exact fixed-point resampling of the crop
# window only) vs Pillow (Image.open/convert/resize/crop + numpy normalize) on the same images:
# the ml100k-pixel posters from ../shared when present (IMAGES=dir overrides), else generated ones.
set -euo pipefail
work="${BENCH_WORK:-bench/.work}"
images="${IMAGES:-${PIXELREC_SHARED:-../shared}/data/ml100k-pixel/images}"
if [ ! -d "$images" ]; then
  images="$work/synth-images/images"
  if [ ! -d "$images" ]; then
    "$PIXELBENCH" data-synth "$work/synth-images" 200 1651 4000 7 1 >/dev/null
  fi
fi
ours=$("$PIXELBENCH" image-preprocess "$images" 3)
ours_rate=$(echo "$ours" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["images_per_second"])')
count=$(echo "$ours" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["images"])')
peer_rate=$("$PYTHON" - "$images" <<'PY'
import glob, os, sys, time
import numpy as np
from PIL import Image
files = sorted(f for f in glob.glob(os.path.join(sys.argv[1], "*")) if f.lower().endswith((".jpg", ".jpeg", ".png")))
mean = np.array([0.48145466, 0.4578275, 0.40821073], np.float32)
std = np.array([0.26862954, 0.26130258, 0.27577711], np.float32)
best = float("inf")
for _ in range(3):
    t0 = time.perf_counter()
    for path in files:
        im = Image.open(path).convert("RGB")
        w, h = im.size
        nw, nh = (224, int(224 * h / w)) if w <= h else (int(224 * w / h), 224)
        im = im.resize((nw, nh), Image.BICUBIC)
        left, top = (nw - 224) // 2, (nh - 224) // 2
        im = im.crop((left, top, left + 224, top + 224))
        x = ((np.asarray(im, dtype=np.float32) / 255 - mean) / std).transpose(2, 0, 1)
    best = min(best, time.perf_counter() - t0)
print(len(files) / best)
PY
)
"$PYTHON" - "$ours_rate" "$peer_rate" "$count" <<'PY'
import json, sys
ours, peer, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
print(f"{'case (1 thread, ' + str(n) + ' images)':<52}{'pixelrec img/s':>16}{'Pillow img/s':>14}{'ratio':>8}")
print(f"{'decode + bicubic 224 + crop + normalize (CLIP)':<52}{ours:>16.1f}{peer:>14.1f}{ours/peer:>8.2f}")
print(json.dumps({"bench": "image-preprocess-clip", "ours": round(ours, 1), "peer": round(peer, 1), "unit": "images/s", "ratio": round(ours / peer, 3), "threads": 1}))
PY
