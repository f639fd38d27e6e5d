#!/usr/bin/env bash
# The accuracy/diversity trade-off of `pixelrec recommend`: the same sampled users with and without MMR at
# several diversity weights, each list scored against the held-out test interactions (--evaluate).
#   scripts/recommend_tradeoff.sh CONFIG [USERS=100] [SEED=42] [WEIGHTS="0.1 0.3 0.5"] [NOVELTY=0]
# Prints NDCG@10, hit rate@10, mean intra-list diversity, mean novelty and coverage per setting.
set -euo pipefail
cd "$(dirname "$0")/.."
config="$1"
users="${2:-100}"
seed="${3:-42}"
weights="${4:-0.1 0.3 0.5}"
novelty="${5:-0}"
bin="${PIXELREC:-.build/release/pixelrec}"
test_csv=$("$bin" config show --config "$config" 2>/dev/null | awk '/^  test_data_path:/ {print $2}')
out=$(mktemp -d)
sample=(--sample-users "$users")
[ "$users" = all ] && sample=(--sample-users 1000000000)
"$bin" recommend --config "$config" "${sample[@]}" --seed "$seed" --top-k 10 --evaluate "$test_csv" \
  --output "$out/plain.json" -q > /dev/null
for w in $weights; do
  "$bin" recommend --config "$config" "${sample[@]}" --seed "$seed" --top-k 10 --evaluate "$test_csv" \
    --use-diversity --diversity-weight "$w" --novelty-weight "$novelty" --output "$out/mmr-$w.json" -q > /dev/null
done
python3 - "$out" $weights <<'PY'
import json, sys
out, weights = sys.argv[1], sys.argv[2:]
print(f"{'setting':<28}{'users':>6}{'NDCG@10':>9}{'HR@10':>8}{'ILD':>8}{'novelty':>9}{'coverage':>9}")
for name, label in [("plain", "plain top-10")] + [(f"mmr-{w}", f"MMR w={w} (λ={1 - float(w):.2f})") for w in weights]:
    d = json.load(open(f"{out}/{name}.json"))
    s, e = d["summary"], d["evaluation"]
    print(f"{label:<28}{e['users']:>6}{e['metrics']['ndcg@10']:>9.4f}{e['metrics']['hit_rate@10']:>8.4f}"
          f"{s['mean_intra_list_diversity']:>8.4f}{s['mean_novelty']:>9.3f}{s['coverage']:>9.4f}")
print("ILD: mean (1 − cosine) over", d["diversity"].get("embeddings", "content features"))
PY
rm -rf "$out"
