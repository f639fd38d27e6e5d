"""PyTorch peer of `PixelBench train-seq`: one training step (forward, backward, Adam) of a SASRec model whose
item tokens come from a multimodal item tower, with the sampled softmax with log-Q correction over the
batch's items plus 1024 uniform negatives. Reads the batches `PixelBench train-seq --dump` wrote, so both
sides score the same candidate sets. Prints one JSON line (median wall ms per step after warm-up).

    python bench/train_seq_peer.py --data batches.json --dim 64 --threads 1 [--steps 10] [--warmup 3] [--compile]

Per step, as pixelrec's `sequenceLoss`:
  candidates C = unique(inputs, targets, negatives); item tower over C only:
      tokens [ID embedding, Linear 768->d (vision), Linear 384->d (text)]  ([|C|, 3, d])
      h = LayerNorm(x + MHA_4heads(x)); v = MLP(mean_tokens(h))   (MLP: [512, 256, 128] Linear, BatchNorm1d,
      ReLU, Dropout; Linear -> d)
  x = (v[inputs] + positions), dropout, padded slots zeroed; 2 SASRec blocks (1 head, pre-norm, causal mask
  plus key padding as pixelrec's), final LayerNorm (eps 1e-8);
  logits [M, |C|] = h_t . v_c - logQ_c; cross-entropy against the target's position in C; Adam (fused).
Every dropout 0.2. Frozen content features are random (100k x 768 and 100k x 384); the ID table is a dense
nn.Embedding (as the Python frameworks use it), so Adam updates all 100k rows each step (pixelrec: lazy
sparse rows).
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

EPS = 1e-8


class ItemTower(nn.Module):
    def __init__(self, items, d, vision_width, text_width, heads=4, hidden=(512, 256, 128), dropout=0.2):
        super().__init__()
        self.ids = nn.Embedding(items, d)
        nn.init.normal_(self.ids.weight, std=0.1)
        self.vision = nn.Linear(vision_width, d)
        self.text = nn.Linear(text_width, d)
        self.attention = nn.MultiheadAttention(d, heads, dropout=dropout, batch_first=True)
        self.norm = nn.LayerNorm(d)
        layers, w = [], d
        for h in hidden:
            layers += [nn.Linear(w, h), nn.BatchNorm1d(h), nn.ReLU(), nn.Dropout(dropout)]
            w = h
        layers.append(nn.Linear(w, d))
        self.mlp = nn.Sequential(*layers)

    def forward(self, rows, vision, text):
        x = torch.stack([self.ids(rows), self.vision(vision), self.text(text)], dim=1)
        a, _ = self.attention(x, x, x, need_weights=False)
        return self.mlp(self.norm(x + a).mean(dim=1))


class Block(nn.Module):
    """SASRec block as pixelrec's SequenceBlock: q = LN(x); x' = q + MHA(q, x, x); y = LN(x');
    out = y + Dropout(W2 Dropout(ReLU(W1 y)))."""

    def __init__(self, d, heads, dropout):
        super().__init__()
        self.attention_norm = nn.LayerNorm(d, eps=EPS)
        self.attention = nn.MultiheadAttention(d, heads, dropout=dropout, batch_first=True)
        self.ffn_norm = nn.LayerNorm(d, eps=EPS)
        self.inner = nn.Linear(d, d)
        self.outer = nn.Linear(d, d)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, mask):
        q = self.attention_norm(x)
        a, _ = self.attention(q, x, x, attn_mask=mask, need_weights=False)
        y = self.ffn_norm(q + a)
        return y + self.dropout(self.outer(self.dropout(F.relu(self.inner(y)))))


class SASRecStep(nn.Module):
    """The loss of one step from the candidate rows and the slots' positions in them."""

    def __init__(self, items, d, length, vision_width, text_width, blocks=2, heads=1, dropout=0.2,
                 tower_dropout=0.2, hidden=(512, 256, 128)):
        super().__init__()
        self.heads = heads
        self.tower = ItemTower(items, d, vision_width, text_width, hidden=hidden, dropout=tower_dropout)
        self.positions = nn.Parameter(torch.randn(length, d) * 0.1)
        self.blocks = nn.ModuleList([Block(d, heads, dropout) for _ in range(blocks)])
        self.final_norm = nn.LayerNorm(d, eps=EPS)
        self.dropout = nn.Dropout(dropout)

    def forward(self, rows, vision, text, input_slots, keep, mask, real, target_slots, log_q):
        vectors = self.tower(rows, vision, text)  # [|C|, d]
        b, l = keep.shape[0], keep.shape[1]
        x = vectors[input_slots].view(b, l, -1)
        x = self.dropout(x + self.positions) * keep
        for block in self.blocks:
            x = block(x, mask) * keep
        h = self.final_norm(x).reshape(b * l, -1)[real]  # [M, d]
        logits = h @ vectors.t() - log_q
        return F.cross_entropy(logits, target_slots)


def prepare(batch, heads, vision_features, text_features, log_q_table, length):
    """Candidate rows C (unique items of the batch and its negatives), positions in C, masks: the work
    pixelrec's sequenceLoss does before its item tower."""
    inputs, targets, negatives = batch
    b = inputs.shape[0] // length
    every = torch.cat([inputs[inputs >= 0], targets[targets >= 0], negatives])
    rows = torch.unique(every)
    input_slots = torch.searchsorted(rows, inputs.clamp(min=0))
    padding = (inputs < 0).view(b, length)
    keep = (~padding).to(torch.float32)[..., None]
    future = torch.triu(torch.ones(length, length, dtype=torch.bool), diagonal=1)
    padded_key = padding[:, None, :].expand(b, length, length) & ~torch.eye(length, dtype=torch.bool)
    mask = (future[None] | padded_key).repeat_interleave(heads, dim=0)
    real = (targets >= 0).nonzero().squeeze(1)
    target_slots = torch.searchsorted(rows, targets[real])
    return (rows, vision_features[rows], text_features[rows], input_slots, keep, mask, real, target_slots,
            log_q_table[rows])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--compile", action="store_true")
    parser.add_argument("--shipped", action="store_true",
                        help="pixelrec's shipped architecture: no fusion MLP (one Linear), no batch norm, tower dropout 0, "
                             "sequence dropout 0.5")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    with open(args.data) as f:
        data = json.load(f)
    items, length = data["items"], data["length"]
    batches = [(torch.tensor(b["inputs"], dtype=torch.long), torch.tensor(b["targets"], dtype=torch.long),
                torch.tensor(b["negatives"], dtype=torch.long)) for b in data["batches"]]
    log_q = torch.tensor(data["log_q"], dtype=torch.float32)
    vision = torch.randn(items, data["vision_width"])
    text = torch.randn(items, data["text_width"])
    if args.shipped:
        model = SASRecStep(items, args.dim, length, data["vision_width"], data["text_width"], dropout=0.5,
                           tower_dropout=0.0, hidden=())
    else:
        model = SASRecStep(items, args.dim, length, data["vision_width"], data["text_width"])
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    forward = torch.compile(model) if args.compile else model

    def step(i):
        optimizer.zero_grad(set_to_none=True)
        loss = forward(*prepare(batches[i % len(batches)], model.heads, vision, text, log_q, length))
        loss.backward()
        optimizer.step()
        return loss.item()

    # torch.compile: the candidate count changes per batch; the first change recompiles with that
    # dimension dynamic, so warm-up runs at least two batches.
    warmup = max(args.warmup, 3 if args.compile else 1)
    compile_start = time.perf_counter()
    for i in range(warmup):
        step(i)
    warmup_seconds = time.perf_counter() - compile_start
    times = []
    start_cpu = time.process_time()
    for i in range(warmup, warmup + args.steps):
        t0 = time.perf_counter()
        last = step(i)
        times.append(time.perf_counter() - t0)
    cpu = time.process_time() - start_cpu
    print(json.dumps({"bench": "train-seq-peer", "dim": args.dim, "threads": args.threads, "compile": args.compile,
                      "steps": args.steps, "median_ms": round(1000 * statistics.median(times), 1),
                      "min_ms": round(1000 * min(times), 1), "cpu_ms_per_step": round(1000 * cpu / args.steps, 1),
                      "warmup_s": round(warmup_seconds, 1), "torch": torch.__version__, "loss": last}))


if __name__ == "__main__":
    main()
