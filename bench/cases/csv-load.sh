#!/usr/bin/env bash
# CSV load: pixelrec's InteractionTable.load (parse + dense user/item id maps) vs pandas.read_csv
# (string columns, no id maps) on the same generated 4M-row interactions file (200k users, 100k items).
set -euo pipefail
work="${BENCH_WORK:-bench/.work}"
data="$work/synth-4m"
mkdir -p "$work"
if [ ! -f "$data/interactions.csv" ]; then
  "$PIXELBENCH" data-synth "$data" 200000 100000 4000000 42 0 >/dev/null
fi
ours=$("$PIXELBENCH" csv-load "$data/interactions.csv" 3)
ours_s=$(echo "$ours" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')
peer_s=$("$PYTHON" - "$data/interactions.csv" <<'PY'
import sys, time
import pandas as pd
best = float("inf")
for _ in range(3):
    t = time.perf_counter()
    df = pd.read_csv(sys.argv[1], dtype={"item_id": str, "user_id": str})
    best = min(best, time.perf_counter() - t)
assert len(df) == 4_000_000
print(best)
PY
)
peer_f=$("$PYTHON" - "$data/interactions.csv" <<'PY'
import sys, time
import pandas as pd
best = float("inf")
for _ in range(3):
    t = time.perf_counter()
    df = pd.read_csv(sys.argv[1], dtype={"item_id": str, "user_id": str})
    pd.factorize(df["user_id"]); pd.factorize(df["item_id"])
    best = min(best, time.perf_counter() - t)
print(best)
PY
)
"$PYTHON" - "$ours_s" "$peer_s" "$peer_f" <<'PY'
import json, sys
ours, peer, peer_f = map(float, sys.argv[1:])
rows = 4_000_000
print(f"{'case':<44}{'pixelrec s':>12}{'pandas s':>12}{'ratio':>8}")
print(f"{'read 4M rows (ours builds id maps)':<44}{ours:>12.3f}{peer:>12.3f}{peer/ours:>8.2f}")
print(f"{'read 4M rows + dense ids (pandas factorize)':<44}{ours:>12.3f}{peer_f:>12.3f}{peer_f/ours:>8.2f}")
print(json.dumps({"bench": "csv-load-4m", "ours": round(ours, 4), "peer": round(peer, 4), "unit": "s", "ratio": round(peer / ours, 3), "threads": 1}))
print(json.dumps({"bench": "csv-load-4m-ids", "ours": round(ours, 4), "peer": round(peer_f, 4), "unit": "s", "ratio": round(peer_f / ours, 3), "threads": 1}))
PY
