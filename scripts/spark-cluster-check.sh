#!/usr/bin/env bash
# The cluster path on a real standalone Spark cluster of separate processes on this machine:
# a Master and two Workers, each its own JVM (Spark's classes from Maven jars, see
# scripts/spark/cluster.sh), every address 127.0.0.1. On Penn Treebank (ptb-small, 2 workers,
# K = 5 local steps per round, 2 epochs of --max-batches 20 per worker) it checks, printing PASS or FAIL per step:
#   1. an undisturbed run finishes;
#   2. the same run with one executor JVM killed (kill -9) in epoch 2 (after its first round) finishes with
#      the same final weights (the SHA-256 of last.safetensors' tensors);
#   3. the same run with the driver killed (kill -9) after epoch 1, then --resume, finishes with
#      the same final weights too;
#   4. `rnn perplexity` scores PTB's test text with the resumed model (better than uniform).
# Everything it starts is stopped by PID on exit (a trap), also on failure or Ctrl-C.
#
# Usage: scripts/spark-cluster-check.sh [--no-build] [--keep] [DATA_DIR]
#   DATA_DIR    holds train.txt, valid.txt, test.txt (default: ../shared/corpora/ptb beside the checkout)
#   --no-build  use target/rnn-spark.jar and target/spark-home as they are
#   --keep      keep the scratch directory (logs, model directories)
# Environment: SPARK_MASTER_PORT (default 17077; the web UIs use the next ports), BATCHES (--max-batches, default 20).
set -euo pipefail
root="$(git -C "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" rev-parse --show-toplevel)"
data="$root/../shared/corpora/ptb"
build=1
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) data="$1"; shift ;;
  esac
done
for f in train.txt valid.txt test.txt; do
  [ -r "$data/$f" ] || { echo "spark-cluster-check: $data/$f: not found (give DATA_DIR)" >&2; exit 2; }
done

work="$(mktemp -d /tmp/rnn-spark-check.XXXXXX)"
# shellcheck source=scripts/spark/cluster.sh
source "$root/scripts/spark/cluster.sh"
driver=""
finish() {
  if [ -n "$driver" ]; then kill -9 "$driver" 2>/dev/null || true; wait "$driver" 2>/dev/null || true; fi
  spark_stop
  if [ "$keep" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap finish EXIT
trap 'exit 130' INT TERM

failures=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# SHA-256 of a safetensors file's tensors (its data section), as recorded in its header.
tensors_sha() {
  python3 - "$1" <<'PY'
import json, struct, sys
with open(sys.argv[1], "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    print(json.loads(f.read(n))["__metadata__"]["rnn.sha256"])
PY
}

batches="${BATCHES:-20}"
# Validation on the first 300 lines of valid.txt (about 6,000 tokens) keeps each epoch short.
head -n 300 "$data/valid.txt" >"$work/valid.txt"
run_args=("$data/train.txt" --valid "$work/valid.txt" --preset ptb-small --epochs 2 --max-batches "$batches"
  --workers 2 --sync-every 5 --seed 11)

if [ "$build" = 1 ]; then
  echo "building target/rnn-spark.jar and target/spark-home/jars ..."
  spark_build
fi
echo "starting a master and 2 workers on 127.0.0.1 (logs in $work) ..."
spark_start 2
pass "cluster up: master $spark_master, workers ${spark_worker_pids[*]}"

# 1. Undisturbed.
started=$(date +%s)
if (spark_train "${run_args[@]}" -o "$work/reference") >"$work/reference.out" 2>"$work/reference.log"; then
  reference="$(tensors_sha "$work/reference/last.safetensors")"
  pass "undisturbed run: $(tail -n 1 "$work/reference.log") ($(( $(date +%s) - started )) s)"
else
  fail "undisturbed run exited $? (see $work/reference.log)"; tail -n 5 "$work/reference.log"; exit 1
fi

# 2. One executor killed mid-run.
spark_train "${run_args[@]}" -o "$work/executor-killed" >"$work/executor-killed.out" 2>"$work/executor-killed.log" &
driver=$!
spark_wait_for "$work/executor-killed.log" "^epoch 2 round 2/" 600
victim="$(spark_executors | head -n 1)"
kill -9 "$victim"
echo "killed executor JVM $victim during epoch 2"
if wait "$driver"; then
  driver=""
  killed="$(tensors_sha "$work/executor-killed/last.safetensors")"
  if [ "$killed" = "$reference" ]; then
    pass "executor killed mid-run: same final weights as undisturbed (sha256 ${killed:0:16}...)"
  else
    fail "executor killed mid-run: weights differ (${killed:0:16}... vs ${reference:0:16}...)"
  fi
else
  driver=""
  fail "run with a killed executor exited non-zero (see $work/executor-killed.log)"; tail -n 5 "$work/executor-killed.log"
fi

# 3. Driver killed after epoch 1, then resumed.
spark_train "${run_args[@]}" -o "$work/resumed" >"$work/resumed.out" 2>"$work/resumed.log" &
driver=$!
spark_wait_for "$work/resumed.log" "^epoch 2 round 1/" 600   # epoch 1's checkpoint is written by then
kill -9 "$driver"
wait "$driver" 2>/dev/null || true
driver=""
echo "killed the driver JVM during epoch 2; resuming"
if (spark_train --resume "$work/resumed" --workers 2 --sync-every 5 --max-batches "$batches") >>"$work/resumed.out" 2>"$work/resumed-2.log"; then
  resumed="$(tensors_sha "$work/resumed/last.safetensors")"
  if [ "$resumed" = "$reference" ]; then
    pass "driver killed and resumed: same final weights as undisturbed (sha256 ${resumed:0:16}...)"
  else
    fail "driver killed and resumed: weights differ (${resumed:0:16}... vs ${reference:0:16}...)"
  fi
else
  fail "resume exited non-zero (see $work/resumed-2.log)"; tail -n 5 "$work/resumed-2.log"
fi

# 4. The resumed model in the single-machine tool.
if ppl="$("$root/bin/rnn" perplexity -m "$work/resumed" "$data/test.txt" --json 2>"$work/perplexity.log" \
    | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["perplexity"])')" \
    && python3 -c "import sys; sys.exit(0 if float('$ppl') < 10000 else 1)"; then
  pass "rnn perplexity of test.txt with the resumed model: $ppl (uniform over the vocabulary: 10000)"
else
  fail "rnn perplexity failed or no better than uniform (${ppl:-none}; see $work/perplexity.log)"
fi

spark_stop
if [ "$failures" = 0 ]; then echo "ALL PASS"; else echo "$failures FAILED"; exit 1; fi
