#!/usr/bin/env bash
# make fuzz [FUZZ_SECONDS=300] [FUZZ_TARGETS="ONNXFuzz ..."]: builds the libFuzzer targets (default: all)
# and runs each for the given seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
# Swift's crash reporter confuses AddressSanitizer after a real crash; leave crashes to libFuzzer.
export SWIFT_BACKTRACE=enable=no
read -r -a targets <<< "${FUZZ_TARGETS:-ConfigFuzz CSVFuzz ImageFuzz ONNXFuzz CheckpointFuzz FeatureStoreFuzz}"
for target in "${targets[@]}"; do
  swift build --scratch-path .build-fuzz --product "$target" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DFUZZING
  corpus="fuzz-out/$target/corpus"
  mkdir -p "$corpus" "fuzz-out/$target/crashes"
  seeds="Fuzz/$target/Seeds"
  [ -d "$seeds" ] || seeds=""
  echo "== $target for ${seconds}s"
  ".build-fuzz/debug/$target" "$corpus" $seeds -max_total_time="$seconds" \
    -artifact_prefix="fuzz-out/$target/crashes/" -print_final_stats=1 2>&1 | tail -n 15
done
