"""Writes sequence_encoder.json, the PyTorch reference for the SASRec-style SequenceEncoder
(Sources/PixelModels/SequenceEncoder.swift), read by SequenceEncoderFixtureTests.swift.

Run from the repository root with a venv that has torch (CPU wheel) and numpy:
    /path/to/venv/bin/python Tests/PixelModelsTests/Fixtures/make_sequence_fixture.py

The reference runs in float64. Every input and weight is drawn in float32 and widened, so Swift (float32)
and PyTorch start from bit-identical values and differ only by arithmetic rounding.

Architecture (dropout off), tokens [B, L, d], keep[b, t] = 0 at padded slots:
    x = (tokens + positions) * keep
    per block:  q = LN_a(x); x = q + MHA(q, x, x, mask); y = LN_f(x); x = (y + W2 relu(W1 y + b1) + b2) * keep
    out = LN_final(x)                                   (all LayerNorms eps 1e-8)
mask: query r sees key j iff j <= r and (key j is not padded or j == r) -- the causal mask plus the key
padding mask, with a padded query still seeing itself (so no row is fully masked).

Each case holds: config (heads, blocks, length, width), tokens, padding (1 = empty slot), every weight by
the Swift `namedParameters()` name, upstream (the seed of the backward pass), output, and grad.<name> for
every parameter and grad.tokens. Tensors are {"shape": [...], "data": [...]} (float64 values).
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
EPS = 1e-8


def t(x):
    x = x.detach().to(torch.float64).contiguous()
    return {"shape": list(x.shape), "data": [float(v) for v in x.reshape(-1).tolist()]}


def f32(*shape, scale=1.0, shift=0.0):
    """float32 normal draws, widened to float64 (exactly representable in both)."""
    return (torch.randn(*shape, dtype=torch.float32) * scale + shift).to(torch.float64)


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.attention_norm = nn.LayerNorm(d, eps=EPS, dtype=torch.float64)
        self.attention = nn.MultiheadAttention(d, heads, batch_first=True, dtype=torch.float64)
        self.ffn_norm = nn.LayerNorm(d, eps=EPS, dtype=torch.float64)
        self.ffn = nn.ModuleList([nn.Linear(d, d, dtype=torch.float64), nn.Linear(d, d, dtype=torch.float64)])

    def forward(self, x, mask, keep):
        q = self.attention_norm(x)
        a, _ = self.attention(q, x, x, attn_mask=mask, need_weights=False)
        x = q + a
        y = self.ffn_norm(x)
        return (y + self.ffn[1](F.relu(self.ffn[0](y)))) * keep


class SequenceEncoder(nn.Module):
    def __init__(self, length, d, blocks, heads):
        super().__init__()
        self.heads = heads
        self.positions = nn.Parameter(torch.zeros(length, d, dtype=torch.float64))
        self.blocks = nn.ModuleList([Block(d, heads) for _ in range(blocks)])
        self.final_norm = nn.LayerNorm(d, eps=EPS, dtype=torch.float64)

    def mask(self, padding):
        """Boolean attn_mask [B·heads, L, L], True = not allowed (nn.MultiheadAttention semantics)."""
        b, l = padding.shape
        future = torch.triu(torch.ones(l, l, dtype=torch.bool), diagonal=1)
        padded_key = padding[:, None, :].expand(b, l, l) & ~torch.eye(l, dtype=torch.bool)
        m = future[None] | padded_key
        return m.repeat_interleave(self.heads, dim=0)

    def forward(self, tokens, padding):
        keep = (~padding).to(tokens.dtype)[..., None]
        mask = self.mask(padding)
        x = (tokens + self.positions) * keep
        for block in self.blocks:
            x = block(x, mask, keep)
        return self.final_norm(x)

    def swift_parameters(self):
        """(Swift name, tensor view, gradient view) for every parameter, in Swift's order."""
        out = [("positions", self.positions, lambda: self.positions.grad)]
        for k, blk in enumerate(self.blocks):
            p = f"blocks.{k}."
            d = self.positions.shape[1]
            mha = blk.attention
            out += [(p + "attention_norm.weight", blk.attention_norm.weight, lambda b=blk: b.attention_norm.weight.grad),
                    (p + "attention_norm.bias", blk.attention_norm.bias, lambda b=blk: b.attention_norm.bias.grad)]
            for j, name in enumerate(["q_proj", "k_proj", "v_proj"]):
                s = slice(j * d, (j + 1) * d)
                out += [(p + f"attention.{name}.weight", mha.in_proj_weight[s], lambda m=mha, s=s: m.in_proj_weight.grad[s]),
                        (p + f"attention.{name}.bias", mha.in_proj_bias[s], lambda m=mha, s=s: m.in_proj_bias.grad[s])]
            out += [(p + "attention.out_proj.weight", mha.out_proj.weight, lambda m=mha: m.out_proj.weight.grad),
                    (p + "attention.out_proj.bias", mha.out_proj.bias, lambda m=mha: m.out_proj.bias.grad),
                    (p + "ffn_norm.weight", blk.ffn_norm.weight, lambda b=blk: b.ffn_norm.weight.grad),
                    (p + "ffn_norm.bias", blk.ffn_norm.bias, lambda b=blk: b.ffn_norm.bias.grad)]
            for j in range(2):
                out += [(p + f"ffn.{j}.weight", blk.ffn[j].weight, lambda b=blk, j=j: b.ffn[j].weight.grad),
                        (p + f"ffn.{j}.bias", blk.ffn[j].bias, lambda b=blk, j=j: b.ffn[j].bias.grad)]
        out += [("final_norm.weight", self.final_norm.weight, lambda: self.final_norm.weight.grad),
                ("final_norm.bias", self.final_norm.bias, lambda: self.final_norm.bias.grad)]
        return out


def manual_reference(model, tokens, padding):
    """The same forward written out with explicit softmax attention (checks the nn.MultiheadAttention mask)."""
    b, l, d = tokens.shape
    h = model.heads
    hd = d // h
    keep = (~padding).to(tokens.dtype)[..., None]
    allowed = ~model.mask(padding)[::h]  # [B, L, L]
    x = (tokens + model.positions) * keep
    for blk in model.blocks:
        q = blk.attention_norm(x)
        w, bias = blk.attention.in_proj_weight, blk.attention.in_proj_bias
        Q = (q @ w[:d].T + bias[:d]).view(b, l, h, hd).transpose(1, 2)
        K = (x @ w[d:2 * d].T + bias[d:2 * d]).view(b, l, h, hd).transpose(1, 2)
        V = (x @ w[2 * d:].T + bias[2 * d:]).view(b, l, h, hd).transpose(1, 2)
        s = Q @ K.transpose(-1, -2) / hd ** 0.5
        s = s.masked_fill(~allowed[:, None], float("-inf"))
        o = (torch.softmax(s, -1) @ V).transpose(1, 2).reshape(b, l, d)
        x = q + blk.attention.out_proj(o)
        y = blk.ffn_norm(x)
        x = (y + blk.ffn[1](F.relu(blk.ffn[0](y)))) * keep
    return model.final_norm(x)


def case(seed, heads, blocks=2, batch=3, length=5, width=8):
    torch.manual_seed(seed)
    model = SequenceEncoder(length, width, blocks, heads)
    with torch.no_grad():
        for name, p, _ in model.swift_parameters():
            if name == "positions":
                p.copy_(f32(*p.shape, scale=0.3))
            elif p.dim() == 2:  # projections and FFN: ~ xavier scale
                p.copy_(f32(*p.shape, scale=(1 / width) ** 0.5))
            else:  # biases and LayerNorm affines (weights near 1)
                p.copy_(f32(*p.shape, scale=0.2, shift=1.0 if name.endswith("norm.weight") else 0.0))
    # Row 0 full, row 1 left-padded by 2, row 2 a single item; padded token rows hold garbage.
    padding = torch.zeros(batch, length, dtype=torch.bool)
    padding[1, :2] = True
    padding[2, :length - 1] = True
    tokens = f32(batch, length, width).requires_grad_(True)
    upstream = f32(batch, length, width)
    out = model(tokens, padding)
    check = manual_reference(model, tokens.detach(), padding)
    assert torch.allclose(out, check, rtol=1e-12, atol=1e-12), (out - check).abs().max()
    (out * upstream).sum().backward()
    record = {"config": {"heads": heads, "blocks": blocks, "length": length, "width": width},
              "tokens": t(tokens), "padding": {"shape": [batch, length], "data": [int(v) for v in padding.reshape(-1)]},
              "upstream": t(upstream), "output": t(out), "grad.tokens": t(tokens.grad)}
    for name, p, g in model.swift_parameters():
        record[name] = t(p)
        record["grad." + name] = t(g())
    return record


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    cases = {"heads1": case(20260713, heads=1), "heads2": case(20260714, heads=2)}
    cases["torch_version"] = torch.__version__
    with open(os.path.join(HERE, "sequence_encoder.json"), "w") as f:
        json.dump(cases, f, separators=(",", ":"))
        f.write("\n")
    print("wrote sequence_encoder.json with torch", torch.__version__)
