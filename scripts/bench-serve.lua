-- wrk script for scripts/bench-serve.sh: POST /v1/predict with the bodies in the file named after
-- "--" (one JSON object a line, written by bench-serve.sh), each request the next body, and at
-- the end one JSON line with the exact latency percentiles (wrk records every latency to the us).
local bodies = {}
local next_body = 0

function init(args)
  for line in io.lines(args[1]) do
    bodies[#bodies + 1] = line
  end
  assert(#bodies > 0, "no request bodies in " .. args[1])
  wrk.method = "POST"
  wrk.path = "/v1/predict"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  next_body = next_body % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[next_body])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "errors": %d, "seconds": %.3f, "median_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, e.connect + e.read + e.write + e.status + e.timeout, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
