"""Writes the PyTorch reference values the PixelTensorTests compare against (no Python needed to test).

Run from the repository root with a venv that has torch (bench/requirements.txt):
    bench/.venv/bin/python Tests/PixelTensorTests/Fixtures/make_fixtures.py
Each JSON file maps a case name to {tensor name: {"shape": [...], "data": [...]}} (float32 values).
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(20260101)
torch.set_default_dtype(torch.float32)
HERE = os.path.dirname(os.path.abspath(__file__))


def t(x):
    x = x.detach().to(torch.float32).contiguous()
    return {"shape": list(x.shape), "data": [float(v) for v in x.reshape(-1).tolist()]}


def ids(x):
    return {"shape": list(x.shape), "data": [int(v) for v in x.reshape(-1).tolist()]}


def layers():
    out = {}
    # Linear: y = x W^T + b
    lin = torch.nn.Linear(6, 5)
    x = torch.randn(4, 6)
    out["linear"] = {"x": t(x), "weight": t(lin.weight), "bias": t(lin.bias), "y": t(lin(x))}
    # Embedding
    emb = torch.nn.Embedding(10, 4)
    i = torch.randint(0, 10, (2, 3))
    out["embedding"] = {"weight": t(emb.weight), "ids": ids(i), "y": t(emb(i))}
    # LayerNorm with non-trivial affine
    ln = torch.nn.LayerNorm(8)
    with torch.no_grad():
        ln.weight.copy_(torch.randn(8)); ln.bias.copy_(torch.randn(8))
    x = torch.randn(3, 8) * 3 + 1
    out["layer_norm"] = {"x": t(x), "weight": t(ln.weight), "bias": t(ln.bias), "y": t(ln(x))}
    # BatchNorm1d: training step (batch stats, running stats update), then eval
    bn = torch.nn.BatchNorm1d(5)
    with torch.no_grad():
        bn.weight.copy_(torch.randn(5)); bn.bias.copy_(torch.randn(5))
    x = torch.randn(6, 5) * 2 + 0.5
    bn.train(); y_train = bn(x)
    bn.eval(); x2 = torch.randn(3, 5); y_eval = bn(x2)
    out["batch_norm"] = {"x": t(x), "weight": t(bn.weight), "bias": t(bn.bias), "y_train": t(y_train),
                         "running_mean": t(bn.running_mean), "running_var": t(bn.running_var),
                         "x_eval": t(x2), "y_eval": t(y_eval)}
    # MLP: Linear -> BatchNorm1d -> ReLU, twice (dropout 0)
    l1, b1, l2, b2 = torch.nn.Linear(7, 6), torch.nn.BatchNorm1d(6), torch.nn.Linear(6, 3), torch.nn.BatchNorm1d(3)
    x = torch.randn(5, 7)
    y = F.relu(b2(l2(F.relu(b1(l1(x))))))
    out["mlp"] = {"x": t(x), "l0.weight": t(l1.weight), "l0.bias": t(l1.bias), "l1.weight": t(l2.weight),
                  "l1.bias": t(l2.bias), "y": t(y)}
    # Multi-head attention, self with key padding mask, and cross
    E, H = 8, 2
    mha = torch.nn.MultiheadAttention(E, H, batch_first=True)
    with torch.no_grad():
        mha.in_proj_bias.copy_(torch.randn(3 * E) * 0.1); mha.out_proj.bias.copy_(torch.randn(E) * 0.1)
    w = mha.in_proj_weight; b = mha.in_proj_bias
    params = {"q_proj.weight": t(w[:E]), "k_proj.weight": t(w[E:2 * E]), "v_proj.weight": t(w[2 * E:]),
              "q_proj.bias": t(b[:E]), "k_proj.bias": t(b[E:2 * E]), "v_proj.bias": t(b[2 * E:]),
              "out_proj.weight": t(mha.out_proj.weight), "out_proj.bias": t(mha.out_proj.bias)}
    x = torch.randn(2, 4, E)
    mask = torch.tensor([[False, False, True, False], [False, True, True, False]])
    y_self, _ = mha(x, x, x, key_padding_mask=mask, need_weights=False)
    q = torch.randn(2, 3, E); kv = torch.randn(2, 5, E)
    y_cross, _ = mha(q, kv, kv, need_weights=False)
    out["attention"] = dict(params, x=t(x), mask=ids(mask.int()), y_self=t(y_self), query=t(q), memory=t(kv),
                            y_cross=t(y_cross))
    # Activations and fused ops
    # Activations are evaluated in float64 and rounded: PyTorch's float32 GELU computes ½x(1 + erf(x/√2))
    # and loses all relative accuracy below x ≈ -4 (cancellation); ours uses ½x·erfc(-x/√2).
    x = torch.linspace(-6, 6, 49, dtype=torch.float64)
    out["activations"] = {"x": t(x), "gelu": t(F.gelu(x)), "silu": t(F.silu(x)), "sigmoid": t(torch.sigmoid(x)),
                          "tanh": t(torch.tanh(x)), "softplus": t(F.softplus(x)), "logsigmoid": t(F.logsigmoid(x)),
                          "leaky_relu": t(F.leaky_relu(x, 0.01)), "relu": t(F.relu(x))}
    x = torch.randn(3, 7) * 4
    out["softmax"] = {"x": t(x), "softmax": t(torch.softmax(x, -1)), "log_softmax": t(torch.log_softmax(x, -1)),
                      "softmax0": t(torch.softmax(x, 0)), "normalize": t(F.normalize(x, dim=-1))}
    # Losses
    logits, targets = torch.randn(9), torch.randint(0, 2, (9,)).float()
    pos, neg = torch.randn(6), torch.randn(6)
    a, b = torch.randn(5, 4), torch.randn(5, 4)
    tau = 0.1
    la = F.normalize(a, dim=-1) @ F.normalize(b, dim=-1).T / tau
    lbl = torch.arange(5)
    info = (F.cross_entropy(la, lbl) + F.cross_entropy(la.T, lbl)) / 2
    q, p, n = torch.randn(4, 3), torch.randn(4, 3), torch.randn(6, 3)
    logq_p, logq_n = torch.randn(4) * 0.1 - 3, torch.randn(6) * 0.1 - 3
    sl = torch.cat([(q * p).sum(-1, keepdim=True) - logq_p[:, None], q @ n.T - logq_n[None, :]], 1) / 0.5
    ce_logits, ce_t = torch.randn(4, 6), torch.randint(0, 6, (4,))
    pred, tgt = torch.randn(3, 2), torch.randn(3, 2)
    out["losses"] = {
        "logits": t(logits), "targets": t(targets), "bce": t(F.binary_cross_entropy_with_logits(logits, targets)),
        "pos": t(pos), "neg": t(neg), "bpr": t(-F.logsigmoid(pos - neg).mean()),
        "a": t(a), "b": t(b), "infonce": t(info),
        "q": t(q), "p": t(p), "n": t(n), "logq_p": t(logq_p), "logq_n": t(logq_n),
        "sampled_softmax": t(F.cross_entropy(sl, torch.zeros(4, dtype=torch.long))),
        "ce_logits": t(ce_logits), "ce_targets": ids(ce_t), "ce": t(F.cross_entropy(ce_logits, ce_t)),
        "pred": t(pred), "tgt": t(tgt), "mse": t(F.mse_loss(pred, tgt)),
    }
    return out


def optimizers():
    out = {}
    p0 = torch.randn(3, 4)
    grads = [torch.randn(3, 4) for _ in range(3)]
    cases = {
        "sgd_nesterov": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
        "sgd_momentum_dampening": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, dampening=0.1),
        "adam": lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.01),
        "adamw": lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.1),
    }
    for name, make in cases.items():
        p = torch.nn.Parameter(p0.clone())
        opt = make([p])
        after = []
        for g in grads:
            p.grad = g.clone()
            opt.step()
            after.append(t(p))
        out[name] = {"p0": t(p0), "grads": [t(g) for g in grads], "after": after}
    # SparseAdam on an embedding table with repeated ids (the lazy update our sparse AdamW/Adam follow).
    table = torch.randn(6, 3)
    w = torch.nn.Parameter(table.clone())
    opt = torch.optim.SparseAdam([w], lr=0.01)
    steps = []
    for idx in ([1, 4, 1], [0, 4, 5]):
        rows = torch.randn(len(idx), 3)
        w.grad = torch.sparse_coo_tensor(torch.tensor([idx]), rows, (6, 3))
        opt.step()
        steps.append({"ids": idx, "rows": t(rows), "after": t(w)})
    out["sparse_adam"] = {"p0": t(table), "steps": steps}
    return out


def schedulers():
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=1.0)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    step_lrs = []
    for _ in range(10):
        step_lrs.append(opt.param_groups[0]["lr"]); opt.step(); sched.step()
    opt = torch.optim.SGD([p], lr=1.0)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=2, cooldown=1,
                                                         threshold=1e-3, min_lr=0.1)
    metrics = [5, 4, 4, 4, 4, 3.999, 3.5, 3.5, 3.6, 3.7, 3.8, 3.9, 4, 4, 4, 4, 4, 4]
    plateau_lrs = []
    for m in metrics:
        plateau.step(m); plateau_lrs.append(opt.param_groups[0]["lr"])
    return {"step_lr": {"lrs": step_lrs}, "plateau": {"metrics": metrics, "lrs": plateau_lrs}}


for name, fn in (("layers", layers), ("optimizers", optimizers), ("schedulers", schedulers)):
    with open(os.path.join(HERE, f"{name}.json"), "w") as f:
        json.dump(fn(), f)
print("fixtures written")
