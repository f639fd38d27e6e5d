"""onnxruntime side of the ONNX benchmark: same model file, same .npy inputs, same thread count.

python bench/onnx_peer.py --model PATH --prefix DIR/PREFIX --threads N [--runs R] [--warmup W]
prints {"items_per_s": ..., "ms_per_run": ..., "cpu_ms": (median process CPU time per run), "batch": ..., "threads": ...}
"""
import argparse
import json
import time

import numpy as np
import onnxruntime as ort

p = argparse.ArgumentParser()
p.add_argument("--model", required=True)
p.add_argument("--prefix", required=True)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--runs", type=int, default=20)
p.add_argument("--warmup", type=int, default=3)
a = p.parse_args()

so = ort.SessionOptions()
so.intra_op_num_threads = a.threads
so.inter_op_num_threads = 1
so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
sess = ort.InferenceSession(a.model, so, providers=["CPUExecutionProvider"])
feeds = {i.name: np.load(f"{a.prefix}input_{i.name}.npy") for i in sess.get_inputs()}
batch = next(iter(feeds.values())).shape[0]
for _ in range(max(a.warmup, 1)):
    sess.run(None, feeds)
times, cpu = [], []
for _ in range(max(a.runs, 1)):
    t, c = time.perf_counter(), time.process_time()
    sess.run(None, feeds)
    times.append(time.perf_counter() - t)
    cpu.append(time.process_time() - c)
times.sort()
cpu.sort()
median = times[len(times) // 2]
print(json.dumps({"items_per_s": batch / median, "ms_per_run": median * 1000, "min_ms": times[0] * 1000,
                  "cpu_ms": cpu[len(cpu) // 2] * 1000,
                  "batch": batch, "threads": a.threads}))
