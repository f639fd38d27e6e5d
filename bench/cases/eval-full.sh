#!/usr/bin/env bash
# Full-ranking evaluation throughput: 200k users × 100k items, dim 128 (generated factors), ~20 masked
# seen items and one held-out item per user; top-10 lists + NDCG@10/HR@10. pixelrec (sgemm blocks +
# SIMD threshold top-k + pessimistic rank) vs numpy (argpartition top-k) and torch (topk), 1 thread each,
# plus pixelrec on every core. The sgemm bound is measured on the same shapes.
set -euo pipefail
users="${EVAL_USERS:-200000}"
peer_users="${EVAL_PEER_USERS:-20000}"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
ours1=$("$PIXELBENCH" eval-full "$users" 100000 128 20 1 128)
cores=$(nproc)
oursN=$("$PIXELBENCH" eval-full "$users" 100000 128 20 "$cores" 128)
peers=$("$PYTHON" - "$peer_users" <<'PY'
import json, sys, time
import numpy as np
import torch
torch.set_num_threads(1)
users, items, dim, seen, block = int(sys.argv[1]), 100_000, 128, 20, 512
rng = np.random.default_rng(42)
U = (rng.standard_normal((users, dim)) / np.sqrt(dim)).astype(np.float32)
V = (rng.standard_normal((items, dim)) / np.sqrt(dim)).astype(np.float32)
S_rows = np.repeat(np.arange(users), seen)
S_cols = rng.integers(0, items, users * seen)
held = rng.integers(0, items, users)
discount = 1 / np.log2(np.arange(2, 12))

def numpy_run(count_only=False):
    t = time.perf_counter()
    ndcg = hits = 0.0
    for s in range(0, users, block):
        e = min(users, s + block)
        scores = U[s:e] @ V.T
        m = (S_rows >= s) & (S_rows < e)
        scores[S_rows[m] - s, S_cols[m]] = -np.inf
        r = np.arange(e - s)
        target = scores[r, held[s:e]].copy()
        scores[r, held[s:e]] = np.inf  # count others ≥ target pessimistically
        rank = (scores >= target[:, None]).sum(1)  # includes the held-out item itself (set to inf)
        scores[r, held[s:e]] = target
        if not count_only:
            top = np.argpartition(-scores, 10, axis=1)[:, :10]
            order = np.argsort(-np.take_along_axis(scores, top, 1), axis=1, kind="stable")
            top = np.take_along_axis(top, order, 1)
        ok = rank <= 10
        hits += ok.sum()
        ndcg += (1 / np.log2(rank[ok] + 1)).sum()
    return users / (time.perf_counter() - t), ndcg / users, hits / users

def torch_run():
    Ut, Vt = torch.from_numpy(U), torch.from_numpy(V)
    rows, cols, h = torch.from_numpy(S_rows), torch.from_numpy(S_cols), torch.from_numpy(held)
    t = time.perf_counter()
    ndcg = hits = 0.0
    with torch.no_grad():
        for s in range(0, users, block):
            e = min(users, s + block)
            scores = Ut[s:e] @ Vt.T
            m = (rows >= s) & (rows < e)
            scores[rows[m] - s, cols[m]] = -float("inf")
            r = torch.arange(e - s)
            target = scores[r, h[s:e]].clone()
            rank = (scores >= target[:, None]).sum(1)
            top = torch.topk(scores, 10, dim=1).indices
            ok = rank <= 10
            hits += ok.sum().item()
            ndcg += (1 / torch.log2(rank[ok].double() + 1)).sum().item()
    return users / (time.perf_counter() - t), ndcg / users, hits / users

np_rate, np_ndcg, np_hr = numpy_run()
npc_rate, _, _ = numpy_run(count_only=True)
t_rate, t_ndcg, t_hr = torch_run()
print(json.dumps({"numpy": np_rate, "numpy_count_only": npc_rate, "torch": t_rate, "numpy_ndcg": np_ndcg, "torch_ndcg": t_ndcg}))
PY
)
"$PYTHON" - "$ours1" "$oursN" "$peers" "$cores" <<'PY'
import json, sys
o1, oN, p, cores = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4])
bound = o1["gemm_users_per_second_1thread"]
print(f"users {o1['users']} × items {o1['items']}, dim {o1['dim']}; NDCG@10 ours {o1['ndcg10']:.4f} (random factors ≈ 1e-4)")
print(f"{'case (users/s)':<46}{'pixelrec':>12}{'peer':>12}{'ratio':>8}")
rows = [
    ("full top-10 + NDCG/HR, 1 thread vs numpy argpartition", o1["users_per_second"], p["numpy"], "eval-full-vs-numpy", 1),
    ("full top-10 + NDCG/HR, 1 thread vs torch.topk", o1["users_per_second"], p["torch"], "eval-full-vs-torch", 1),
    ("full top-10, 1 thread vs numpy held-out rank only", o1["users_per_second"], p["numpy_count_only"], "eval-full-vs-numpy-rank-only", 1),
    ("full top-10, 1 thread vs sgemm bound (same shapes)", o1["users_per_second"], bound, "eval-full-vs-sgemm-bound", 1),
    (f"full top-10, {cores} threads vs 1 thread", oN["users_per_second"], o1["users_per_second"], "eval-full-scaling", cores),
]
for name, ours, peer, _, _ in rows:
    print(f"{name:<46}{ours:>12.0f}{peer:>12.0f}{ours / peer:>8.2f}")
for name, ours, peer, bench, threads in rows:
    print(json.dumps({"bench": bench, "ours": round(ours, 1), "peer": round(peer, 1), "unit": "users/s", "ratio": round(ours / peer, 3), "threads": threads}))
PY
