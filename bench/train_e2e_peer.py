"""PyTorch peer of `pixelrec train` for the train-e2e bench: the same two-tower multimodal recommender
(`model_class: pretrained`, `scoring: dot`) trained end to end on the same files — interactions CSV, the
feature stores `pixelrec encode` wrote (.pxfs, read here with numpy), the numeric item columns — with the
same epoch structure: per epoch, every training interaction once as a positive with `ratio` uniform
negatives the user has not interacted with, positives in a seeded random order, batches of `batch`
positives, BCE with logits, gradient clipping at 1.0, AdamW, one checkpoint (model + optimizer) per epoch.

Item tower: tokens [item-ID embedding, Linear(vision), Linear(text), Linear(numeric)] → 4-head
self-attention + residual + LayerNorm → mean over tokens → MLP [512, 256, 128] (Linear, BatchNorm, ReLU,
Dropout) → Linear → 128. User tower: ID embedding. Score ⟨user, item⟩.

Prints one JSON line with samples/s (rows = positives + negatives) over the whole run after imports:
loading, negative sampling, training, checkpoint.

    python bench/train_e2e_peer.py --train T.csv --item-info I.csv --features DIR --out C.pt --threads 1 [--fused] [--compile]
"""
import argparse
import json
import os
import struct
import time

import numpy as np
import pandas as pd
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_feature_store(path):
    """Rows and item ids of a .pxfs file (format: Sources/PixelEncoders/FeatureStore/FeatureStore.swift)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"PXFSTORE", path
    _version, dim, count = struct.unpack_from("<IIQ", data, 8)
    rows_offset, flags_offset, ids_offset, _length = struct.unpack_from("<QQQQ", data, 32)
    rows = np.frombuffer(data, dtype="<f4", count=count * dim, offset=rows_offset).reshape(count, dim)
    ids, at = [], ids_offset
    for _ in range(count):
        (n,) = struct.unpack_from("<I", data, at)
        ids.append(data[at + 4:at + 4 + n].decode())
        at += 4 + n
    return rows, ids


class Recommender(nn.Module):
    def __init__(self, users, items, vision_width, text_width, numeric_width, width=128, dropout=0.1):
        super().__init__()
        self.users = nn.Embedding(users, width)
        self.items = nn.Embedding(items, width)
        nn.init.normal_(self.users.weight, std=0.1)
        nn.init.normal_(self.items.weight, std=0.1)
        self.vision = nn.Linear(vision_width, width)
        self.text = nn.Linear(text_width, width)
        self.numeric = nn.Linear(numeric_width, width)
        self.attention = nn.MultiheadAttention(width, 4, batch_first=True)
        self.norm = nn.LayerNorm(width)
        layers, w = [], width
        for h in (512, 256, width):
            layers += [nn.Linear(w, h), nn.BatchNorm1d(h), nn.ReLU(), nn.Dropout(dropout)]
            w = h
        layers.append(nn.Linear(w, width))
        self.mlp = nn.Sequential(*layers)

    def item_vectors(self, ids, vision, text, numeric):
        tokens = torch.stack([self.items(ids), self.vision(vision), self.text(text), self.numeric(numeric)], dim=1)
        attended, _ = self.attention(tokens, tokens, tokens, need_weights=False)
        return self.mlp(self.norm(tokens + attended).mean(dim=1))

    def forward(self, users, items, vision, text, numeric, labels):
        b = users.shape[0]
        v = self.item_vectors(items, vision, text, numeric)
        u = self.users(users)
        # Positives then negatives; each negative scored with its positive's user.
        ratio = items.shape[0] // b - 1
        u_all = torch.cat([u, u.repeat_interleave(ratio, dim=0)], dim=0)
        return F.binary_cross_entropy_with_logits((u_all * v).sum(-1), labels)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", required=True, help="training interactions CSV (item_id, user_id, …)")
    parser.add_argument("--item-info", required=True, help="item CSV with the numeric columns")
    parser.add_argument("--features", required=True, help="folder of image.pxfs and text.pxfs")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--ratio", type=int, default=1)
    parser.add_argument("--numeric", default="view_number,comment_number,thumbup_number,share_number,coin_number,"
                                                "favorite_number,barrage_number")
    parser.add_argument("--fused", action="store_true", help="fused AdamW")
    parser.add_argument("--compile", action="store_true", help="torch.compile the model")
    parser.add_argument("--out", required=True, help="checkpoint path")
    parser.add_argument("--max-steps", type=int, default=0, help="stop each epoch after this many steps (smoke tests)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(7)
    rng = np.random.default_rng(7)
    start = time.perf_counter()
    start_cpu = time.process_time()

    # Data: interactions → dense ids; content rows in the item id order.
    frame = pd.read_csv(args.train, dtype={"user_id": str, "item_id": str})
    user_codes, user_keys = pd.factorize(frame["user_id"])
    item_codes, item_keys = pd.factorize(frame["item_id"])
    users, items = user_codes.astype(np.int64), item_codes.astype(np.int64)
    n_users, n_items = len(user_keys), len(item_keys)
    features = args.features
    stores = sorted(f for f in os.listdir(features) if f.endswith(".pxfs"))
    content = {}
    for name in stores:
        rows, ids = read_feature_store(os.path.join(features, name))
        index = pd.Index(ids)
        content[name] = torch.from_numpy(np.ascontiguousarray(rows[index.get_indexer(item_keys)]))
    vision = next(v for k, v in content.items() if k.startswith("image"))
    text = next(v for k, v in content.items() if k.startswith("text"))
    info = pd.read_csv(args.item_info, dtype={"item_id": str}).set_index("item_id")
    numeric = np.log1p(info.loc[item_keys, args.numeric.split(",")].fillna(0).to_numpy(np.float64).clip(min=0))
    numeric = (numeric - numeric.mean(0)) / (numeric.std(0) + 1e-8)
    numeric = torch.from_numpy(numeric.astype(np.float32))
    seen = np.unique(users * n_items + items)

    model = Recommender(n_users, n_items, vision.shape[1], text.shape[1], numeric.shape[1])
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01,
                                  **({"fused": True} if args.fused else {}))
    step_fn = model
    if args.compile:
        step_fn = torch.compile(model)
    b, r = args.batch, args.ratio
    rows_trained = 0
    for epoch in range(args.epochs):
        model.train()
        # Negatives: uniform, redrawn while the user has the item.
        neg = rng.integers(0, n_items, size=(len(users), r))
        user_rep = np.repeat(users, r).reshape(-1, r)
        bad = np.isin(user_rep * n_items + neg, seen)
        while bad.any():
            neg[bad] = rng.integers(0, n_items, size=int(bad.sum()))
            bad = np.isin(user_rep * n_items + neg, seen)
        order = rng.permutation(len(users))
        starts = range(0, len(order), b)
        for lo in starts[:args.max_steps] if args.max_steps > 0 else starts:
            pick = order[lo:lo + b]
            u = torch.from_numpy(users[pick])
            it = torch.from_numpy(np.concatenate([items[pick], neg[pick].reshape(-1)]))
            labels = torch.cat([torch.ones(len(pick)), torch.zeros(len(pick) * r)])
            optimizer.zero_grad(set_to_none=True)
            loss = step_fn(u, it, vision[it], text[it], numeric[it], labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            rows_trained += len(pick) * (1 + r)
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch + 1},
                   args.out)
    seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print(json.dumps({"bench": "train-e2e-peer", "samples_per_s": rows_trained / seconds, "seconds": round(seconds, 2),
                      "rows": rows_trained, "threads": args.threads, "fused": args.fused, "compile": args.compile,
                      "cpu_s": round(cpu, 2), "loss": float(loss.detach()), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
