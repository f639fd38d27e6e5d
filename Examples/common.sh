#!/usr/bin/env bash
# Shared by the examples: which pixelrec to run, where to write, how big the generated data is.
#   PIXELREC  the binary (default: the release build of this checkout, else `pixelrec` on PATH)
#   OUT       output folder (default: out/ inside the example's folder)
#   SCALE     full (default: 600 users, 400 items, 36,000 interactions) or tiny (60/40/1,200: a smoke test)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${PIXELREC:-}" ]; then
  if [ -x "$root/.build/release/pixelrec" ]; then PIXELREC="$root/.build/release/pixelrec"; else PIXELREC=pixelrec; fi
fi
# A relative path keeps working after the example changes folder.
case "$PIXELREC" in */*) PIXELREC="$(cd "$(dirname "$PIXELREC")" && pwd)/$(basename "$PIXELREC")" ;; esac
SCALE="${SCALE:-full}"
case "$SCALE" in
  full) SYNTH=(--users 600 --items 400 --interactions 36000); EPOCHS=15 ;;
  tiny) SYNTH=(--users 60 --items 40 --interactions 1200 --image-size 24); EPOCHS=2 ;;
  *) echo "error: SCALE must be full or tiny, got '$SCALE'" >&2; exit 2 ;;
esac

# run <title> <pixelrec arguments...>: prints the command, runs it, stops the example on failure.
run() {
  local title="$1"; shift
  echo
  echo "== $title"
  local shown=() a
  # Arguments with spaces or quotes are shown quoted, so the line can be pasted as is.
  for a in "$@"; do
    case "$a" in
      '' | *[[:space:]\"\'\$\`\\]*) shown+=("\"${a//\"/\\\"}\"") ;;
      *) shown+=("$a") ;;
    esac
  done
  echo "\$ pixelrec ${shown[*]}"
  "$PIXELREC" "$@"
}
