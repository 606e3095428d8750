#!/usr/bin/env bash
# Start-up time of short commands (#17): whole-process wall time of
#   rnn --version
#   rnn predict -m MODEL "Mary had a little"
#   rnn summary -m MODEL
# and `java -version` as the floor, each run N times (default 7) in turns, so that a change in the
# machine's load touches all of them alike. Prints each command's median and spread on stderr and
# ONE JSON line on stdout: the medians in seconds, the load average before and after, the OpenBLAS
# kernels bin/rnn picked.
#
# Builds the jar (and its class-data-sharing archive) if missing and trains the sample model once
# into target/bench-startup/model (bin/rnn train corpora/sample.txt, the README's first model).
# With --base DIR, the same commands of another checkout's bin/rnn (built there, e.g. a clone of
# main) run in the same turns on the same model, and the JSON line gets a "base" object too.
#
# Usage: scripts/bench-startup.sh [--runs N] [--base DIR] [--model DIR]
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"

runs=7
base=""
model="$root/target/bench-startup/model"
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --base) base="$(cd "$2" && pwd)"; shift 2 ;;
    --model) model="$(cd "$2" && pwd)"; shift 2 ;;
    *) echo "bench-startup: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

# shellcheck source=scripts/lib/kernels.sh
source "$root/scripts/lib/kernels.sh"

[ -f target/rnn.jar ] && [ -f target/rnn.jsa ] || mvn -q -B -ntp package -DskipTests
if [ -n "$base" ] && [ ! -x "$base/bin/rnn" -o ! -f "$base/target/rnn.jar" ]; then
  echo "bench-startup: $base has no built bin/rnn (build it there first)" >&2
  exit 1
fi
if [ ! -f "$model/model.safetensors" ]; then
  echo "bench-startup: training the sample model into $model (once)" >&2
  # Its own models root, so the checkout's models/latest.path is left as it was.
  RNN_JAVA_OPTS="-Drnn.models.root=$root/target/bench-startup/models" \
      bin/rnn train corpora/sample.txt --force --quiet -o "$model" >/dev/null
fi

prompt="Mary had a little"
names=(version predict summary java_version)
# Whole-process wall seconds of one command, its output discarded (a failure stops the benchmark).
wall() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || { echo "bench-startup: failed: $*" >&2; exit 1; }
  end=$(date +%s%N)
  echo $(( (end - start) / 1000 ))
}
run_one() {  # $1 = checkout, $2 = name
  case "$2" in
    version) wall "$1/bin/rnn" --version ;;
    predict) wall "$1/bin/rnn" predict -m "$model" "$prompt" ;;
    summary) wall "$1/bin/rnn" summary -m "$model" ;;
    java_version) wall java -version ;;
  esac
}

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
declare -A times
checkouts=("$root")
[ -n "$base" ] && checkouts+=("$base")
for ((i = 0; i < runs; i++)); do
  for name in "${names[@]}"; do
    for checkout in "${checkouts[@]}"; do
      [ "$name" = java_version ] && [ "$checkout" != "$root" ] && continue
      times["$checkout/$name"]+="$(run_one "$checkout" "$name") "
    done
  done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# "median min max" in seconds of a list of microseconds.
stats() {
  tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR] = $1} END {
    printf "%.3f %.3f %.3f\n", a[int((NR + 1) / 2)] / 1e6, a[1] / 1e6, a[NR] / 1e6 }'
}
json_of() {  # $1 = checkout
  local out="" name
  for name in "${names[@]}"; do
    [ "$name" = java_version ] && [ "$1" != "$root" ] && continue
    read -r median _ _ < <(stats "${times[$1/$name]}")
    out="$out${out:+, }\"${name}_s\": $median"
  done
  echo "$out"
}
for checkout in "${checkouts[@]}"; do
  for name in "${names[@]}"; do
    [ "$name" = java_version ] && [ "$checkout" != "$root" ] && continue
    read -r median low high < <(stats "${times[$checkout/$name]}")
    printf 'bench-startup: %-40s %-13s median %s s (min %s, max %s)\n' "$checkout" "$name" "$median" "$low" "$high" >&2
  done
done
line="{$(json_of "$root")"
[ -n "$base" ] && line="$line, \"base\": {$(json_of "$base")}"
echo "$line, \"runs\": $runs, \"load_before\": \"$load_before\", \"load_after\": \"$load_after\", \"kernels\": \"$kernels\"}"
