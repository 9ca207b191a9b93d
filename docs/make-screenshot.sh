#!/usr/bin/env bash
# docs/serve.png: the page of `veclm serve` as Debian's headless Chromium renders it (the way the browser test sees it).
# Usage: docs/make-screenshot.sh [MODEL...]   (default: runs/demo/cosine runs/demo/softmax, from `veclm demo --quick`;
# env VECLM: the executable, default out/veclm). The context "The jury said that" shows the models' words after
# "The jury said" and where each put "that".
set -euo pipefail
cd "$(dirname "$0")/.."
veclm=${VECLM:-out/veclm}
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(runs/demo/cosine runs/demo/softmax)
command -v chromium >/dev/null || { echo "make-screenshot: error: chromium is not installed (apt-get install chromium)" >&2; exit 2; }
log=$(mktemp)
"$veclm" serve "${models[@]}" --port 0 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 120); do grep -q ' on http://' "$log" && break; sleep 0.5; done
url=$(sed -n 's/.* on \(http:[^ ]*\).*/\1/p' "$log")
[ -n "$url" ] || { echo "make-screenshot: error: veclm serve did not start: $(cat "$log")" >&2; exit 1; }
profile=$(mktemp -d)
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" --window-size=1280,900 \
  --virtual-time-budget=10000 --screenshot=docs/serve.png "$url/?context=The+jury+said&next=that" 2>/dev/null
rm -rf "$profile"
echo "docs/serve.png from $url"
