#!/usr/bin/env bash
# Latency and throughput of a warm `rnn serve`: C clients (default 8), each on its own keep-alive
# connection, send POST /v1/predict back to back for a fixed time after a warm-up; ends with one
# JSON line: requests/s, median, p90, p99 and max latency in ms, the errors, the load average
# before the run, and which OpenBLAS kernels the server used.
#
# The model has the ptb-tied shape (2x200 LSTM, tied embedding, vocabulary 10,000). Latency depends
# on the shape, not on how well it is trained, so unless --model is given the script trains
# --batches batches of `--preset ptb-tied` on DATA_DIR/train.txt (default 300, about a minute).
# Each request's context is 20 words of PTB's valid.txt (a different one each time, k = 5); a
# stream model reads the whole context from the zero state on every request.
#
# Usage: scripts/bench-serve.sh [--model DIR] [--data DIR] [--batches N] [--clients C]
#                               [--seconds S] [--warmup S] [--threads N] [--runs R]
#   --data DIR   holds PTB's train.txt and valid.txt (default ../shared/corpora/ptb beside the checkout)
#   --threads N  the server's request threads (default 0 = one per core)
#   --runs R     measure R times in a row (default 1); the last line is the median run
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"

model=""
data="$(git rev-parse --show-toplevel 2>/dev/null || echo "$root")/../shared/corpora/ptb"
batches=300
clients=8
seconds=20
warmup=5
threads=0
runs=1
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --batches) batches="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    *) echo "bench-serve: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -f "$data/valid.txt" ] || { echo "bench-serve: $data/valid.txt is missing (--data DIR)" >&2; exit 1; }

# This machine presets these; without them bin/rnn picks the kernels the CPU supports.
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true) "
case "$flags" in
  *" avx512f "*) kernels=SkylakeX ;;
  *" avx2 "*) kernels=Haswell ;;
  *) kernels="OpenBLAS default" ;;
esac

[ -f target/rnn.jar ] || mvn -q -B -ntp package -DskipTests
work="target/bench-serve"
mkdir -p "$work"
if [ -z "$model" ]; then
  model="$work/model"
  echo "bench-serve: training $batches batches of --preset ptb-tied into $model" >&2
  bin/rnn train "$data/train.txt" --preset ptb-tied --epochs 1 --max-batches "$batches" -o "$model" --force --quiet
fi

server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
bin/rnn serve -m "$model" --port 0 --threads "$threads" -q 2> "$work/serve.log" &
server_pid=$!
url=""
for _ in $(seq 1 600); do
  url="$(sed -n 's/^rnn serve: model .* at \(http:[^ ]*\) (Ctrl-C stops)$/\1/p' "$work/serve.log")"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "bench-serve: the server did not start" >&2; exit 1; }

python3 - "$url" "$data/valid.txt" "$clients" "$seconds" "$warmup" "$runs" "$kernels" "$threads" "$model" <<'PY'
import http.client, json, os, socket, statistics, sys, threading, time, urllib.parse

url, valid, clients, seconds, warmup, runs, kernels, threads, model = sys.argv[1:]
clients, seconds, warmup, runs = int(clients), float(seconds), float(warmup), int(runs)
address = urllib.parse.urlparse(url)
words = open(valid, encoding="utf-8").read().split()
bodies = [json.dumps({"context": " ".join(words[i:i + 20]), "k": 5}).encode()
          for i in range(0, min(len(words) - 20, 20 * 4000), 20)]

def drive(duration, latencies, errors, offset):
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    connection.connect()
    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    end = time.perf_counter() + duration
    i = offset
    while True:
        body = bodies[i % len(bodies)]
        i += clients
        started = time.perf_counter()
        connection.request("POST", "/v1/predict", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        finished = time.perf_counter()
        if response.status != 200:
            errors.append(response.status)
        latencies.append(finished - started)
        if finished >= end:
            break
    connection.close()

def run(duration):
    latencies, errors = [], []
    workers = [threading.Thread(target=drive, args=(duration, latencies, errors, c * 997)) for c in range(clients)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return latencies, errors, time.perf_counter() - started

run(warmup)  # JIT, each request thread's buffers
results = []
for r in range(runs):
    load = os.getloadavg()[0]
    latencies, errors, elapsed = run(seconds)
    ordered = sorted(latencies)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000
    result = {"endpoint": "/v1/predict", "clients": clients, "server_threads": int(threads) or os.cpu_count(),
              "requests": len(latencies), "errors": len(errors), "seconds": round(elapsed, 2),
              "requests_per_s": round(len(latencies) / elapsed, 1),
              "median_ms": round(statistics.median(latencies) * 1000, 3), "p90_ms": round(pick(0.90), 3),
              "p99_ms": round(pick(0.99), 3), "max_ms": round(ordered[-1] * 1000, 3),
              "load_avg_1m_before": round(load, 2), "cores": os.cpu_count(), "kernels": kernels,
              "context_words": 20, "k": 5, "model": model}
    results.append(result)
    if runs > 1:
        print(json.dumps(result), file=sys.stderr)
print(json.dumps(sorted(results, key=lambda r: r["median_ms"])[len(results) // 2]))
PY
