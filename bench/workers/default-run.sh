#!/usr/bin/env bash
# The README's default run, watched (issue G1): `scripts/run` (the natively compiled daemon)
# on a fresh state directory with nothing configured, until every default canary has measured
# CYCLES times. Every 5 s the resident memory of the daemon, of each of its worker processes and of
# node_exporter (Debian's prometheus-node-exporter, installed when missing, run beside it as the
# tool users compare with) is written to a CSV; every 30 s /metrics is read for the runs so far.
#
# Usage: bench/workers/default-run.sh [CYCLES=3] [DEADLINE_MINUTES=300]
#        DAEMON_BIN=path/to/benchdaemon bench/workers/default-run.sh …  runs that executable instead;
#        JIT=1 bench/workers/default-run.sh …  runs `dotnet run --project src/BenchDaemon -c Release`.
# Output: bench/workers/results/default-run-<UTC>.csv (samples) and .md (summary), summary on stdout.
set -euo pipefail
export LC_ALL=C
CYCLES=${1:-3}
DEADLINE_MINUTES=${2:-300}
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${OUT:-$SCRIPT_DIR/results/default-run-$STAMP}
mkdir -p "$(dirname "$OUT")"
STATE=$(mktemp -d)
PORT=${PORT:-19847}
NODE_PORT=${NODE_PORT:-19100}
log() { printf '[default-run %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

if ! command -v prometheus-node-exporter >/dev/null 2>&1; then
  log "installing Debian's prometheus-node-exporter (the comparison)"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus-node-exporter >/dev/null
  $sudo systemctl stop prometheus-node-exporter >/dev/null 2>&1 || true
fi

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
children() { pgrep -P "$1" -f __worker || true; }

prometheus-node-exporter --web.listen-address=127.0.0.1:$NODE_PORT >/dev/null 2>&1 &
NODE=$!
cd "$REPO_ROOT"
if [ -n "${DAEMON_BIN:-}" ]; then
  COMMAND="$DAEMON_BIN run"
  log "starting $COMMAND (state $STATE, port $PORT)"
  "$DAEMON_BIN" run --set "State:Directory=$STATE" --set "Metrics:Listen=127.0.0.1:$PORT" > "$OUT.log" 2>&1 &
elif [ -n "${JIT:-}" ]; then
  COMMAND="dotnet run --project src/BenchDaemon -c Release"
  log "starting $COMMAND (state $STATE, port $PORT)"
  dotnet run --project src/BenchDaemon -c Release -- --set "State:Directory=$STATE" --set "Metrics:Listen=127.0.0.1:$PORT" > "$OUT.log" 2>&1 &
else
  COMMAND="scripts/run"
  log "starting the README's run: $COMMAND (state $STATE, port $PORT; the first native compilation takes minutes)"
  scripts/run --set "State:Directory=$STATE" --set "Metrics:Listen=127.0.0.1:$PORT" > "$OUT.log" 2>&1 &
fi
RUN=$!
trap 'kill $NODE 2>/dev/null; pkill -TERM -P $RUN 2>/dev/null; kill $RUN 2>/dev/null; sleep 5; rm -rf "$STATE"' EXIT
DAEMON=""
# The daemon: the benchdaemon process among those `dotnet run` started with our port.
find_daemon() { for p in $(pgrep -f "Metrics:Listen=127.0.0.1:$PORT" || true); do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = benchdaemon ] && echo "$p"; done; true; }
for _ in $(seq 1 1800); do DAEMON=$(find_daemon | head -1); [ -n "$DAEMON" ] && break; sleep 1; done
[ -n "$DAEMON" ] || { log "the daemon did not start"; cat "$OUT.log" >&2; exit 1; }
log "daemon pid $DAEMON; node_exporter pid $NODE"
echo "seconds,daemon_rss_kib,daemon_hwm_kib,workers,worker_rss_kib,worker_max_rss_kib,node_exporter_rss_kib,measured_runs" > "$OUT.csv"
start=$(date +%s); measured=0; last_scrape=0; worker_max=0
while :; do
  now=$(date +%s); t=$((now - start))
  workers=$(children "$DAEMON" | tr '\n' ' ')
  wsum=0; wn=0; for w in $workers; do r=$(rss "$w"); wsum=$((wsum + r)); wn=$((wn + 1)); [ "$r" -gt "$worker_max" ] && worker_max=$r; done
  if [ $((now - last_scrape)) -ge 30 ]; then
    metrics=$(curl -s "http://127.0.0.1:$PORT/metrics" || true)
    # The fewest measured runs (ok or unstable) among every scheduled default canary (0 for one that has not measured).
    measured=$(printf '%s\n' "$metrics" | awk '
      /^benchdaemon_canary_schedule_interval_seconds\{canary="default/ { split($1, a, "\""); c[a[2]] += 0 }
      /^benchdaemon_canary_runs_total\{canary="default[^"]*",status="(ok|unstable)"/ { split($1, a, "\""); c[a[2]] += $2 }
      END { m = -1; for (k in c) if (m < 0 || c[k] < m) m = c[k]; print (m < 0 ? 0 : m) }')
    canaries=$(printf '%s\n' "$metrics" | grep -c '^benchdaemon_canary_schedule_interval_seconds{canary="default' || true)
    last_scrape=$now
    log "t=${t}s daemon $(rss "$DAEMON") KiB, workers [$workers] $wsum KiB, node_exporter $(rss "$NODE") KiB; fewest measured runs of the $canaries default canaries: $measured"
  fi
  echo "$t,$(rss "$DAEMON"),$(hwm "$DAEMON"),$wn,$wsum,$worker_max,$(rss "$NODE"),$measured" >> "$OUT.csv"
  [ "$measured" -ge "$CYCLES" ] && break
  [ $t -ge $((DEADLINE_MINUTES * 60)) ] && { log "deadline reached"; break; }
  kill -0 "$DAEMON" 2>/dev/null || { log "the daemon exited"; break; }
  sleep 5
done
metrics=$(curl -s "http://127.0.0.1:$PORT/metrics" || true)
{
  echo "## Default run ($STAMP): \`$COMMAND\`, fresh state directory, nothing configured"
  echo
  echo "| | value |"
  echo "|---|---|"
  awk -F, 'NR > 1 && $1 >= 30 && $1 <= 60 {s=$2} NR > 1 {if ($2 > p) p = $2; if ($7 > n) n = $7; last=$1} END {printf "| daemon RSS 30-60 s after start | %.1f MiB |\n| daemon peak RSS | %.1f MiB |\n| node_exporter peak RSS | %.1f MiB |\n| duration | %d s |\n", s/1024, p/1024, n/1024, last}' "$OUT.csv"
  # Steady state: the daemon alone (no worker running), after the first round of the defaults.
  # (sort, not gawk's asort: Debian's default awk is mawk.)
  awk -F, 'NR > 1 && $8 >= 1 && $4 == 0 {print $2}' "$OUT.csv" | sort -n \
    | awk '{v[++n]=$1} END {if (n) printf "| daemon RSS, steady (median with no worker running, after the first round; %d samples) | %.1f MiB |\n", n, v[int((n+1)/2)]/1024}'
  awk -F, 'NR > 1 {if ($6 > m) m = $6} END {printf "| largest worker RSS sampled | %.1f MiB |\n", m/1024}' "$OUT.csv"
  printf '%s\n' "$metrics" | awk '/^benchdaemon_worker_peak_resident_memory_bytes/ {printf "| worker peak of the last request (%s) | %.1f MiB |\n", $1, $2/1048576}'
  echo
  echo "Runs of the default canaries (benchdaemon_canary_runs_total):"
  echo
  printf '%s\n' "$metrics" | grep '^benchdaemon_canary_runs_total{canary="default' | sed 's/^/    /'
  echo
  echo "Planned cadence (log):"
  echo
  grep -E "fitted to the duty budget|generated .* in" "$OUT.log" | sed 's/^/    /' | head -20
} | tee "$OUT.md"
