#!/usr/bin/env bash
# Checks that training memory does not grow with the number of windows: trains 2 short epochs
# (the second shuffled) on a ~100 MB corpus with stride 20 and with stride 1 (20x the windows)
# and compares peak RSS. The corpus is PTB's train.txt repeated to 100 MB in a temporary directory.
#
# Usage: scripts/check-window-memory.sh [PTB_TRAIN_TXT] [MEGABYTES]
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"
source_text="${1:-../shared/corpora/ptb/train.txt}"
megabytes="${2:-100}"
[ -f target/rnn.jar ] || mvn -q -B -ntp package -DskipTests
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
while [ "$(stat -c %s "$work/big.txt" 2>/dev/null || echo 0)" -lt $((megabytes * 1000000)) ]; do
  cat "$source_text" >> "$work/big.txt"
done
echo "corpus: $(du -h "$work/big.txt" | cut -f1), $(wc -w < "$work/big.txt") words"
declare -A rss
for stride in 20 1; do
  /usr/bin/time -f "%M" -o "$work/rss-$stride" bin/rnn train "$work/big.txt" --tokenizer whitespace \
    --window 20 --stride "$stride" --hidden 32 --embedding 32 --batch-size 32 --epochs 2 --max-batches 20 \
    --validation-split 0 -o "$work/model-$stride" --quiet
  rss[$stride]=$(( $(tail -1 "$work/rss-$stride") / 1024 ))
  echo "stride $stride: peak RSS ${rss[$stride]} MB"
done
python3 - "${rss[20]}" "${rss[1]}" <<'PY'
import json, sys
coarse, fine = int(sys.argv[1]), int(sys.argv[2])
ok = fine <= coarse * 1.05 + 10
print(json.dumps({"peak_rss_mb_stride_20": coarse, "peak_rss_mb_stride_1": fine, "flat": ok}))
sys.exit(0 if ok else 1)
PY
