#!/usr/bin/env bash
# Batch recommendation for every user of a generated set: 200k users × 100k items, dim 64 factors, ~20
# masked seen items per user, top-50 lists, plain and MMR-re-ranked over the best 200 candidates.
# pixelrec (blocked products + SIMD threshold top-k + MMR with sgemv, `threads` workers) vs PyTorch
# (block matmul + topk + batched MMR, torch.set_num_threads(threads)); users/s and peak RSS per process.
# Shape overrides: RECOMMEND_USERS, RECOMMEND_ITEMS, RECOMMEND_DIM, RECOMMEND_PEER_USERS (users the peer
# processes; its rate is per user, its data the full shape), RECOMMEND_THREADS.
set -euo pipefail
users="${RECOMMEND_USERS:-200000}"
items="${RECOMMEND_ITEMS:-100000}"
dim="${RECOMMEND_DIM:-64}"
peer_users="${RECOMMEND_PEER_USERS:-$users}"
threads="${RECOMMEND_THREADS:-$(getconf _NPROCESSORS_ONLN)}"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads"
ours_plain=$("$PIXELBENCH" recommend-batch "$users" "$items" "$dim" 20 50 200 "$threads" 0)
ours_mmr=$("$PIXELBENCH" recommend-batch "$users" "$items" "$dim" 20 50 200 "$threads" 1)
peer_plain=$("$PYTHON" bench/recommend_peer.py "$users" "$items" "$dim" 20 50 200 "$threads" 0 "$peer_users")
peer_mmr=$("$PYTHON" bench/recommend_peer.py "$users" "$items" "$dim" 20 50 200 "$threads" 1 "$peer_users")
"$PYTHON" - "$ours_plain" "$ours_mmr" "$peer_plain" "$peer_mmr" "$threads" <<'PY'
import json, sys
op, om, pp, pm = (json.loads(a) for a in sys.argv[1:5])
threads = int(sys.argv[5])
print(f"users {op['users']} × items {op['items']}, dim {op['dim']}, top-{op['k']}, {threads} threads; peer processed {pp['users']} users")
print(f"{'case':<34}{'pixelrec':>12}{'torch':>12}{'ratio':>8}")
rows = [
    ("plain top-50, users/s", op["users_per_second"], pp["users_per_second"], "recommend-batch-plain", "users/s", True),
    ("MMR top-50 of 200, users/s", om["users_per_second"], pm["users_per_second"], "recommend-batch-mmr", "users/s", True),
    ("plain top-50, peak RSS MB", op["peak_rss_mb"], pp["peak_rss_mb"], "recommend-batch-plain-rss", "MB", False),
    ("MMR top-50 of 200, peak RSS MB", om["peak_rss_mb"], pm["peak_rss_mb"], "recommend-batch-mmr-rss", "MB", False),
]
for name, ours, peer, _, _, higher in rows:
    ratio = ours / peer if higher else peer / ours
    print(f"{name:<34}{ours:>12.0f}{peer:>12.0f}{ratio:>8.2f}")
for name, ours, peer, bench, unit, higher in rows:
    ratio = ours / peer if higher else peer / ours
    print(json.dumps({"bench": bench, "ours": round(ours, 1), "peer": round(peer, 1), "unit": unit, "ratio": round(ratio, 3), "threads": threads}))
PY
