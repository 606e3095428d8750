#!/usr/bin/env bash
# Checks that training memory stays flat as the corpus grows: generates seeded Zipf corpora of 10
# million and 1 billion tokens (scripts/ZipfCorpus.java; 1e9 tokens are about 4.2 GB and take
# minutes), trains a small model for a few hundred batches on each (--max-vocab 10000), and records
# each run's peak RSS. The first run on a corpus streams the vocabulary pass and encodes the text
# into the model directory's tokens.cache; a second run (--force, same text) reuses the cache, and
# its wall time shows what encoding costs. Prints one JSON line; exits 1 unless the large corpus's
# peak RSS is within 15% + 100 MB of the small one's (the model, JIT and buffers are the same
# size; only the ids grow, and they are read from the cache a few 4 KiB blocks at a time).
#
# Usage: scripts/check-corpus-memory.sh [--keep] [--small TOKENS] [--large TOKENS] [--dir DIR]
#   --keep   keep the corpora and models (default: delete them at the end)
#   --dir    where to put them (default: target/corpus-memory; needs ~9 GB free for 1e9 tokens)
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"
keep=false
small=10000000
large=1000000000
work="$root/target/corpus-memory"
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=true ;;
    --small) small="$2"; shift ;;
    --large) large="$2"; shift ;;
    --dir) work="$2"; shift ;;
    *) echo "check-corpus-memory: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
[ -f target/rnn.jar ] || mvn -q -B -ntp package -DskipTests
mkdir -p "$work"
if [ "$keep" = false ]; then
  trap 'rm -rf "$work"' EXIT
fi
# Measured as a user's machine runs it.
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
# One heap cap for both sizes (override with RNN_JAVA_OPTS): by default the JVM lets its heap grow
# with the garbage of the encoding pass up to a quarter of RAM, which measures the collector's
# appetite, not what training needs. Under 1 GB the ids of 1e9 tokens (4 GB as an int[]) could
# not be held at all; the cache's blocks are read into the heap, the file stays in the page cache.
export RNN_JAVA_OPTS="${RNN_JAVA_OPTS:--Xmx1g}"

train() { # corpus, model directory, extra options; leaves "peak_rss_mb wall_s" in $work/run.txt
  local corpus="$1" model="$2"
  shift 2
  /usr/bin/time -f "%M %e" -o "$work/time.txt" bin/rnn train "$corpus" --tokenizer whitespace \
    --max-vocab 10000 --max-batches 300 --epochs 1 --validation-split 0 --hidden 32 --embedding 32 \
    --window 20 --batch-size 32 -o "$model" --quiet "$@"
  awk '{printf "%d %s\n", $1 / 1024, $2}' "$work/time.txt" > "$work/run.txt"
}

declare -A rss first reuse
for tokens in "$small" "$large"; do
  corpus="$work/zipf-$tokens.txt"
  if [ ! -f "$corpus" ]; then
    echo "generating $tokens tokens into $corpus" >&2
    java scripts/ZipfCorpus.java --tokens "$tokens" -o "$corpus.partial"
    mv "$corpus.partial" "$corpus"
  fi
  rm -rf "$work/model-$tokens"
  train "$corpus" "$work/model-$tokens"
  read -r peak seconds < "$work/run.txt"
  train "$corpus" "$work/model-$tokens" --force
  read -r peak_again seconds_again < "$work/run.txt"
  rss[$tokens]=$(( peak > peak_again ? peak : peak_again ))
  first[$tokens]=$seconds
  reuse[$tokens]=$seconds_again
  echo "$tokens tokens: peak RSS $peak MB encoding ($seconds s), $peak_again MB reusing the cache ($seconds_again s)" >&2
done
python3 - "$small" "$large" "${rss[$small]}" "${rss[$large]}" "${first[$small]}" "${reuse[$small]}" \
  "${first[$large]}" "${reuse[$large]}" "$(cut -d' ' -f1-3 /proc/loadavg)" "$RNN_JAVA_OPTS" <<'PY'
import json, sys
small, large, rss_small, rss_large = (int(v) for v in sys.argv[1:5])
first_small, reuse_small, first_large, reuse_large = (float(v) for v in sys.argv[5:9])
flat = rss_large <= rss_small * 1.15 + 100
print(json.dumps({
    "tokens": [small, large],
    "peak_rss_mb": [rss_small, rss_large],
    "first_run_s": [first_small, first_large],
    "cache_reuse_run_s": [reuse_small, reuse_large],
    "tolerance": "large <= small * 1.15 + 100 MB",
    "java_options": sys.argv[10],
    "load_average": sys.argv[9],
    "result": "PASS" if flat else "FAIL",
}))
sys.exit(0 if flat else 1)
PY
