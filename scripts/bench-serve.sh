#!/usr/bin/env bash
# Latency and throughput of a warm `rnn serve`: C clients (default 8), each on its own keep-alive
# connection, send POST /v1/predict back to back for a fixed time after a warm-up; ends with one
# JSON line: requests/s, median, p90, p99 and max latency in ms, the errors, the CPU time per
# request of the server and of the client, the load average before the run, and which OpenBLAS
# kernels the server used.
#
# The model has the ptb-tied shape (2x200 LSTM, tied embedding, vocabulary 10,000). Latency depends
# on the shape, not on how well it is trained, so unless --model is given the script trains
# --batches batches of `--preset ptb-tied` on DATA_DIR/train.txt (default 300, about a minute).
# Each request's context is 20 words of PTB's valid.txt (a different one each time, k = 5); a
# stream model reads the whole context from the zero state on every request.
#
# The load comes from wrk (Debian's `wrk`; the script installs it if missing, as root) with
# scripts/bench-serve.lua, so that the figure measures the server rather than its client: the
# Python client (--client python) takes a good part of a 2-core machine itself. The JSON line
# names the client and gives the CPU time per request of the server and of the client (process
# CPU time / requests), which a busy machine disturbs much less than it does the latency.
#
# Usage: scripts/bench-serve.sh [--model DIR] [--data DIR] [--batches N] [--clients C]
#                               [--seconds S] [--warmup S] [--threads N] [--runs R] [--client wrk|python]
#   --data DIR   holds PTB's train.txt and valid.txt (default ../shared/corpora/ptb beside the checkout)
#   --threads N  the server's request threads (default 0 = one per core)
#   --runs R     measure R times in a row (default 1); the last line is the median run
#   --client     wrk (default; whole seconds only) or python (one thread per client, http.client)
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
client=wrk
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
    --client) client="$2"; shift 2 ;;
    *) echo "bench-serve: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
case "$client" in
  wrk)
    if ! command -v wrk >/dev/null 2>&1; then
      if [ "$(id -u)" -ne 0 ]; then
        echo "bench-serve: wrk is missing; install it as root: apt-get install -y wrk (or use --client python)" >&2
        exit 1
      fi
      echo "bench-serve: installing wrk" >&2
      apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
    fi
    for value in "$seconds" "$warmup"; do
      [[ "$value" =~ ^[1-9][0-9]*$ ]] || { echo "bench-serve: --client wrk takes whole seconds, got '$value'" >&2; exit 2; }
    done ;;
  python) ;;
  *) echo "bench-serve: --client takes wrk or python, got '$client'" >&2; exit 2 ;;
esac
[ -f "$data/valid.txt" ] || { echo "bench-serve: $data/valid.txt is missing (--data DIR)" >&2; exit 1; }

# shellcheck source=scripts/lib/kernels.sh
source "$root/scripts/lib/kernels.sh"

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

python3 - "$url" "$data/valid.txt" "$clients" "$seconds" "$warmup" "$runs" "$kernels" "$threads" "$model" \
  "$client" "$server_pid" "$work/bodies.txt" "$root/scripts/bench-serve.lua" <<'PY'
import http.client, json, os, socket, statistics, subprocess, sys, threading, time, urllib.parse

(url, valid, clients, seconds, warmup, runs, kernels, threads, model, client, server_pid, bodies_file,
 lua) = sys.argv[1:]
clients, seconds, warmup, runs = int(clients), float(seconds), float(warmup), int(runs)
address = urllib.parse.urlparse(url)
words = open(valid, encoding="utf-8").read().split()
bodies = [json.dumps({"context": " ".join(words[i:i + 20]), "k": 5}).encode()
          for i in range(0, min(len(words) - 20, 20 * 4000), 20)]
with open(bodies_file, "wb") as out:
    out.write(b"\n".join(bodies) + b"\n")
ticks = os.sysconf("SC_CLK_TCK")

def server_cpu():
    """The server's user + system CPU seconds so far."""
    with open(f"/proc/{server_pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks

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

def run_python(duration):
    """Latencies in ms (sorted), errors, seconds, client CPU seconds: one thread per client."""
    latencies, errors = [], []
    workers = [threading.Thread(target=drive, args=(duration, latencies, errors, c * 997)) for c in range(clients)]
    cpu = sum(os.times()[:2])
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(x * 1000 for x in latencies)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]
    return {"requests": len(ordered), "errors": len(errors), "seconds": elapsed,
            "median_ms": statistics.median(ordered), "p90_ms": pick(0.90), "p99_ms": pick(0.99),
            "max_ms": ordered[-1]}, sum(os.times()[:2]) - cpu

def run_wrk(duration):
    """The same from wrk on one thread, each of its connections a client; its CPU from wait4."""
    command = ["wrk", "-t1", f"-c{clients}", f"-d{int(duration)}s", "--timeout", "30s", "-s", lua, url, "--",
               bodies_file]
    wrk = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = wrk.stdout.read().decode()
    _, status, usage = os.wait4(wrk.pid, 0)
    lines = [line for line in output.splitlines() if line.startswith("{")]
    if status != 0 or not lines:
        sys.exit("bench-serve: wrk failed:\n" + output)
    r = json.loads(lines[-1])
    return {"requests": r["requests"], "errors": r["errors"], "seconds": r["seconds"],
            "median_ms": r["median_us"] / 1000, "p90_ms": r["p90_us"] / 1000, "p99_ms": r["p99_us"] / 1000,
            "max_ms": r["max_us"] / 1000}, usage.ru_utime + usage.ru_stime

run = run_wrk if client == "wrk" else run_python
run(warmup)  # JIT, each request thread's buffers
results = []
for r in range(runs):
    load = os.getloadavg()[0]
    cpu = server_cpu()
    figures, client_cpu = run(seconds)
    server = server_cpu() - cpu
    n = max(1, figures["requests"])
    result = {"endpoint": "/v1/predict", "client": client, "clients": clients,
              "server_threads": int(threads) or os.cpu_count(), "requests": figures["requests"],
              "errors": figures["errors"], "seconds": round(figures["seconds"], 2),
              "requests_per_s": round(figures["requests"] / figures["seconds"], 1),
              "median_ms": round(figures["median_ms"], 3), "p90_ms": round(figures["p90_ms"], 3),
              "p99_ms": round(figures["p99_ms"], 3), "max_ms": round(figures["max_ms"], 3),
              "server_cpu_ms_per_request": round(server * 1000 / n, 3),
              "client_cpu_ms_per_request": round(client_cpu * 1000 / n, 3),
              "load_avg_1m_before": round(load, 2), "cores": os.cpu_count(), "kernels": kernels,
              "context_words": 20, "k": 5, "model": model}
    results.append(result)
    if runs > 1:
        print(json.dumps(result), file=sys.stderr)
print(json.dumps(sorted(results, key=lambda r: r["median_ms"])[len(results) // 2]))
PY
