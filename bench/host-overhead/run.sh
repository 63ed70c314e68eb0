#!/usr/bin/env bash
# Host overhead of BenchDaemon, side by side with Debian's prometheus-node-exporter
# (issue F1). See bench/host-overhead/README.md for what is measured and how to read it.
#
# Usage: bench/host-overhead/run.sh       (from anywhere; the repository is found
#                                            relative to this script)
# Tunables (environment):
#   IDLE_SECONDS=180     quiet window for idle CPU and per-tick CPU (no scrapes at all)
#   IDLE_WINDOWS=6       the quiet window is cut into this many equal parts for the spread
#   SETTLE_SECONDS=90    wait after start-up before anything is measured (tiered JIT with
#                        dynamic PGO promotes a method after ~30 calls at tier 0 and ~30
#                        more instrumented, i.e. ~60+ ticks at 1 s sampling)
#   WARMUP_SCRAPES=300   scrapes per target and encoding before the quiet window, not measured
#   SCRAPES=600          measured scrapes per target and encoding
#   ROUNDS=10            ...split into this many interleaved rounds (A B C, then C B A, ...)
#   PROBE_SAMPLES=10     scrapes (1 s apart) read for benchdaemon_probe_duration_seconds
#   FAST_INTERVAL=00:00:00.100   sampling interval of the second daemon (per-tick cost)
#   PORT_BASE=19180      four consecutive loopback ports are used from here
#   BENCHDAEMON_DIR=     an existing `dotnet publish` output to use instead of publishing
#   RESULTS_DIR=bench/host-overhead/results    where host-overhead-<date>.md is written
#   KEEP_TMP=0           1 keeps the scratch directory (logs, raw samples)
set -euo pipefail
export LC_ALL=C

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd)

IDLE_SECONDS=${IDLE_SECONDS:-180}
IDLE_WINDOWS=${IDLE_WINDOWS:-6}
SETTLE_SECONDS=${SETTLE_SECONDS:-90}
WARMUP_SCRAPES=${WARMUP_SCRAPES:-300}
SCRAPES=${SCRAPES:-600}
ROUNDS=${ROUNDS:-10}
PROBE_SAMPLES=${PROBE_SAMPLES:-10}
FAST_INTERVAL=${FAST_INTERVAL:-00:00:00.100}
PORT_BASE=${PORT_BASE:-19180}
BENCHDAEMON_DIR=${BENCHDAEMON_DIR:-}
RESULTS_DIR=${RESULTS_DIR:-$SCRIPT_DIR/results}
KEEP_TMP=${KEEP_TMP:-0}
NODE_EXPORTER=/usr/bin/prometheus-node-exporter
COMPARABLE_COLLECTORS=(--collector.disable-defaults --collector.cpu --collector.meminfo
  --collector.loadavg --collector.pressure --collector.rapl)

log() { printf '[host-overhead %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

for v in IDLE_SECONDS IDLE_WINDOWS SETTLE_SECONDS WARMUP_SCRAPES SCRAPES ROUNDS PROBE_SAMPLES PORT_BASE; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (got '${!v}')"
done
((IDLE_WINDOWS >= 1 && ROUNDS >= 1 && SCRAPES >= ROUNDS && IDLE_SECONDS >= IDLE_WINDOWS)) \
  || die "need IDLE_WINDOWS>=1, ROUNDS>=1, SCRAPES>=ROUNDS, IDLE_SECONDS>=IDLE_WINDOWS"
BATCH=$((SCRAPES / ROUNDS))
for tool in curl awk sort getconf gzip; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
CLK_TCK=$(getconf CLK_TCK)

# ---------------------------------------------------------------------------
# Scratch space and cleanup: every process this script starts is recorded in
# STARTED_PIDS and stopped (SIGTERM, then SIGKILL after 10 s) on exit.
# ---------------------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/host-overhead.XXXXXX")
STARTED_PIDS=()
cleanup() {
  local rc=$? pid i
  for pid in "${STARTED_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${STARTED_PIDS[@]}"; do
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ $KEEP_TMP == 1 ]]; then log "scratch kept in $TMP"; else rm -rf -- "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# node_exporter: Debian's package, installed if missing.
# ---------------------------------------------------------------------------
if [[ ! -x $NODE_EXPORTER ]]; then
  log "prometheus-node-exporter missing; installing it with apt-get"
  SUDO=(); ((EUID == 0)) || SUDO=(sudo)
  "${SUDO[@]}" apt-get install -y prometheus-node-exporter >&2 \
    || { "${SUDO[@]}" apt-get update >&2 && "${SUDO[@]}" apt-get install -y prometheus-node-exporter >&2; }
  [[ -x $NODE_EXPORTER ]] || die "$NODE_EXPORTER still missing after apt-get install"
fi
NE_VERSION=$("$NODE_EXPORTER" --version 2>&1 | awk 'NR == 1 { print $3; exit }')

# ---------------------------------------------------------------------------
# BenchDaemon: Release publish (framework-dependent). --artifacts-path keeps obj/
# and bin/ out of src/, so a concurrent Debug build there is not disturbed.
# ---------------------------------------------------------------------------
if [[ -z $BENCHDAEMON_DIR ]]; then
  log "publishing src/BenchDaemon (Release)"
  dotnet publish "$REPO_ROOT/src/BenchDaemon" -c Release -o "$TMP/app" \
    --artifacts-path "$TMP/artifacts" -nologo -v:q >"$TMP/publish.log" 2>&1 \
    || { cat "$TMP/publish.log" >&2; die "dotnet publish failed"; }
  BENCHDAEMON_DIR=$TMP/app
fi
DAEMON_BIN=$BENCHDAEMON_DIR/benchdaemon
[[ -x $DAEMON_BIN ]] || die "no benchdaemon executable in $BENCHDAEMON_DIR"
DOTNET_VERSION=$(dotnet --list-runtimes 2>/dev/null | awk '$1 == "Microsoft.NETCore.App" { v = $2 } END { print v }')

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
# utime + stime of a process in clock ticks (fields 14 and 15 of /proc/PID/stat;
# everything before the closing parenthesis of the command name is cut first).
cpu_ticks() {
  local s
  s=$(<"/proc/$1/stat") || die "process $1 is gone"
  s=${s##*) }
  # shellcheck disable=SC2086
  set -- $s
  echo $((${12} + ${13}))
}
rss_kib() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"; }
now_us() { local t=${EPOCHREALTIME}; echo "${t/./}"; }
port_free() { # curl exit 7: connection refused, i.e. nobody listens
  local rc=0
  curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/" || rc=$?
  ((rc == 7))
}
metric_value() { # metric_value PORT NAME: the first sample of an unlabelled metric
  local body
  body=$(curl -sf --max-time 10 "http://127.0.0.1:$1/metrics")
  awk -v n="$2" '$1 == n && !done { print $2; done = 1 }' <<<"$body"
}
# Reads numbers (one per line) on stdin; prints "median p90 min max n" (nearest rank).
stats() {
  sort -g | awk '
    { v[++n] = $1 }
    function rank(p,   i) { i = int(p * n); if (i < p * n) i++; if (i < 1) i = 1; return v[i] }
    END { if (n == 0) { print "nan nan nan nan 0"; exit }
          printf "%.9g %.9g %.9g %.9g %d\n", rank(0.5), rank(0.9), v[1], v[n], n }'
}
calc() { awk "BEGIN { printf \"%s\", $* }"; }

# ---------------------------------------------------------------------------
# The four processes (all on loopback):
#   D  BenchDaemon, default 1 s sampling           (idle CPU, RSS, scrapes)
#   F  BenchDaemon, FAST_INTERVAL sampling         (per-tick CPU; never scraped in between)
#   N  node_exporter, default collectors           (idle CPU, RSS, scrapes)
#   R  node_exporter, comparable collectors only   (idle CPU, RSS, scrapes)
# ---------------------------------------------------------------------------
declare -A PORT PID NAME START_US READY_US READY_CPU
PORT=([D]=$PORT_BASE [F]=$((PORT_BASE + 1)) [N]=$((PORT_BASE + 2)) [R]=$((PORT_BASE + 3)))
NAME=([D]="benchdaemon (1 s)" [F]="benchdaemon ($FAST_INTERVAL)" [N]="node_exporter (all default collectors)" [R]="node_exporter (comparable collectors)")
for k in D F N R; do port_free "${PORT[$k]}" || die "port ${PORT[$k]} is in use; set PORT_BASE"; done

start_daemon() { # key interval
  local key=$1 interval=$2
  mkdir -p "$TMP/state-$key"
  START_US[$key]=$(now_us)
  "$DAEMON_BIN" run --set "Metrics:Listen=127.0.0.1:${PORT[$key]}" --set "State:Directory=$TMP/state-$key" \
    --set Logs:Console=false --set Defaults:Canaries=false --set "Probes:Interval=$interval" >"$TMP/$key.log" 2>&1 &
  PID[$key]=$!
  STARTED_PIDS+=("$!")
}
start_node_exporter() { # key extra-args...
  local key=$1; shift
  START_US[$key]=$(now_us)
  "$NODE_EXPORTER" "--web.listen-address=127.0.0.1:${PORT[$key]}" "$@" >"$TMP/$key.log" 2>&1 &
  PID[$key]=$!
  STARTED_PIDS+=("$!")
}
wait_ready() { # key path: up to 60 s for the first 200 answer
  local key=$1 path=$2 i
  for ((i = 0; i < 600; i++)); do
    kill -0 "${PID[$key]}" 2>/dev/null || { cat "$TMP/$key.log" >&2; die "${NAME[$key]} exited during start-up"; }
    if curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:${PORT[$key]}$path"; then
      READY_US[$key]=$(now_us)
      READY_CPU[$key]=$(cpu_ticks "${PID[$key]}")
      return 0
    fi
    sleep 0.1
  done
  die "${NAME[$key]} did not answer ${PORT[$key]}$path within 60 s"
}

log "starting both daemons and both node_exporters"
start_daemon D 00:00:01
start_daemon F "$FAST_INTERVAL"
start_node_exporter N
start_node_exporter R "${COMPARABLE_COLLECTORS[@]}"
wait_ready D /healthz; wait_ready F /healthz; wait_ready N /metrics; wait_ready R /metrics

# ---------------------------------------------------------------------------
# Series and bytes per scrape (one uncompressed and one gzip scrape each).
# ---------------------------------------------------------------------------
declare -A SERIES BYTES_ID BYTES_GZ
for k in D N R; do
  curl -sf --max-time 30 -H 'Accept-Encoding: identity' "http://127.0.0.1:${PORT[$k]}/metrics" >"$TMP/$k.metrics"
  SERIES[$k]=$(awk 'NF && $1 !~ /^#/' "$TMP/$k.metrics" | wc -l)
  BYTES_ID[$k]=$(wc -c <"$TMP/$k.metrics")
  BYTES_GZ[$k]=$(curl -sf --max-time 30 -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download}' "http://127.0.0.1:${PORT[$k]}/metrics")
done

# ---------------------------------------------------------------------------
# Settle: warm-up scrapes (JIT of the scrape path), then wait out tiered compilation
# of the tick path. None of this is measured.
# ---------------------------------------------------------------------------
log "settling ${SETTLE_SECONDS} s with ${WARMUP_SCRAPES} warm-up scrapes per target"
SETTLE_END=$(($(now_us) + SETTLE_SECONDS * 1000000))
for k in D F N R; do
  for enc in gzip identity; do
    warm=()
    for ((i = 0; i < WARMUP_SCRAPES; i++)); do warm+=(-o /dev/null "http://127.0.0.1:${PORT[$k]}/metrics"); done
    ((WARMUP_SCRAPES == 0)) || curl -sf --max-time 30 -H "Accept-Encoding: $enc" "${warm[@]}"
  done
done
REMAIN_US=$((SETTLE_END - $(now_us)))
((REMAIN_US <= 0)) || sleep "$(calc "$REMAIN_US / 1e6")"
sleep 2 # let the last warm-up scrape's garbage collection and thread-pool activity pass

declare -A RSS_SETTLED RSS_AFTER
for k in D F N R; do RSS_SETTLED[$k]=$(rss_kib "${PID[$k]}"); done

# ---------------------------------------------------------------------------
# Quiet window: no requests to anyone. CPU of all four processes is read at the same
# instants, so the four are compared under the same machine noise.
# ---------------------------------------------------------------------------
TICKS_D0=$(metric_value "${PORT[D]}" benchdaemon_probe_samples_total)
TICKS_F0=$(metric_value "${PORT[F]}" benchdaemon_probe_samples_total)
sleep 1 # the scrape above is not part of the window
WIN_S=$(calc "$IDLE_SECONDS / $IDLE_WINDOWS")
log "quiet window: ${IDLE_SECONDS} s in ${IDLE_WINDOWS} parts, no scrapes"
: >"$TMP/idle.txt"
snap() { # one line: time_us cpu_D cpu_F cpu_N cpu_R
  echo "$(now_us) $(cpu_ticks "${PID[D]}") $(cpu_ticks "${PID[F]}") $(cpu_ticks "${PID[N]}") $(cpu_ticks "${PID[R]}")"
}
snap >>"$TMP/idle.txt"
for ((w = 1; w <= IDLE_WINDOWS; w++)); do
  sleep "$WIN_S"
  snap >>"$TMP/idle.txt"
done
sleep 0.2
for k in D F N R; do kill -0 "${PID[$k]}" 2>/dev/null || die "${NAME[$k]} exited during the quiet window"; done
TICKS_D1=$(metric_value "${PORT[D]}" benchdaemon_probe_samples_total)
TICKS_F1=$(metric_value "${PORT[F]}" benchdaemon_probe_samples_total)

FAST_S=$(awk -v t="$FAST_INTERVAL" 'BEGIN { split(t, a, ":"); printf "%.9g", a[1] * 3600 + a[2] * 60 + a[3] }')
# Per window: idle % of one core for D F N R, and marginal CPU per tick (F - D) in us,
# with the tick counts of a window taken as window length / interval.
awk -v hz="$CLK_TCK" -v fast="$FAST_S" '
  NR > 1 { dt = ($1 - t) / 1e6
           printf "%.6f %.6f %.6f %.6f %.3f\n", 100 * ($2 - d) / hz / dt, 100 * ($3 - f) / hz / dt,
             100 * ($4 - n) / hz / dt, 100 * ($5 - r) / hz / dt,
             1e6 * (($3 - f) - ($2 - d)) / hz / (dt / fast - dt / 1) }
  { t = $1; d = $2; f = $3; n = $4; r = $5 }' "$TMP/idle.txt" >"$TMP/idle-windows.txt"
read -r IDLE_T0 IDLE_D0 IDLE_F0 IDLE_N0 IDLE_R0 < <(head -n1 "$TMP/idle.txt")
read -r IDLE_T1 IDLE_D1 IDLE_F1 IDLE_N1 IDLE_R1 < <(tail -n1 "$TMP/idle.txt")
IDLE_DT=$(calc "($IDLE_T1 - $IDLE_T0) / 1e6")
declare -A IDLE_PCT IDLE_SPREAD
IDLE_PCT[D]=$(calc "100 * ($IDLE_D1 - $IDLE_D0) / $CLK_TCK / $IDLE_DT")
IDLE_PCT[F]=$(calc "100 * ($IDLE_F1 - $IDLE_F0) / $CLK_TCK / $IDLE_DT")
IDLE_PCT[N]=$(calc "100 * ($IDLE_N1 - $IDLE_N0) / $CLK_TCK / $IDLE_DT")
IDLE_PCT[R]=$(calc "100 * ($IDLE_R1 - $IDLE_R0) / $CLK_TCK / $IDLE_DT")
col=1
for k in D F N R; do
  IDLE_SPREAD[$k]=$(awk -v c=$col '{ print $c }' "$TMP/idle-windows.txt" | stats | awk '{ printf "%.3f–%.3f", $3, $4 }')
  col=$((col + 1))
done
EXTRA_TICKS=$(((TICKS_F1 - TICKS_F0) - (TICKS_D1 - TICKS_D0)))
TICK_US=$(calc "1e6 * (($IDLE_F1 - $IDLE_F0) - ($IDLE_D1 - $IDLE_D0)) / $CLK_TCK / $EXTRA_TICKS")
TICK_SPREAD=$(awk '{ print $5 }' "$TMP/idle-windows.txt" | stats | awk '{ printf "%.0f–%.0f", $3, $4 }')
# Ratio of idle CPU, daemon / node_exporter, per window (undefined where node_exporter used 0 ticks).
declare -A IDLE_TICKS
IDLE_TICKS=([D]=$((IDLE_D1 - IDLE_D0)) [F]=$((IDLE_F1 - IDLE_F0)) [N]=$((IDLE_N1 - IDLE_N0)) [R]=$((IDLE_R1 - IDLE_R0)))
idle_ratio() { # daemon / node_exporter KEY; meaningless below 10 clock ticks of node_exporter
  if ((IDLE_TICKS[$1] >= 10)); then
    calc "${IDLE_PCT[D]} / ${IDLE_PCT[$1]}" | awk '{ printf "%.2f", $1 }'
  else
    printf 'n/a (node_exporter: %d clock tick(s) in %s s)' "${IDLE_TICKS[$1]}" "$IDLE_SECONDS"
  fi
}

# ---------------------------------------------------------------------------
# Scrapes: ROUNDS rounds; in each, every target gets BATCH scrapes per encoding over one
# keep-alive connection (one curl process, like a Prometheus server's connection reuse).
# Order alternates per round (D N R gzip identity, then R N D identity gzip, ...), so
# drifts in machine load hit every target alike. CPU per scrape of a batch is the
# process's CPU delta minus its idle rate over the batch's wall time, over BATCH.
# ---------------------------------------------------------------------------
log "scrapes: ${ROUNDS} rounds x ${BATCH} per target and encoding"
declare -A IDLE_RATE # CPU seconds per second at idle
for k in D N R; do IDLE_RATE[$k]=$(calc "${IDLE_PCT[$k]} / 100"); done
: >"$TMP/batches.txt"
batch() { # round key encoding
  local r=$1 k=$2 enc=$3 url="http://127.0.0.1:${PORT[$2]}/metrics" args=() i c0 c1 t0 t1
  for ((i = 0; i < BATCH; i++)); do args+=(-o /dev/null "$url"); done
  c0=$(cpu_ticks "${PID[$k]}"); t0=$(now_us)
  curl -sS --max-time 30 -H "Accept-Encoding: $enc" \
    -w "$r %{http_code} %{time_total} %{size_download} %{num_connects}\n" "${args[@]}" >>"$TMP/lat-$k-$enc.txt"
  t1=$(now_us); c1=$(cpu_ticks "${PID[$k]}")
  echo "$r $k $enc $t0 $t1 $c0 $c1" >>"$TMP/batches.txt"
}
for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2)); then order=(D N R); encs=(gzip identity); else order=(R N D); encs=(identity gzip); fi
  for k in "${order[@]}"; do for enc in "${encs[@]}"; do batch "$r" "$k" "$enc"; done; done
done
for k in D F N R; do RSS_AFTER[$k]=$(rss_kib "${PID[$k]}"); done

bad=$(cat "$TMP"/lat-*.txt | awk '$2 != 200' | wc -l)
((bad == 0)) || die "$bad scrapes did not answer 200"

# Per batch: round key enc cpu_ms_per_scrape median_latency_ms
while read -r r k enc t0 t1 c0 c1; do
  cpu=$(calc "1000 * ((($c1 - $c0) / $CLK_TCK) - ${IDLE_RATE[$k]} * ($t1 - $t0) / 1e6) / $BATCH")
  med=$(awk -v r="$r" '$1 == r { print 1000 * $3 }' "$TMP/lat-$k-$enc.txt" | stats | awk '{ print $1 }')
  echo "$r $k $enc $cpu $med"
done <"$TMP/batches.txt" >"$TMP/per-batch.txt"

declare -A LAT_MED LAT_P90 CPU_TOTAL CPU_SPREAD WIRE CONNS
for k in D N R; do
  for enc in gzip identity; do
    read -r LAT_MED[$k$enc] LAT_P90[$k$enc] _ _ _ < <(awk '{ print 1000 * $3 }' "$TMP/lat-$k-$enc.txt" | stats)
    WIRE[$k$enc]=$(awk '{ s += $4 } END { printf "%.0f", s / NR }' "$TMP/lat-$k-$enc.txt")
    CONNS[$k$enc]=$(awk '{ s += $5 } END { print s }' "$TMP/lat-$k-$enc.txt")
    CPU_TOTAL[$k$enc]=$(awk -v k="$k" -v e="$enc" -v hz="$CLK_TCK" -v rate="${IDLE_RATE[$k]}" -v b="$BATCH" '
      $2 == k && $3 == e { cpu += ($7 - $6) / hz; wall += ($5 - $4) / 1e6; n += b }
      END { printf "%.4f", 1000 * (cpu - rate * wall) / n }' "$TMP/batches.txt")
    CPU_SPREAD[$k$enc]=$(awk -v k="$k" -v e="$enc" '$2 == k && $3 == e { print $4 }' "$TMP/per-batch.txt" | stats | awk '{ printf "%.3f–%.3f", $3, $4 }')
  done
done
# Ratio daemon / node_exporter: total figure, and min–max of the per-round ratios.
ratio() { # column(4=cpu,5=latency) enc ne-key overall-daemon overall-ne
  local col=$1 enc=$2 ne=$3 spread
  spread=$(awk -v c="$col" -v e="$enc" -v ne="$ne" '
      $3 == e && $2 == "D" { d[$1] = $c } $3 == e && $2 == ne { n[$1] = $c }
      END { for (r in d) if (n[r] > 0) print d[r] / n[r] }' "$TMP/per-batch.txt" | stats | awk '{ printf "%.2f–%.2f", $3, $4 }')
  awk -v d="$4" -v n="$5" -v s="$spread" 'BEGIN { if (n > 0) printf "%.2f (rounds %s)", d / n, s; else printf "n/a" }'
}
# Goal cell: "ratio (rounds a–b): met|missed", noting when the rounds straddle 1.
goal() { # column enc ne-key overall-daemon overall-ne
  local text
  text=$(ratio "$@")
  awk -v d="$4" -v n="$5" -v t="$text" 'BEGIN {
    split(t, a, /[( –)]+/); lo = a[3] + 0; hi = a[4] + 0
    v = (d <= n) ? "**met**" : "**missed**"
    if (lo <= 1 && hi > 1) v = v " (rounds straddle 1)"
    printf "%s: %s", t, v }'
}

# ---------------------------------------------------------------------------
# Wall time per tick, as the daemon reports it.
# ---------------------------------------------------------------------------
log "reading benchdaemon_probe_duration_seconds ${PROBE_SAMPLES} times"
: >"$TMP/probe-D.txt"; : >"$TMP/probe-F.txt"
for ((i = 0; i < PROBE_SAMPLES; i++)); do
  metric_value "${PORT[D]}" benchdaemon_probe_duration_seconds >>"$TMP/probe-D.txt"
  metric_value "${PORT[F]}" benchdaemon_probe_duration_seconds >>"$TMP/probe-F.txt"
  sleep 1.05
done
read -r PROBE_D_MED _ PROBE_D_MIN PROBE_D_MAX _ < <(awk '{ print 1e6 * $1 }' "$TMP/probe-D.txt" | stats)
read -r PROBE_F_MED _ PROBE_F_MIN PROBE_F_MAX _ < <(awk '{ print 1e6 * $1 }' "$TMP/probe-F.txt" | stats)

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
STAMP=$(date -u +%Y-%m-%dT%H:%MZ)
DAY=$(date -u +%Y-%m-%d)
CPU_MODEL=$(awk -F': *' '$1 ~ /^model name/ { print $2; exit }' /proc/cpuinfo)
mib() { calc "$1 / 1024" | awk '{ printf "%.1f", $1 }'; }
f2() { awk -v x="$1" 'BEGIN { printf "%.2f", x }'; }
f3() { awk -v x="$1" 'BEGIN { printf "%.3f", x }'; }
startup() { # seconds to first answer / CPU seconds until then
  awk -v a="${START_US[$1]}" -v b="${READY_US[$1]}" -v c="${READY_CPU[$1]}" -v hz="$CLK_TCK" \
    'BEGIN { printf "%.1f s / %.2f s CPU", (b - a) / 1e6, c / hz }'
}
verdict() { # value limit: "met" when value <= limit
  awk -v v="$1" -v l="$2" 'BEGIN { print (v <= l) ? "**met**" : "**missed**" }'
}
verdict_below() { # value limit: "met" when value < limit
  awk -v v="$1" -v l="$2" 'BEGIN { print (v < l) ? "**met**" : "**missed**" }'
}

report() {
  cat <<EOF
# Host overhead: BenchDaemon vs prometheus-node-exporter (issue F1)

Run $STAMP on $(nproc) CPUs ($CPU_MODEL), kernel $(uname -r), .NET runtime $DOTNET_VERSION,
node_exporter $NE_VERSION (Debian). CLK_TCK $CLK_TCK, so process CPU has a resolution of $((1000 / CLK_TCK)) ms.
Parameters: settle ${SETTLE_SECONDS} s + ${WARMUP_SCRAPES} warm-up scrapes per target and encoding (not measured);
quiet window ${IDLE_SECONDS} s in ${IDLE_WINDOWS} parts; ${SCRAPES} scrapes per target and encoding in
${ROUNDS} interleaved rounds of ${BATCH} (keep-alive); per-tick daemon at $FAST_INTERVAL.
Spreads in brackets are min–max over the quiet-window parts or over the scrape rounds.

## Idle (no scrapes), RSS, start-up

| | ${NAME[D]} | ${NAME[F]} | ${NAME[N]} | ${NAME[R]} |
|---|---|---|---|---|
| idle CPU, % of one core | $(f3 "${IDLE_PCT[D]}") [${IDLE_SPREAD[D]}] | $(f3 "${IDLE_PCT[F]}") [${IDLE_SPREAD[F]}] | $(f3 "${IDLE_PCT[N]}") [${IDLE_SPREAD[N]}] | $(f3 "${IDLE_PCT[R]}") [${IDLE_SPREAD[R]}] |
| RSS after settling, MiB | $(mib "${RSS_SETTLED[D]}") | $(mib "${RSS_SETTLED[F]}") | $(mib "${RSS_SETTLED[N]}") | $(mib "${RSS_SETTLED[R]}") |
| RSS after all scrapes, MiB | $(mib "${RSS_AFTER[D]}") | $(mib "${RSS_AFTER[F]}") (not scraped) | $(mib "${RSS_AFTER[N]}") | $(mib "${RSS_AFTER[R]}") |
| start-up: to first answer / CPU used | $(startup D) | $(startup F) | $(startup N) | $(startup R) |

## Per probe tick (daemon)

| | value |
|---|---|
| CPU per tick: (CPU at $FAST_INTERVAL − CPU at 1 s) / extra ticks ($EXTRA_TICKS) | $(calc "$TICK_US" | awk '{ printf "%.0f", $1 }') µs [${TICK_SPREAD}] |
| wall time per tick, median benchdaemon_probe_duration_seconds, 1 s daemon (n=$PROBE_SAMPLES) | $(awk -v x="$PROBE_D_MED" 'BEGIN { printf "%.0f", x }') µs [$(awk -v a="$PROBE_D_MIN" -v b="$PROBE_D_MAX" 'BEGIN { printf "%.0f–%.0f", a, b }')] |
| wall time per tick, median benchdaemon_probe_duration_seconds, $FAST_INTERVAL daemon (n=$PROBE_SAMPLES) | $(awk -v x="$PROBE_F_MED" 'BEGIN { printf "%.0f", x }') µs [$(awk -v a="$PROBE_F_MIN" -v b="$PROBE_F_MAX" 'BEGIN { printf "%.0f–%.0f", a, b }')] |
| ticks alone at 1 s, % of one core (CPU per tick × 1/s) | $(calc "$TICK_US / 1e4" | awk '{ printf "%.3f", $1 }') |

## Per /metrics scrape

| target | Accept-Encoding | series | bytes on the wire | latency median, ms | latency p90, ms | CPU per scrape, ms [rounds] |
|---|---|---|---|---|---|---|
EOF
  for k in D N R; do
    for enc in gzip identity; do
      printf '| %s | %s | %s | %s | %s | %s | %s [%s] |\n' "${NAME[$k]}" "$enc" "${SERIES[$k]}" "${WIRE[$k$enc]}" \
        "$(f2 "${LAT_MED[$k$enc]}")" "$(f2 "${LAT_P90[$k$enc]}")" "$(f3 "${CPU_TOTAL[$k$enc]}")" "${CPU_SPREAD[$k$enc]}"
    done
  done
  cat <<EOF

Uncompressed exposition: benchdaemon ${BYTES_ID[D]} B / ${SERIES[D]} series; node_exporter (default) ${BYTES_ID[N]} B / ${SERIES[N]} series;
node_exporter (comparable) ${BYTES_ID[R]} B / ${SERIES[R]} series. New TCP connections over all measured scrapes:
$(for k in D N R; do printf '%s %s' "${NAME[$k]}" "$((CONNS[${k}gzip] + CONNS[${k}identity]))"; [[ $k == R ]] && echo . || printf '; '; done)

## Ratios, benchdaemon / node_exporter (below 1: the daemon is cheaper)

| | vs all default collectors | vs comparable collectors |
|---|---|---|
| CPU per scrape, gzip | $(ratio 4 gzip N "${CPU_TOTAL[Dgzip]}" "${CPU_TOTAL[Ngzip]}") | $(ratio 4 gzip R "${CPU_TOTAL[Dgzip]}" "${CPU_TOTAL[Rgzip]}") |
| CPU per scrape, identity | $(ratio 4 identity N "${CPU_TOTAL[Didentity]}" "${CPU_TOTAL[Nidentity]}") | $(ratio 4 identity R "${CPU_TOTAL[Didentity]}" "${CPU_TOTAL[Ridentity]}") |
| median latency, gzip | $(ratio 5 gzip N "${LAT_MED[Dgzip]}" "${LAT_MED[Ngzip]}") | $(ratio 5 gzip R "${LAT_MED[Dgzip]}" "${LAT_MED[Rgzip]}") |
| median latency, identity | $(ratio 5 identity N "${LAT_MED[Didentity]}" "${LAT_MED[Nidentity]}") | $(ratio 5 identity R "${LAT_MED[Didentity]}" "${LAT_MED[Ridentity]}") |
| p90 latency, gzip | $(awk -v d="${LAT_P90[Dgzip]}" -v n="${LAT_P90[Ngzip]}" 'BEGIN { printf "%.2f", d / n }') | $(awk -v d="${LAT_P90[Dgzip]}" -v n="${LAT_P90[Rgzip]}" 'BEGIN { printf "%.2f", d / n }') |
| idle CPU | $(idle_ratio N) | $(idle_ratio R) |
| RSS after settling | $(awk -v d="${RSS_SETTLED[D]}" -v n="${RSS_SETTLED[N]}" 'BEGIN { printf "%.2f", d / n }') | $(awk -v d="${RSS_SETTLED[D]}" -v n="${RSS_SETTLED[R]}" 'BEGIN { printf "%.2f", d / n }') |

## Goals (F1)

Per-scrape goals use the gzip scrapes (what a Prometheus server sends); ratio = benchdaemon / node_exporter.

| goal | vs all default collectors | vs comparable collectors |
|---|---|---|
| CPU per scrape no worse | $(goal 4 gzip N "${CPU_TOTAL[Dgzip]}" "${CPU_TOTAL[Ngzip]}") | $(goal 4 gzip R "${CPU_TOTAL[Dgzip]}" "${CPU_TOTAL[Rgzip]}") |
| median scrape latency no worse | $(goal 5 gzip N "${LAT_MED[Dgzip]}" "${LAT_MED[Ngzip]}") | $(goal 5 gzip R "${LAT_MED[Dgzip]}" "${LAT_MED[Rgzip]}") |
| p90 scrape latency no worse | $(awk -v d="${LAT_P90[Dgzip]}" -v n="${LAT_P90[Ngzip]}" 'BEGIN { printf "%.2f: %s", d / n, (d <= n) ? "**met**" : "**missed**" }') | $(awk -v d="${LAT_P90[Dgzip]}" -v n="${LAT_P90[Rgzip]}" 'BEGIN { printf "%.2f: %s", d / n, (d <= n) ? "**met**" : "**missed**" }') |

| goal | measured | verdict |
|---|---|---|
| idle CPU at 1 s sampling < 0.5 % of one core | $(f3 "${IDLE_PCT[D]}") % [${IDLE_SPREAD[D]}] | $(verdict_below "${IDLE_PCT[D]}" 0.5) |
EOF
}

mkdir -p "$RESULTS_DIR"
OUT_FILE=$RESULTS_DIR/host-overhead-$DAY.md
report | tee "$OUT_FILE"
log "written to ${OUT_FILE#"$REPO_ROOT"/}"
