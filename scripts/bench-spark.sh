#!/usr/bin/env bash
# Cost of a training round on a standalone Spark cluster of separate JVMs on this machine
# (scripts/spark/cluster.sh): ptb-small on Penn Treebank, WORKERS workers of one core each, K
# local steps per round, --max-batches per worker. Prints the driver's round lines, then one JSON
# line: tokens_per_s (all workers, median round), workers, K, seconds per round (median) split into
# compute (the slowest worker's steps) and communication (the rest: broadcast, scheduling, the
# aggregation tree), bytes moved per round (to and from all workers), parameters, step_seconds
# (compute per local step) and the OpenBLAS kernels the executors used. The first round (executor
# start-up, JIT) is left out of the medians.
#
# Usage: scripts/bench-spark.sh [--no-build] [--workers N] [--sync-every K] [--batches N] [DATA_DIR] [-- extra train options]
#        scripts/bench-spark.sh --quality [--epochs E] [--batches N] [--workers N] [--sync-every K] [--lr X] [DATA_DIR]
#   DATA_DIR   holds train.txt and valid.txt (default: ../shared/corpora/ptb beside the checkout)
#   --quality  instead: ptb-small for E epochs (default 2) of N batches (default: whole epochs) on one
#              machine (bin/rnn: 20 streams, lr 20), then on the cluster with the same global batch
#              (20 / WORKERS streams per worker, so the same tokens take the same number of steps),
#              K local steps per round and lr X (default 20, the single machine's); one JSON line
#              with both validation perplexities and their ratio.
set -euo pipefail
root="$(git -C "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" rev-parse --show-toplevel)"
# This machine presets these; unset, the executors get the kernels bin/rnn would pick.
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
data="$root/../shared/corpora/ptb"
build=1
workers=2
k=10
batches=100
quality=0
epochs=2
lr=""
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --workers) workers="$2"; shift 2 ;;
    --sync-every) k="$2"; shift 2 ;;
    --batches) batches="$2"; shift 2 ;;
    --quality) quality=1; batches=0; shift ;;
    --epochs) epochs="$2"; shift 2 ;;
    --lr) lr="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) data="$1"; shift ;;
  esac
done
[ -r "$data/train.txt" ] || { echo "bench-spark: $data/train.txt: not found (give DATA_DIR)" >&2; exit 2; }

work="$(mktemp -d /tmp/rnn-spark-bench.XXXXXX)"
# shellcheck source=scripts/spark/cluster.sh
source "$root/scripts/spark/cluster.sh"
trap 'spark_stop; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

if [ "$build" = 1 ]; then
  spark_build
fi

if [ "$quality" = 1 ]; then
  lr="${lr:-20}"
  (( 20 % workers == 0 )) || { echo "bench-spark: --quality needs WORKERS dividing the 20 streams" >&2; exit 2; }
  streams=$(( 20 / workers ))
  echo "one machine: ptb-small, $epochs epochs of ${batches/#0/all} batches, lr 20" >&2
  "$root/bin/rnn" train "$data/train.txt" --valid "$data/valid.txt" --preset ptb-small --epochs "$epochs" \
    --max-batches "$batches" -o "$work/single" --json >"$work/single.json" 2>"$work/single.log"
  grep '^epoch' "$work/single.log" >&2
  spark_start "$workers"
  echo "cluster: $workers workers of $streams streams, K = $k, ${batches/#0/all} batches each per epoch, lr $lr" >&2
  (spark_train "$data/train.txt" --valid "$data/valid.txt" --preset ptb-small --epochs "$epochs" \
    --batch-size "$streams" --max-batches "$batches" --workers "$workers" --sync-every "$k" --lr "$lr" \
    -o "$work/cluster" --json) \
    >"$work/cluster.json" 2>"$work/cluster.log"
  grep -E '^epoch +[0-9]+/' "$work/cluster.log" >&2
  spark_stop
  python3 - "$work/single.json" "$work/cluster.json" "$workers" "$k" "$lr" "$streams" <<'PY'
import json, sys
single = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")][-1]
cluster = [json.loads(l) for l in open(sys.argv[2]) if l.startswith("{")][-1]
print(json.dumps({"epochs": single["epoch"], "single_valid_ppl": round(single["valid_ppl"], 2),
                  "cluster_valid_ppl": round(cluster["valid_ppl"], 2),
                  "ratio": round(cluster["valid_ppl"] / single["valid_ppl"], 4),
                  "workers": int(sys.argv[3]), "streams_per_worker": int(sys.argv[6]), "K": int(sys.argv[4]),
                  "cluster_lr": float(sys.argv[5])}))
PY
  exit 0
fi

spark_start "$workers"
(spark_train "$data/train.txt" --preset ptb-small --epochs 1 --max-batches "$batches" --workers "$workers" \
  --sync-every "$k" -o "$work/model" "${extra[@]}") 2>"$work/driver.log" >/dev/null
grep -E '^(model|data|epoch)' "$work/driver.log"
spark_stop

python3 - "$work/driver.log" "$workers" "$k" "${spark_coretype:-default}" <<'PY'
import json, re, statistics, sys
log, workers, k, kernels = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
text = open(log).read()
params = int(re.search(r"([\d,]+) parameters", text).group(1).replace(",", ""))
rounds = []
for m in re.finditer(r"^epoch \d+ round \d+/\d+ \| batches (\d+)-(\d+) of \d+ \| loss [\d.]+ \| ([\d,]+) tok/s \| "
                     r"compute ([\d.]+) s, communication ([\d.]+) s \| ([\d.]+) MB per worker$", text, re.M):
    rounds.append(dict(steps=int(m.group(2)) - int(m.group(1)) + 1, tok=float(m.group(3).replace(",", "")),
                       compute=float(m.group(4)), comm=float(m.group(5)), mb=float(m.group(6))))
full = [r for r in rounds[1:] if r["steps"] == k] or rounds[1:] or rounds
med = lambda key: statistics.median(r[key] for r in full)
compute, comm = med("compute"), med("comm")
print(json.dumps({
    "tokens_per_s": round(med("tok")), "workers": workers, "K": k,
    "round_seconds": round(compute + comm, 3), "compute_seconds": round(compute, 3),
    "communication_seconds": round(comm, 3), "bytes_per_round": int(med("mb") * 1e6 * workers),
    "parameters": params, "step_seconds": round(compute / k, 4), "rounds_measured": len(full),
    "kernels": kernels}))
PY
