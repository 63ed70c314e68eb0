-- wrk script of bench/scheduling/run.sh (issue F5): scrapes /metrics as a Prometheus server
-- does (Accept-Encoding: gzip) and prints one machine-readable RESULT line at the end.
--
-- PACE_MS (environment): 0 (default) = closed loop, every connection sends its next scrape as
-- soon as the last one is answered. PACE_MS > 0 = paced scrapers: after each answer a
-- connection waits a random 0.5–1.5 × PACE_MS (so the scrapers drift apart), like a
-- Prometheus server with that scrape interval. wrk measures each request from send to
-- answer; the wait is not part of the latency.

local pace_ms = tonumber(os.getenv("PACE_MS") or "0") or 0
local next_id = 0

wrk.headers["Accept-Encoding"] = "gzip"

function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
end

function init(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0))
end

if pace_ms > 0 then
  function delay()
    return math.random(math.floor(pace_ms / 2), math.floor(pace_ms * 3 / 2))
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d bytes=%d connect_errors=%d read_errors=%d write_errors=%d bad_status=%d timeouts=%d mean_us=%.0f p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
