#!/usr/bin/env bash
# "Done when" of issue F6: a real slowdown injected into a running daemon raises
# benchdaemon_regression_active, and removing it clears the alarm.
#
# Starts the real daemon (Release build) pinned to one CPU with one small CPU canary
# (builtin:resnet-mini, one thread, every INTERVAL seconds, CPU-busy guard and duty budget
# off), lets it learn a baseline, then starts a CPU-bound competitor pinned to the same CPU,
# then stops it. Every run is printed as a timeline row (from the history store), with the
# gauges scraped from /metrics. Markdown goes to stdout and to
# bench/regression/results/inject-<UTC time>.md.
#
# Tunables (environment): SKIP_BUILD=0  INTERVAL=5  BASELINE_RUNS=30  MAX_INJECT_RUNS=30  MAX_CLEAR_RUNS=30  CPU=0  PORT=19848
#   BIN      the benchdaemon executable (default: the Release build of this checkout; set it to a
#            self-contained publish on a machine without the .NET SDK, with SKIP_BUILD=1)
#   CANARY   the canary's JSON object (default: the one-thread builtin:resnet-mini above)
#   COMPETITOR  the competing command (default: a busy loop pinned to CPU); on a GPU machine, for
#            example, a PyTorch matmul loop on the canary's GPU
#   RESULTS_DIR  where the Markdown and inject.png go (default bench/regression/results)
#   EXTRA_JSON  more top-level configuration, e.g. '"Cuda": { "LibraryDirectory": "/usr/local/cuda/lib64" }'
#   PIN      1 (default) pins the daemon to CPU; 0 leaves it unpinned (GPU canaries)
# The gate needs MinimumBaseline (10) + EvidenceWindow (12) runs before it judges: BASELINE_RUNS
# must be larger than that.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
INTERVAL=${INTERVAL:-5}
BASELINE_RUNS=${BASELINE_RUNS:-30}
MAX_INJECT_RUNS=${MAX_INJECT_RUNS:-30}
MAX_CLEAR_RUNS=${MAX_CLEAR_RUNS:-30}
CPU=${CPU:-0}
PORT=${PORT:-19848}
PIN=${PIN:-1}
CANARY=${CANARY:-'{ "Name": "inject", "Model": "builtin:resnet-mini", "Interval": "00:00:0'"$INTERVAL"'", "Threads": 1,
    "Measure": { "MinIterations": 200, "MinDuration": "00:00:01", "WarmupMaxDuration": "00:00:00.500" } }'}
COMPETITOR=${COMPETITOR:-"taskset -c $CPU sh -c 'while :; do :; done'"}

if [ -z "${BIN:-}" ]; then
    [ "${SKIP_BUILD:-0}" = 1 ] || dotnet build "$root/src/BenchDaemon" -c Release --nologo -v q >&2
    BIN="$root/src/BenchDaemon/bin/Release/net10.0/benchdaemon"
fi
bin="$BIN"
mkdir -p "${RESULTS_DIR:=$here/results}"
exec > >(tee "$RESULTS_DIR/inject-$(date -u +%Y%m%dT%H%M%SZ).md")
work="$(mktemp -d)"
competitor=""
daemon=""
cleanup() {
    [ -n "$competitor" ] && kill "$competitor" 2>/dev/null || true
    [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/config.json" <<JSON
{
  "State": { "Directory": "$work/state" },
  "Metrics": { "Listen": "127.0.0.1:$PORT" },
  "Guards": { "CpuBusyThreshold": 1, "GpuBusyThreshold": 1, "DutyFraction": 1 },${EXTRA_JSON:+
  $EXTRA_JSON,}
  "Canaries": [ $CANARY ]
}
JSON

if [ "$PIN" = 1 ]; then
    taskset -c "$CPU" "$bin" run --config "$work/config.json" > "$work/daemon.log" 2>&1 &
else
    "$bin" run --config "$work/config.json" > "$work/daemon.log" 2>&1 &
fi
daemon=$!

metric() { curl -s "127.0.0.1:$PORT/metrics" | awk -v m="$1" -v l="$2" 'index($0, m "{") == 1 && index($0, l) > 0 { v = $NF } END { print v }' || true; }
# 1 when any metric of the canary has an open regression, with the metrics that do.
active_any() { curl -s "127.0.0.1:$PORT/metrics" | awk '/^benchdaemon_regression_active\{/ && $NF == 1 { match($0, /metric="[a-z0-9_]+"/); m = m substr($0, RSTART + 8, RLENGTH - 9) " " } END { if (m == "") print "0"; else print "1 (" m ")" }' || true; }
scheduled() { curl -s "127.0.0.1:$PORT/metrics" | awk '/^benchdaemon_history_runs_total/ { s += $NF } END { print s + 0 }' || true; }
start=$(date +%s)
phase="baseline"
echo "| t (s) | phase | stored runs | last p50 (ms) | last p99 (ms) | regression_active (any metric) | p50 ratio | p99 ratio | throughput ratio |"
echo "|---:|---|---:|---:|---:|---|---:|---:|---:|"
row() {
    local p50 p99
    p50=$(metric benchdaemon_canary_last_latency_seconds 'stat="p50"')
    p99=$(metric benchdaemon_canary_last_latency_seconds 'stat="p99"')
    printf '| %d | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(( $(date +%s) - start ))" "$phase" "$(scheduled)" \
        "$(awk -v v="${p50:-0}" 'BEGIN { printf "%.3f", v * 1000 }')" "$(awk -v v="${p99:-0}" 'BEGIN { printf "%.3f", v * 1000 }')" "$(active_any)" \
        "$(r latency_p50)" "$(r latency_p99)" "$(r throughput)"
}
r() { awk -v v="$(metric benchdaemon_regression_ratio "metric=\"$1\"")" 'BEGIN { if (v == "") print "-"; else printf "%.2f", v }'; }
wait_runs() { # wait until the store holds $1 runs
    while [ "$(scheduled)" -lt "$1" ]; do sleep 1; done
}

until curl -s "127.0.0.1:$PORT/metrics" >/dev/null 2>&1; do sleep 1; done
runs=0
for _ in $(seq "$BASELINE_RUNS"); do runs=$(( $(scheduled) + 1 )); wait_runs "$runs"; row; done

phase="competitor on"
sh -c "exec $COMPETITOR" > "$work/competitor.log" 2>&1 &
competitor=$!
injected_at=$(scheduled)
opened=""
for i in $(seq "$MAX_INJECT_RUNS"); do
    runs=$(( $(scheduled) + 1 )); wait_runs "$runs"; row
    if [ "$(active_any | cut -c1)" = "1" ]; then opened="$i"; break; fi
done
kill "$competitor"; wait "$competitor" 2>/dev/null || true; competitor=""

phase="competitor stopped"
cleared=""
for i in $(seq "$MAX_CLEAR_RUNS"); do
    runs=$(( $(scheduled) + 1 )); wait_runs "$runs"; row
    if [ "$(active_any)" = "0" ]; then cleared="$i"; break; fi
done

echo
echo "regression_active went to 1 after ${opened:-(not within $MAX_INJECT_RUNS)} stored run(s) with the competitor (scheduled runs and confirmation re-runs), and back to 0 after ${cleared:-(not within $MAX_CLEAR_RUNS)} stored run(s) without it."
echo
echo "Gate log lines (suspected / confirmed / cleared):"
echo '```'
grep -E "Suspected regression|Regression of|re-running at once" "$work/daemon.log" | sed -E 's/^\[([0-9:]+) ([A-Z]+)\] [A-Za-z.]+: /\1 \2 /' | tail -20
echo '```'
"$bin" report --config "$work/config.json" --png "$RESULTS_DIR/inject.png" >/dev/null 2>&1 || true
