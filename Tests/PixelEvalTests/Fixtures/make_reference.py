#!/usr/bin/env python3
"""Independent numpy reference for pixelrec's ranking metrics (docs/METRICS.md).

Writes reference_metrics.json: a random ranking set (scores with many ties, relevant and excluded items
per user, item embeddings, training popularity) and, computed here by a full stable sort, every
per-user metric, the recommendation lists and the catalog-level metrics. PixelEvalTests evaluates the
same set with RankingEvaluator and requires agreement to 1e-6.

    python3 Tests/PixelEvalTests/Fixtures/make_reference.py   # rewrites the fixture (seeded)
"""
import json
import math
import os

import numpy as np

rng = np.random.default_rng(20261129)
USERS, ITEMS, DIM = 60, 40, 6
KS = [1, 3, 5, 10, 20]
MAXK = max(KS)

scores = np.empty((USERS, ITEMS), dtype=np.float32)
for u in range(USERS):
    kind = u % 4
    if kind == 0:  # continuous scores
        scores[u] = rng.standard_normal(ITEMS).astype(np.float32)
    elif kind == 1:  # few levels: many ties
        scores[u] = rng.integers(0, 4, ITEMS).astype(np.float32)
    elif kind == 2:  # constant scorer
        scores[u] = np.float32(0.5)
    else:  # mixture
        scores[u] = np.round(rng.standard_normal(ITEMS) * 2).astype(np.float32) / 2
relevant, excluded, history = [], [], []
for u in range(USERS):
    perm = rng.permutation(ITEMS)
    n_rel = int(rng.integers(1, 8))
    n_exc = int(rng.integers(0, 12))
    relevant.append(sorted(int(i) for i in perm[:n_rel]))
    excluded.append(sorted(int(i) for i in perm[n_rel:n_rel + n_exc]))
    history.append(sorted(int(i) for i in perm[n_rel:n_rel + n_exc]))  # serendipity reference = training items
popularity = rng.integers(0, 30, ITEMS)
train_interactions = int(popularity.sum())
embeddings = rng.standard_normal((ITEMS, DIM)).astype(np.float32)


def pessimistic_order(u):
    """Items (minus excluded) by score descending; on equal score non-relevant first, then item index."""
    rel = set(relevant[u])
    keep = [i for i in range(ITEMS) if i not in set(excluded[u])]
    return sorted(keep, key=lambda i: (-float(scores[u, i]), i in rel, i))


def recommendation_list(u):
    keep = [i for i in range(ITEMS) if i not in set(excluded[u])]
    return sorted(keep, key=lambda i: (-float(scores[u, i]), i))[:MAXK]


def metrics_at(u, k):
    order = pessimistic_order(u)[:k]
    rel = set(relevant[u])
    r = np.array([1.0 if i in rel else 0.0 for i in order] + [0.0] * (k - len(order)))
    n_rel = len(rel)
    hits = r.sum()
    dcg = sum(r[j] / math.log2(j + 2) for j in range(k))
    idcg = sum(1 / math.log2(j + 2) for j in range(min(n_rel, k)))
    first = next((j + 1 for j in range(k) if r[j]), None)
    ap = sum((r[: j + 1].sum() / (j + 1)) * r[j] for j in range(k)) / min(n_rel, k)
    return {
        "precision": hits / k,
        "recall": hits / n_rel,
        "ndcg": dcg / idcg,
        "map": ap,
        "mrr": 1 / first if first else 0.0,
        "hit_rate": 1.0 if hits > 0 else 0.0,
    }


def cosine(a, b):
    ea, eb = embeddings[a].astype(np.float64), embeddings[b].astype(np.float64)
    return float(ea @ eb / (np.linalg.norm(ea) * np.linalg.norm(eb)))


expected = {}
for k in KS:
    per = [metrics_at(u, k) for u in range(USERS)]
    for name in per[0]:
        expected[f"{name}@{k}"] = [p[name] for p in per]
lists = [recommendation_list(u) for u in range(USERS)]
catalog = {}
for k in KS:
    top = [l[:k] for l in lists]
    counts = np.zeros(ITEMS)
    for l in top:
        for i in l:
            counts[i] += 1
    catalog[f"coverage@{k}"] = float((counts > 0).sum() / ITEMS)
    c = np.sort(counts)
    idx = np.arange(1, ITEMS + 1)
    catalog[f"gini@{k}"] = float(((2 * idx - ITEMS - 1) * c).sum() / (ITEMS * c.sum()))
    expected[f"novelty@{k}"] = [
        float(np.mean([-math.log2(max(1, popularity[i]) / train_interactions) for i in l])) for l in top
    ]
    expected[f"ild@{k}"] = [
        float(np.mean([1 - cosine(l[a], l[b]) for a in range(len(l)) for b in range(a + 1, len(l))]))
        if len(l) >= 2 else None
        for l in top
    ]
    ser = []
    for u, l in enumerate(top):
        vals = []
        for i in l:
            rel = 1.0 if i in set(relevant[u]) else 0.0
            sim = np.mean([cosine(i, h) for h in history[u]]) if history[u] else 0.0
            vals.append(rel * (1 - sim))
        ser.append(float(np.mean(vals)))
    expected[f"serendipity@{k}"] = ser

out = {
    "generator": "Tests/PixelEvalTests/Fixtures/make_reference.py (numpy, full stable sort)",
    "users": USERS, "items": ITEMS, "dim": DIM, "ks": KS,
    "scores": [[float(x) for x in row] for row in scores],
    "relevant": relevant, "excluded": excluded, "history": history,
    "popularity": [int(p) for p in popularity], "train_interactions": train_interactions,
    "embeddings": [float(x) for x in embeddings.reshape(-1)],
    "lists": lists, "expected": expected, "catalog": catalog,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference_metrics.json")
with open(path, "w") as f:
    json.dump(out, f)
print(f"wrote {path}")
