#!/usr/bin/env bash
# Times full training steps of the engine (computeGradients + clip 0.25 + plain SGD, carried state)
# at the Penn Treebank small shape for each cell type, and optionally the PyTorch peer next to it.
#
# Usage: scripts/bench-engine.sh [--cells "LSTM GRU RNN"] [--steps 100] [--warmup 20]
#                                [--threads N] [--data DIR] [--torch] [-- extra EngineBenchmark flags]
#   --threads N  the engine's threads (OpenBLAS products and softmax rows, as rnn train --threads)
#                and the peer's --threads; default 0 = one per core, as rnn train. ND4J's own
#                element-wise ops stay on one thread (OMP_NUM_THREADS=1), as in bin/rnn.
#   --data DIR   reads DIR/train.txt (e.g. ../shared/corpora/ptb) instead of random ids.
#   --torch      also runs ../shared/peers/torch_lm.py (150 batches, --no-eval) per cell, if
#                $PYTHON (default: python3 on PATH) can import torch.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"

python="${PYTHON:-python3}"
cells="LSTM GRU RNN"
steps=100
warmup=20
threads=0
data=""
torch=0
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --cells) cells="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --torch) torch=1; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "bench-engine: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

# Same rule as bin/rnn: pick OpenBLAS kernels the CPU supports unless the user chose already.
if [ -z "${OPENBLAS_CORETYPE:-}" ] && [ -r /proc/cpuinfo ]; then
  flags=" $(grep -m1 '^flags' /proc/cpuinfo) "
  case "$flags" in
    *" avx512f "*) export OPENBLAS_CORETYPE=SkylakeX ;;
    *" avx2 "*) export OPENBLAS_CORETYPE=Haswell ;;
  esac
fi
cores="$(nproc --all)"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OPENBLAS_THREAD_TIMEOUT="${OPENBLAS_THREAD_TIMEOUT:-4}"
engine_threads="$([ "$threads" = 0 ] && echo "$cores" || echo "$threads")"

# target/lib holds the runtime jars; test-compile builds the benchmark (no tests are run).
if [ ! -d target/lib ]; then
  mvn -B -q -ntp package -DskipTests
fi
mvn -B -q -ntp test-compile

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(lscpu | sed -n 's/^Model name: *//p' | head -1), $cores cores," \
  "load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
echo "# commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)}," \
  "OMP_NUM_THREADS=${OMP_NUM_THREADS:-(unset)}"
data_args=()
if [ -n "$data" ]; then
  data_args=(--data "$data")
fi
for cell in $cells; do
  echo "## engine $cell"
  java -cp "target/classes:target/test-classes:target/lib/*" rnn.bench.EngineBenchmark \
    --cell "$cell" --steps "$steps" --warmup "$warmup" --engine-threads "$engine_threads" "${data_args[@]}" "${extra[@]}" 2>&1 \
    | grep -v -e '^WARNING' -e 'org.nd4j' -e '^SLF4J'
  if [ "$torch" = 1 ]; then
    if "$python" -c 'import torch' 2>/dev/null; then
      model="$cell"
      [ "$cell" = RNN ] && model=RNN_TANH
      echo "## torch $model"
      "$python" "$root/../shared/peers/torch_lm.py" --data "${data:-$root/../shared/corpora/ptb}" \
        --model "$model" --threads "$engine_threads" --epochs 1 --max-batches 150 --no-eval
    else
      echo "## torch: $python cannot import torch; skipped"
    fi
  fi
done
