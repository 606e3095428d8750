#!/usr/bin/env bash
# Training speed and memory against vocabulary size, full softmax against adaptive softmax (#18).
#
# Generates the seeded Zipf corpus (java scripts/ZipfCorpus.java --tokens 6000000: 262,916
# distinct words) once into target/bench-vocab/, then for --max-vocab 10000, 50000 and 250000 and
# --softmax full and adaptive (default cutoffs and div 2; at 250000 also --div-value 4) runs
#   bin/rnn train zipf.txt --preset ptb-small --max-vocab V --softmax S --epochs 1 --max-batches 150
# under /usr/bin/time -v, and prints ONE JSON line: tokens/s (the run's own epoch report) and peak
# RSS in MB for each of the seven runs, the load average before them and the OpenBLAS kernels used.
#
# --quality instead trains on frankenstein.txt + tinyshakespeare.txt + ptb/train.txt concatenated
# (no --max-vocab; --preset ptb-small with the word tokenizer and 10% validation) with each softmax
# for the same --epochs, and prints one JSON line with each run's validation perplexity and wall time.
#
# Usage: scripts/bench-vocab.sh [--quick] [--batches N] [--threads N]
#        scripts/bench-vocab.sh --quality [--epochs N] [--max-batches N] [--threads N]
#   --quick          20 batches per run instead of 150 (to check that the script works)
#   --corpora DIR    the shared corpora (default ../shared/corpora beside the checkout)
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"

batches=150
quality=false
epochs=1
max_batches=0
threads=0
corpora="$(git rev-parse --show-toplevel 2>/dev/null || echo "$root")/../shared/corpora"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) batches=20; shift ;;
    --batches) batches="$2"; shift 2 ;;
    --quality) quality=true; shift ;;
    --epochs) epochs="$2"; shift 2 ;;
    --max-batches) max_batches="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --corpora) corpora="$2"; shift 2 ;;
    *) echo "bench-vocab: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

# shellcheck source=scripts/lib/kernels.sh
source "$root/scripts/lib/kernels.sh"

[ -f target/rnn.jar ] || mvn -q -B -ntp package -DskipTests
work="target/bench-vocab"
mkdir -p "$work"
load="$(cut -d' ' -f1-3 /proc/loadavg)"

# The last epoch report's field (a JSON line on stdout of `rnn train --json`).
field() {
  python3 -c 'import json,sys
lines=[l for l in open(sys.argv[1]) if l.startswith("{")]
print(json.loads(lines[-1])[sys.argv[2]])' "$1" "$2"
}

if [ "$quality" = true ]; then
  text="$work/quality.txt"
  for f in frankenstein.txt tinyshakespeare.txt ptb/train.txt; do
    [ -f "$corpora/$f" ] || { echo "bench-vocab: $corpora/$f is missing (--corpora DIR)" >&2; exit 1; }
  done
  cat "$corpora/frankenstein.txt" "$corpora/tinyshakespeare.txt" "$corpora/ptb/train.txt" > "$text"
  results=""
  for softmax in full adaptive; do
    out="$work/quality-$softmax.json"
    echo "bench-vocab: --quality, --softmax $softmax, $epochs epoch(s)" >&2
    run_load="$(cut -d' ' -f1 /proc/loadavg)"
    start=$(date +%s.%N)
    bin/rnn train "$text" --preset ptb-small --tokenizer word --validation-split 0.1 --softmax "$softmax" \
        --epochs "$epochs" --max-batches "$max_batches" --threads "$threads" --json --quiet --force \
        -o "$work/quality-model-$softmax" > "$out"
    end=$(date +%s.%N)
    ppl=$(field "$out" valid_ppl)
    rate=$(field "$out" tokens_per_s)
    wall=$(python3 -c "print(round($end - $start, 1))")
    results="$results${results:+, }\"$softmax\": {\"valid_ppl\": $ppl, \"wall_s\": $wall, \"tokens_per_s\": $(python3 -c "print(round($rate))"), \"load_at_start\": $run_load, \"vocabulary\": $(python3 -c "import json; print(json.load(open('$work/quality-model-$softmax/model.json'))['vocabulary']['size'])" 2>/dev/null || echo null)}"
  done
  echo "{\"quality\": {$results}, \"epochs\": $epochs, \"max_batches\": $max_batches, \"load_before\": \"$load\", \"kernels\": \"$kernels\"}"
  exit 0
fi

corpus="$work/zipf.txt"
if [ ! -f "$corpus" ]; then
  echo "bench-vocab: generating $corpus (6,000,000 tokens, seeded)" >&2
  java scripts/ZipfCorpus.java --tokens 6000000 -o "$corpus"
fi
results=""
for vocab in 10000 50000 250000; do
  entry=""
  # At 250,000 words also the adaptive softmax with --div-value 4 (PyTorch's default; rnn's is 2).
  runs="full adaptive"
  [ "$vocab" = 250000 ] && runs="$runs adaptive_div4"
  for run in $runs; do
    case "$run" in
      adaptive_div4) options=(--softmax adaptive --div-value 4) ;;
      *) options=(--softmax "$run") ;;
    esac
    out="$work/run-$vocab-$run.json"
    timing="$work/time-$vocab-$run.txt"
    echo "bench-vocab: --max-vocab $vocab ${options[*]}, $batches batches" >&2
    /usr/bin/time -v -o "$timing" bin/rnn train "$corpus" --preset ptb-small --max-vocab "$vocab" \
        "${options[@]}" --epochs 1 --max-batches "$batches" --threads "$threads" --json --quiet --force \
        -o "$work/model-$vocab-$run" > "$out"
    rate=$(field "$out" tokens_per_s)
    rss_kb=$(grep 'Maximum resident set size' "$timing" | awk '{print $NF}')
    entry="$entry${entry:+, }\"$run\": {\"tokens_per_s\": $(python3 -c "print(round($rate))"), \"peak_rss_mb\": $((rss_kb / 1024))}"
  done
  results="$results${results:+, }\"$vocab\": {$entry}"
done
echo "{\"max_vocab\": {$results}, \"batches\": $batches, \"preset\": \"ptb-small\", \"load_before\": \"$load\", \"kernels\": \"$kernels\"}"
