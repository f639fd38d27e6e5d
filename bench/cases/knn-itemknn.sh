#!/usr/bin/env bash
# Item kNN (cosine, K=20) fit + recommend-all top-10 with training items filtered: pixelrec vs the
# `implicit` library (CosineRecommender), 1 thread, on ml100k-pixel (leave-one-out train split) and on a
# generated 200k users × 100k items × 4M interactions set (same pairs on both sides).
# implicit's K counts the item itself; pixelrec's does not, so pixelrec runs K-1 = 19 for equal lists.
set -euo pipefail
work="${BENCH_WORK:-bench/.work}"
mkdir -p "$work"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
shared="${PIXELREC_SHARED:-../shared}"
if [ ! -f "$work/ml100k-loo/train.csv" ]; then
  "$PIXELBENCH" eval-split "$shared/data/ml100k-pixel/interactions.csv" "$work/ml100k-loo" leave_one_out >/dev/null
fi
if [ ! -f "$work/knn-4m.rows" ]; then
  "$PIXELBENCH" knn-synth "$work/knn-4m" 200000 100000 4000000 42 >/dev/null
fi
ours_ml=$("$PIXELBENCH" knn-fit "$work/ml100k-loo/train.csv" 19 1)
ours_4m=$("$PIXELBENCH" knn-fit "$work/knn-4m" 19 1)
peer=$("$PYTHON" - "$work/ml100k-loo/train.csv" "$work/knn-4m" <<'PY'
import csv, json, sys, time
import numpy as np, scipy.sparse as sp
from implicit.nearest_neighbours import CosineRecommender
def run(X):
    m = CosineRecommender(K=20, num_threads=1)
    t = time.perf_counter(); m.fit(X, show_progress=False); fit = time.perf_counter() - t
    users = np.flatnonzero(np.diff(X.indptr) > 0)
    t = time.perf_counter()
    for s in range(0, len(users), 4096):
        u = users[s:s + 4096]
        m.recommend(u, X[u], N=10, filter_already_liked_items=True)
    return fit, time.perf_counter() - t
users, items, rows, cols = {}, {}, [], []
with open(sys.argv[1]) as f:
    for r in csv.DictReader(f):
        rows.append(users.setdefault(r["user_id"], len(users))); cols.append(items.setdefault(r["item_id"], len(items)))
X = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(users), len(items)))
X.data[:] = 1
ml = run(X)
r = np.fromfile(sys.argv[2] + ".rows", dtype=np.int32); c = np.fromfile(sys.argv[2] + ".cols", dtype=np.int32)
X = sp.csr_matrix((np.ones(len(r), np.float32), (r, c)), shape=(r.max() + 1, c.max() + 1))
big = run(X)
print(json.dumps({"ml_fit": ml[0], "ml_rec": ml[1], "big_fit": big[0], "big_rec": big[1]}))
PY
)
"$PYTHON" - "$ours_ml" "$ours_4m" "$peer" <<'PY'
import json, sys
a, b, p = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
rows = [
    ("ml100k fit", a["fit_seconds"], p["ml_fit"], "knn-itemknn-ml100k-fit"),
    ("ml100k recommend all top-10", a["recommend_seconds"], p["ml_rec"], "knn-itemknn-ml100k-recommend"),
    ("ml100k fit + recommend", a["fit_seconds"] + a["recommend_seconds"], p["ml_fit"] + p["ml_rec"], "knn-itemknn-ml100k"),
    ("200k×100k×4M fit", b["fit_seconds"], p["big_fit"], "knn-itemknn-4m-fit"),
    ("200k×100k×4M recommend all top-10", b["recommend_seconds"], p["big_rec"], "knn-itemknn-4m-recommend"),
    ("200k×100k×4M fit + recommend", b["fit_seconds"] + b["recommend_seconds"], p["big_fit"] + p["big_rec"], "knn-itemknn-4m"),
]
print(f"{'item kNN K=20, 1 thread (s)':<40}{'pixelrec':>10}{'implicit':>10}{'ratio':>8}")
for name, ours, peer, _ in rows:
    print(f"{name:<40}{ours:>10.3f}{peer:>10.3f}{peer / ours:>8.2f}")
for name, ours, peer, bench in rows:
    print(json.dumps({"bench": bench, "ours": round(ours, 4), "peer": round(peer, 4), "unit": "s", "ratio": round(peer / ours, 3), "threads": 1}))
PY
