#!/usr/bin/env bash
# Penn Treebank benchmark of `rnn train --preset ptb-small` (2x200 LSTM, embedding 200, vocab 10k,
# 20 streams in chunks of 20, SGD lr 20, clip 0.25, 13 epochs, lr halved after epoch 4).
#
# Usage: scripts/bench-ptb.sh [--quick] [--seed-preset] [--preset NAME] [--epochs N] [--kernels NAME] [DATA_DIR] [-- extra rnn train options]
#   DATA_DIR       holds train.txt, valid.txt, test.txt (default ../shared/corpora/ptb)
#   --preset NAME  the preset to train (default ptb-small; ptb-tied is the better model, ptb-best the
#                  best within an hour)
#   --quick        throughput only: the first 1000 batches of one epoch (400k tokens), no evaluation
#   --kernels NAME OpenBLAS kernels for every run (OPENBLAS_CORETYPE, e.g. Haswell); by default the
#                  machine's presets are unset and bin/rnn picks them, as on a user's machine
#   --torch        also trains the PyTorch peer (../shared/peers/torch_lm.py, same shape, run by $PYTHON,
#                  default python3 on PATH) right after:
#                  the same number of batches on 1 thread, and 300 on 2 threads (it is about 3x
#                  slower there, from thread oversubscription); its best goes in the JSON line
#   --seed-preset  instead: the Keras tutorial preset on ../shared/corpora/frankenstein.txt (or
#                  --corpus FILE) for --epochs N (default 3); reports ms per training sample and the
#                  best validation loss
#   --score MODEL  instead: only `rnn perplexity` of test.txt with an already trained MODEL directory
# `rnn perplexity` runs three times (the median is reported, each run a fresh JVM as a user would
# start it; its tokens/s is the tool's own figure, from reading the text to the last token scored)
# and once more exactly (--streams 1); then three times with --independent --per-line (each line on
# its own, the rescoring mode; its tokens/s is the tool's own figure that -v prints on stderr).
# Prints per epoch: tokens/s, seconds, validation perplexity; then test perplexity, minutes,
# peak RSS and FLOP utilisation (model FLOPs/token x tokens/s / this machine's measured sgemm
# GFLOP/s). Training also runs a one-thread pass (--threads 1, 300 batches). The per-step
# recurrent product alone (h W_hh^T, 20 x 200 by 200 x 800 as training runs it, in the panel
# kernel, and through OpenBLAS and the row kernel; 1 row as `rnn perplexity --streams 1` does) is
# timed on one thread against the one-thread sgemm peak. The last line is one JSON object; its
# throughput is under "tokens_per_s", the kernels under "kernels".
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"

quick=0
torch=0
seed_preset=0
score=""
seed_corpus="$root/../shared/corpora/frankenstein.txt"
preset=ptb-small
epochs=""
data="../shared/corpora/ptb"
extra=()
chosen_kernels=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --torch) torch=1; shift ;;
    --seed-preset) seed_preset=1; shift ;;
    --score) score="$2"; shift 2 ;;
    --corpus) seed_corpus="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --preset) preset="$2"; shift 2 ;;
    --kernels) chosen_kernels="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -*) echo "bench-ptb: unknown option '$1'" >&2; exit 2 ;;
    *) data="$1"; shift ;;
  esac
done

mvn -q -B -ntp package -DskipTests
mvn -q -B -ntp test-compile
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# shellcheck source=scripts/lib/kernels.sh
source "$root/scripts/lib/kernels.sh"
if [ -n "$chosen_kernels" ]; then
  kernels="$chosen_kernels"
fi
# bin/rnn would pick the same; the benchmark classes below run java directly.
if [ "$kernels" != "OpenBLAS default" ]; then
  export OPENBLAS_CORETYPE="$kernels"
fi
# The sgemm peak at the thread count training uses by default (one per core), and on one thread.
export OPENBLAS_THREAD_TIMEOUT="${OPENBLAS_THREAD_TIMEOUT:-4}"
bench() {
  OMP_NUM_THREADS=1 java --add-modules jdk.incubator.vector -cp "target/classes:target/test-classes:target/lib/*" "$@" \
    2>/dev/null | tail -1
}
sgemm=$(bench rnn.bench.SgemmRate 0)
sgemm1=$(bench rnn.bench.SgemmRate 1)
# The per-step product alone, on one thread: "blas java panel" GFLOP/s, at 20 rows and at 1.
read -r step20_blas step20_java step20_panel <<< "$(bench rnn.bench.StepProductRate 20 1)"
read -r step1_blas step1_java _ <<< "$(bench rnn.bench.StepProductRate 1 1)"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); sgemm ${sgemm} GFLOP/s on $(nproc) threads, ${sgemm1} on 1 ($kernels)"
echo "step product h W_hh^T on 1 thread: 20x200 by 200x800 ${step20_blas} GFLOP/s (OpenBLAS), ${step20_panel} (panel kernel, as training runs it), ${step20_java} (Java row kernel); 1 row ${step1_blas} (OpenBLAS), ${step1_java} (Java kernel, as rnn perplexity runs it)"
export BENCH_KERNELS="$kernels" BENCH_SGEMM1="$sgemm1" BENCH_STEP="$step20_blas $step20_java $step1_blas $step1_java $step20_panel"

# The --independent figures, read by both JSON reports below.
cat > "$work/bench_report.py" <<'PY'
import os
import re

def machine():
    """The kernels, and the per-step product's rates on one thread against the one-thread sgemm peak."""
    step20_blas, step20_java, step1_blas, step1_java, step20_panel = (float(x) for x in os.environ["BENCH_STEP"].split())
    sgemm1 = float(os.environ["BENCH_SGEMM1"])
    return {"kernels": os.environ["BENCH_KERNELS"],
            "step_product_gflops": step20_panel, "step_product_utilisation": round(step20_panel / sgemm1, 3),
            "step_product_blas_gflops": step20_blas, "step_product_java_gflops": step20_java,
            "step_product_1_row_gflops": step1_blas, "step_product_1_row_java_gflops": step1_java}

def independent(work):
    """Median tokens/s (and the perplexity) of the three --independent --per-line runs, from their stderr."""
    runs = []
    for r in (1, 2, 3):
        text = open(f"{work}/test-independent-{r}.txt").read()
        tps = float(re.search(r"scored \d+ tokens in [\d.]+ s \((\d+) tokens/s\)", text).group(1))
        ppl = float(re.search(r"rnn perplexity: perplexity: ([\d.]+)", text).group(1))
        runs.append((tps, ppl))
    runs.sort()
    return {"independent_test_ppl": round(runs[1][1], 3), "independent_tokens_per_s": runs[1][0],
            "independent_tokens_per_s_runs": [t for t, _ in runs]}
PY

# The default scoring (segments side by side) three times for speed, and the exact single pass once.
score_model() {
  for run in 1 2 3; do
    /usr/bin/time -f "%e" -o "$work/test-wall-$run.txt" \
      bin/rnn perplexity "$data/test.txt" -m "$1" --json > "$work/test-$run.json"
  done
  bin/rnn perplexity "$data/test.txt" -m "$1" --json --streams 1 > "$work/test-exact.json"
  for run in 1 2 3; do
    bin/rnn perplexity "$data/test.txt" -m "$1" --independent --per-line -v > /dev/null 2> "$work/test-independent-$run.txt"
  done
}

if [ -n "$score" ]; then
  score_model "$score"
  PYTHONPATH="$work" python3 - "$work" <<'PY'
import json, re, sys
work = sys.argv[1]
from bench_report import independent, machine
runs = sorted((json.load(open(f"{work}/test-{r}.json")) for r in (1, 2, 3)), key=lambda t: t["tokens_per_second"])
walls = sorted(float(open(f"{work}/test-wall-{r}.txt").read().split()[-1]) for r in (1, 2, 3))
exact = json.load(open(f"{work}/test-exact.json"))
print(json.dumps({"test_ppl": round(runs[1]["perplexity"], 3), "test_ppl_exact": round(exact["perplexity"], 3),
                  "tokens": runs[1]["tokens"], "perplexity_tokens_per_s": round(runs[1]["tokens_per_second"], 1),
                  "perplexity_tokens_per_s_runs": [round(t["tokens_per_second"], 1) for t in runs],
                  "perplexity_wall_s": walls[1],
                  "perplexity_exact_tokens_per_s": round(exact["tokens_per_second"], 1), **independent(work),
                  **machine()}))
PY
  exit 0
fi

if [ "$seed_preset" = 1 ]; then
  /usr/bin/time -v -o "$work/time.txt" bin/rnn train "$seed_corpus" --preset seed --epochs "${epochs:-3}" \
    -o "$work/model" --json --quiet "${extra[@]}" > "$work/epochs.jsonl"
  python3 - "$work" "$(basename "$seed_corpus")" <<'PY'
import json, sys, re
work, corpus = sys.argv[1], sys.argv[2]
epochs = [json.loads(l) for l in open(f"{work}/epochs.jsonl")]
samples = json.load(open(f"{work}/model/model.json"))["corpus"]["train_tokens"] - 10  # windows of 10, stride 1
for e in epochs:
    print(f"epoch {e['epoch']}: {e['seconds']*1000/samples:.3f} ms/sample, train loss {e['train_loss']:.4f}, valid loss {e['valid_loss']:.4f}")
best = min(epochs, key=lambda e: e["valid_loss"])
ms = sorted(e["seconds"] * 1000 / samples for e in epochs)[len(epochs) // 2]
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(f"{work}/time.txt").read()).group(1))
print(json.dumps({"preset": "seed", "corpus": corpus, "epochs": len(epochs), "ms_per_sample": round(ms, 4),
                  "best_valid_loss": round(best["valid_loss"], 4), "best_epoch": best["epoch"], "peak_rss_mb": rss // 1024}))
PY
  exit 0
fi

# One thread: what a machine gives a single core (and how far two threads take it).
bin/rnn train "$data/train.txt" --preset "$preset" --epochs 1 --max-batches 300 --threads 1 \
  -o "$work/model-1-thread" --json --quiet "${extra[@]}" > "$work/epochs-1-thread.jsonl"
if [ "$quick" = 1 ]; then
  /usr/bin/time -v -o "$work/time.txt" bin/rnn train "$data/train.txt" --preset "$preset" --epochs 1 \
    --max-batches 1000 -o "$work/model" --json --quiet "${extra[@]}" > "$work/epochs.jsonl"
else
  /usr/bin/time -v -o "$work/time.txt" bin/rnn train "$data/train.txt" --preset "$preset" --valid "$data/valid.txt" \
    ${epochs:+--epochs "$epochs"} -o "$work/model" --json "${extra[@]}" > "$work/epochs.jsonl"
  score_model "$work/model"
fi
if [ "$torch" = 1 ]; then
  for threads in 1 2; do
    "${PYTHON:-python3}" "$root/../shared/peers/torch_lm.py" --data "$data" --threads "$threads" --epochs 1 \
      --max-batches "$([ "$threads" = 1 ] && echo 1000 || echo 300)" --no-eval > "$work/torch-$threads.out"
    head -1 "$work/torch-$threads.out" > "$work/torch-$threads.json"
    echo "pytorch, $threads thread(s): $(cat "$work/torch-$threads.json")"
  done
fi
PYTHONPATH="$work" python3 - "$work" "$sgemm" "$quick" "$preset" "$sgemm1" <<'PY'
import glob, json, os, sys, re
from bench_report import independent, machine
work, sgemm, quick, preset, sgemm1 = sys.argv[1], float(sys.argv[2]), sys.argv[3] == "1", sys.argv[4], float(sys.argv[5])
epochs = [json.loads(l) for l in open(f"{work}/epochs.jsonl")]
manifest = json.load(open(f"{work}/model/model.json"))
arch = manifest["network"]
v, h, e, layers = manifest["vocabulary"]["size"], arch["hidden"], arch["embedding"], arch["layers"]
gates = {"RNN": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3, "GRU_CLASSIC": 3}[arch["cell"]]
matmul = v * h + sum(gates * h * ((e if k == 0 else h) + h) for k in range(layers))
flop_per_token = 6 * matmul  # forward 2, backward 4 per weight
for r in epochs:
    valid = f", valid ppl {r['valid_ppl']:.2f}" if r.get("valid_ppl") else ""
    print(f"epoch {r['epoch']}: {r['tokens_per_s']:,.0f} tokens/s, {r['seconds']:.1f} s{valid}")
tps = sorted(r["tokens_per_s"] for r in epochs)[len(epochs) // 2]
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(f"{work}/time.txt").read()).group(1))
minutes = sum(r["seconds"] for r in epochs) / 60
out = {"preset": preset, "quick": quick, "epochs": len(epochs), "tokens_per_s": round(tps, 1),
       "train_minutes": round(minutes, 2), "peak_rss_mb": rss // 1024, "mflop_per_token": round(flop_per_token / 1e6, 2),
       "sgemm_gflops": sgemm, "sgemm_gflops_1_thread": sgemm1,
       "flop_utilisation": round(flop_per_token * tps / (sgemm * 1e9), 3),
       "tokens_per_s_1_thread": round(json.loads(open(f"{work}/epochs-1-thread.jsonl").readline())["tokens_per_s"], 1),
       **machine()}
peers = {int(re.search(r"torch-(\d+)", f).group(1)): json.load(open(f))["train_tok_per_s"]
         for f in glob.glob(f"{work}/torch-*.json")}
if peers:
    best = max(peers, key=peers.get)
    out["torch_tokens_per_s"] = peers[best]
    out["torch_threads"] = best
    out["vs_torch"] = round(tps / peers[best], 3)
if not quick:
    runs = sorted((json.load(open(f"{work}/test-{r}.json")) for r in (1, 2, 3)), key=lambda t: t["tokens_per_second"])
    walls = sorted(float(open(f"{work}/test-wall-{r}.txt").read().split()[-1]) for r in (1, 2, 3))
    out["valid_ppl"] = epochs[-1].get("valid_ppl")
    exact = json.load(open(f"{work}/test-exact.json"))
    out["test_ppl"] = round(runs[1]["perplexity"], 3)
    out["test_ppl_exact"] = round(exact["perplexity"], 3)
    out["perplexity_tokens_per_s"] = round(runs[1]["tokens_per_second"], 1)
    out["perplexity_tokens_per_s_runs"] = [round(t["tokens_per_second"], 1) for t in runs]
    out["perplexity_wall_s"] = walls[1]
    out["perplexity_exact_tokens_per_s"] = round(exact["tokens_per_second"], 1)
    out.update(independent(work))
print(json.dumps(out))
PY
