"""PyTorch peer of `PixelBench train-step`: the same fusion network at Pixel200K shape, dense nn.Embedding
(as the Python frameworks use it), forward + backward + AdamW per step. Prints one JSON line.

    python bench/train_step_peer.py --threads 1 --steps 30 [--fused]
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class FusionNetwork(nn.Module):
    def __init__(self, users=200_000, items=100_000, width=128):
        super().__init__()
        self.users = nn.Embedding(users, width)
        self.items = nn.Embedding(items, width)
        nn.init.normal_(self.users.weight, std=0.1)
        nn.init.normal_(self.items.weight, std=0.1)
        self.vision = nn.Linear(512, width)
        self.text = nn.Linear(384, width)
        self.numeric = nn.Linear(7, width)
        self.attention = nn.MultiheadAttention(width, 4, batch_first=True)
        self.norm = nn.LayerNorm(width)
        layers, w = [], width
        for h in (512, 256, width):
            layers += [nn.Linear(w, h), nn.BatchNorm1d(h), nn.ReLU(), nn.Dropout(0.1)]
            w = h
        self.mlp = nn.Sequential(*layers)

    def forward(self, user_ids, item_ids, vision, text, numeric, labels):
        user = self.users(user_ids)
        tokens = torch.stack([user, self.items(item_ids), self.vision(vision), self.text(text),
                              self.numeric(numeric)], dim=1)
        attended, _ = self.attention(tokens, tokens, tokens, need_weights=False)
        h = self.norm(tokens + attended)
        z = self.mlp(h.mean(dim=1))
        scores = (z * user).sum(-1)
        return F.binary_cross_entropy_with_logits(scores, labels)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--fused", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = FusionNetwork()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01,
                                  **({"fused": True} if args.fused else {}))
    positives = 256
    batches = []
    for _ in range(8):
        users = torch.randint(0, 200_000, (positives,))
        batches.append((torch.cat([users, users]), torch.randint(0, 100_000, (2 * positives,)),
                        torch.randn(2 * positives, 512), torch.randn(2 * positives, 384),
                        torch.randn(2 * positives, 7),
                        torch.cat([torch.ones(positives), torch.zeros(positives)])))

    def step(i):
        optimizer.zero_grad(set_to_none=True)
        loss = model(*batches[i % len(batches)])
        loss.backward()
        optimizer.step()
        return loss.item()

    for i in range(args.warmup):
        step(i)
    start, start_cpu = time.perf_counter(), time.process_time()
    for i in range(args.steps):
        last = step(i)
    seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print(json.dumps({"bench": "train-step-peer", "steps_per_s": args.steps / seconds, "threads": args.threads,
                      "fused": args.fused, "cpu_ms_per_step": round(1000 * cpu / args.steps, 1), "torch": torch.__version__, "loss": last}))


if __name__ == "__main__":
    main()
