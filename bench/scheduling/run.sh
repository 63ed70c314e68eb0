#!/usr/bin/env bash
# Scheduling and scrape load (issue F5). See bench/scheduling/README.md for what is measured
# and how to read it.
#
# Usage: bench/scheduling/run.sh        (from anywhere; the repository is found relative to this
#                                        script). Markdown goes to stdout and to
#                                        $RESULTS_DIR/scheduling-<UTC date>.md, progress to stderr.
# Three parts, each on its own daemon started from a Release publish:
#   scrape  20 canaries x batch sizes [1,2] that ran once, /metrics under 50 concurrent scrapers
#   jitter  a few canaries at 1-2 s intervals until 1000 firings: start minus planned start
#   soak    5 canaries at 2 s for 10 minutes: runs by status, log errors/warnings, RSS and fds
# Tunables (environment; defaults give about 20 minutes on 2 cores):
#   PARTS="scrape jitter soak"  which parts to run
#   SCRAPE_CANARIES=20      canaries of the scrape part (batch sizes [1,2] each)
#   CONNECTIONS=50          concurrent scrapers
#   ROUNDS=3                rounds of the scrape part; each runs the three load shapes below,
#                           in an order that rotates from round to round
#   CLOSED_SECONDS=20       closed loop: CONNECTIONS connections, next scrape as soon as answered
#   PACED_SECONDS=30        paced: CONNECTIONS scrapers, each waiting 0.5-1.5 x PACE_MS between scrapes
#   PACE_MS=5000
#   SINGLE_SECONDS=10       one connection, closed loop (latency without queueing behind other scrapers)
#   WARMUP_SECONDS=10       unmeasured scrapes (JIT tiering) before the first round
#   CEILING=1               also serve the captured body from memory (CachedBody/) to CONNECTIONS
#                           closed-loop connections, gzip-compressed and not, in the same rounds
#   CEILING_SECONDS=10
#   PROFILE=auto            1: perf profile of the daemon under the paced load (needs perf; the
#                           scrape daemon then runs with DOTNET_PerfMapEnabled=1); 0: none;
#                           auto: 1 if perf is installed
#   PROFILE_SECONDS=30
#   JITTER_INTERVALS="1 1 1 2 2 2"   one canary per entry, its interval in seconds
#   JITTER_RUNS=1000        firings to collect after the settle time
#   JITTER_SETTLE=10        seconds after start-up whose firings are reported apart
#   JITTER_MAX_SECONDS=600  stop collecting after this long even if JITTER_RUNS is not reached
#   JITTER_WINDOWS=4        time slices the jitter quantiles are also given for (spread)
#   SOAK_SECONDS=600        soak duration
#   SOAK_CANARIES=5
#   SOAK_INTERVAL=2         seconds between firings of each soak canary
#   SOAK_SAMPLE_SECONDS=60  RSS, fd and scrape samples during the soak
#   MODEL=resnet-mini       built-in model every canary runs (benchdaemon models export)
#   PORT_BASE=19540         four consecutive loopback ports
#   BENCHDAEMON_DIR=        reuse an existing publish output instead of publishing
#   RESULTS_DIR=bench/scheduling/results
#   KEEP_TMP=0              1 keeps the scratch directory (configs, daemon logs, raw scrapes)
set -euo pipefail
export LC_ALL=C

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd)

PARTS=${PARTS:-scrape jitter soak}
SCRAPE_CANARIES=${SCRAPE_CANARIES:-20}
CONNECTIONS=${CONNECTIONS:-50}
ROUNDS=${ROUNDS:-3}
CLOSED_SECONDS=${CLOSED_SECONDS:-20}
PACED_SECONDS=${PACED_SECONDS:-30}
PACE_MS=${PACE_MS:-5000}
SINGLE_SECONDS=${SINGLE_SECONDS:-10}
WARMUP_SECONDS=${WARMUP_SECONDS:-10}
CEILING=${CEILING:-1}
CEILING_SECONDS=${CEILING_SECONDS:-10}
PROFILE=${PROFILE:-auto}
PROFILE_SECONDS=${PROFILE_SECONDS:-30}
JITTER_INTERVALS=${JITTER_INTERVALS:-1 1 1 2 2 2}
JITTER_RUNS=${JITTER_RUNS:-1000}
JITTER_SETTLE=${JITTER_SETTLE:-10}
JITTER_MAX_SECONDS=${JITTER_MAX_SECONDS:-600}
JITTER_WINDOWS=${JITTER_WINDOWS:-4}
SOAK_SECONDS=${SOAK_SECONDS:-600}
SOAK_CANARIES=${SOAK_CANARIES:-5}
SOAK_INTERVAL=${SOAK_INTERVAL:-2}
SOAK_SAMPLE_SECONDS=${SOAK_SAMPLE_SECONDS:-60}
MODEL=${MODEL:-resnet-mini}
PORT_BASE=${PORT_BASE:-19540}
BENCHDAEMON_DIR=${BENCHDAEMON_DIR:-}
RESULTS_DIR=${RESULTS_DIR:-$SCRIPT_DIR/results}
KEEP_TMP=${KEEP_TMP:-0}

log() { printf '[scheduling-bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

for v in SCRAPE_CANARIES CONNECTIONS ROUNDS CLOSED_SECONDS PACED_SECONDS PACE_MS SINGLE_SECONDS WARMUP_SECONDS \
  CEILING_SECONDS PROFILE_SECONDS JITTER_RUNS JITTER_SETTLE JITTER_MAX_SECONDS JITTER_WINDOWS SOAK_SECONDS SOAK_CANARIES \
  SOAK_INTERVAL SOAK_SAMPLE_SECONDS PORT_BASE; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer (got '${!v}')"
done
for i in $JITTER_INTERVALS; do
  [[ $i =~ ^[1-9][0-9]*$ ]] || die "JITTER_INTERVALS holds whole seconds (got '$i')"
done
[[ $CEILING == 0 || $CEILING == 1 ]] || die "CEILING is 0 or 1 (got '$CEILING')"
(( SCRAPE_CANARIES <= 99 && SOAK_CANARIES <= 99 )) || die "at most 99 canaries per part"
for part in $PARTS; do
  [[ $part == scrape || $part == jitter || $part == soak ]] || die "unknown part '$part' (scrape, jitter, soak)"
done

# wrk (Debian package) drives the scrape load; jq reads the daemon's CLEF log.
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v jq >/dev/null || missing+=(jq)
if (( ${#missing[@]} > 0 )); then
  log "installing ${missing[*]} (apt-get)"
  sudo_cmd=()
  (( EUID == 0 )) || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get install -y "${missing[@]}" >/dev/null 2>&1 \
    || { "${sudo_cmd[@]}" apt-get update >/dev/null 2>&1 && "${sudo_cmd[@]}" apt-get install -y "${missing[@]}" >/dev/null 2>&1; } \
    || die "could not install ${missing[*]}"
fi
for tool in dotnet curl awk wrk jq; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
if [[ $PROFILE == auto ]]; then
  if command -v perf >/dev/null; then PROFILE=1; else PROFILE=0; fi
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/scheduling-bench.XXXXXX")
PIDS=()          # every process started here, stopped by the EXIT trap
declare -A DAEMON_NAMES DAEMON_PIDS_BY_PORT
DAEMON_PIDS=()   # their perf maps (/tmp/perf-PID.map) are removed too

stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for (( i = 0; i < 100; i++ )); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  for pid in "${DAEMON_PIDS[@]}"; do rm -f "/tmp/perf-$pid.map"; done
  if [[ $KEEP_TMP == 1 ]]; then log "kept $TMP"; else rm -rf -- "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# What the daemon is built from, taken before the build: others may be editing src/.
# shellcheck source=bench/lib/daemon.sh
source "$REPO_ROOT/bench/lib/daemon.sh"
source_note=$(source_note "$REPO_ROOT" "$BENCHDAEMON_DIR")
# ---------------------------------------------------------------------------------------------
# Build and model
# ---------------------------------------------------------------------------------------------
publish_daemon "$REPO_ROOT" "$TMP" "$BENCHDAEMON_DIR"
if [[ $CEILING == 1 && $PARTS == *scrape* ]]; then
  log "publishing bench/scheduling/CachedBody (Release)"
  dotnet publish "$SCRIPT_DIR/CachedBody" -c Release -o "$TMP/cached-body" --artifacts-path "$TMP/artifacts" \
    -nologo -v:q >"$TMP/publish-cached.log" 2>&1 || { cat "$TMP/publish-cached.log" >&2; die "dotnet publish CachedBody failed"; }
fi

MODEL_FILE=$TMP/$MODEL.onnx
"$BD" models export "$MODEL" --precision fp32 -o "$MODEL_FILE" --set "State:Directory=$TMP/model-state" \
  --set Logs:Console=false >"$TMP/model.log" 2>&1 \
  || { cat "$TMP/model.log" >&2; die "benchdaemon models export $MODEL failed"; }

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

# canary_json NAME INTERVAL(hh:mm:ss) BATCHES MEASURE_JSON
canary_json() {
  printf '{"Name":"%s","Model":"%s","Interval":"%s","Threads":1,"BatchSizes":[%s],"Measure":%s}' "$1" "$MODEL_FILE" "$2" "$3" "$4"
}
# write_config FILE QUEUE_LENGTH CANARY_JSON...
write_config() {
  local file=$1 queue=$2 IFS=,
  shift 2
  # CPU-busy and duty guards off: this VM is always busy, and the parts want every firing to run.
  printf '{"Guards":{"DutyFraction":1,"CpuBusyThreshold":1,"QueueLength":%d},"Canaries":[%s]}\n' "$queue" "$*" >"$file"
}
hms() { printf '%02d:%02d:%02d' $(( $1 / 3600 )) $(( $1 % 3600 / 60 )) $(( $1 % 60 )); }

# start_daemon NAME CONFIG PORT [VAR=VALUE...]: sets DAEMON_PID once /metrics answers.
start_daemon() {
  local name=$1 config=$2 port=$3 i
  shift 3
  if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/"; then
    die "something already answers on 127.0.0.1:$port (set PORT_BASE)"
  fi
  mkdir -p "$TMP/$name"
  env "$@" "$BD" run --config "$config" --set "Metrics:Listen=127.0.0.1:$port" \
    --set "State:Directory=$TMP/$name/state" --set Logs:Console=false >"$TMP/$name/stdout" 2>&1 &
  DAEMON_PID=$!
  PIDS+=("$DAEMON_PID")
  DAEMON_PIDS+=("$DAEMON_PID")
  DAEMON_NAMES[$port]=$name
  DAEMON_PIDS_BY_PORT[$port]=$DAEMON_PID
  for (( i = 0; i < 600; i++ )); do
    kill -0 "$DAEMON_PID" 2>/dev/null || { cat "$TMP/$name/stdout" >&2; die "daemon $name exited during start-up"; }
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/metrics" || true) == 200 ]] && return 0
    sleep 0.1
  done
  die "daemon $name did not answer on 127.0.0.1:$port within 60 s"
}

# scrape PORT FILE: /metrics of the daemon on PORT into FILE; on failure, what the daemon said.
scrape() {
  local code rc=0 name=${DAEMON_NAMES[$1]:-}
  code=$(curl -s --max-time 30 -o "$2" -w '%{http_code}' "http://127.0.0.1:$1/metrics") || rc=$?
  [[ $rc == 0 && $code == 200 ]] && return 0
  log "scrape of 127.0.0.1:$1 failed: curl exit $rc, HTTP ${code:-none}"
  if [[ -n $name ]]; then
    kill -0 "${DAEMON_PIDS_BY_PORT[$1]}" 2>/dev/null && log "daemon $name is still running" || log "daemon $name has exited"
    [[ $code == 000 || ! -s $2 ]] || { log "response body:"; head -c 2000 "$2" >&2; echo >&2; }
    log "daemon $name stdout (last 20 lines):"; tail -20 "$TMP/$name/stdout" >&2 || true
    log "daemon $name errors and warnings in its log:"
    cat "$TMP/$name/state/logs/"*.clef 2>/dev/null | jq -c 'select(."@l" != null)' 2>/dev/null | tail -10 >&2 || true
  fi
  die "scrape of 127.0.0.1:$1 failed"
}

# msum FILE METRIC [AWK_REGEX on the whole line]: sum of the samples of METRIC.
msum() {
  awk -v m="$2" -v f="${3:-}" '
    index($0, m "{") == 1 || index($0, m " ") == 1 { if (f == "" || $0 ~ f) { s += $NF; n++ } }
    END { if (n) printf "%.6f\n", s; else print "nan" }' "$1"
}

# hist_agg FILE BASENAME: one line "count=N sum=S le=cumulative ..." summed over all series.
hist_agg() {
  awk -v b="$2" '
    index($0, b "_bucket{") == 1 {
      match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5)
      if (!(le in c)) { les[++n] = le }
      c[le] += $NF
    }
    index($0, b "_count") == 1 { count += $NF }
    index($0, b "_sum") == 1 { sum += $NF }
    END {
      # bucket bounds in numeric order, +Inf last
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) {
        a = les[i] == "+Inf" ? 1e300 : les[i] + 0; z = les[j] == "+Inf" ? 1e300 : les[j] + 0
        if (z < a) { t = les[i]; les[i] = les[j]; les[j] = t }
      }
      printf "count=%d sum=%.9f", count, sum
      for (i = 1; i <= n; i++) printf " %s=%d", les[i], c[les[i]]
      printf "\n"
    }' "$1"
}

# hist_delta AFTER BEFORE: the difference of two hist_agg lines (same bounds).
hist_delta() {
  awk -v a="$1" -v b="$2" 'BEGIN {
    na = split(a, x, " "); split(b, y, " ")
    for (i = 1; i <= na; i++) {
      split(x[i], p, "="); split(y[i], q, "=")
      printf "%s%s=%s", (i > 1 ? " " : ""), p[1], (p[1] == "sum" ? sprintf("%.9f", p[2] - q[2]) : p[2] - q[2])
    }
    printf "\n" }'
}

# hist_stat AGG WHAT: count | mean_ms | le_ms:B (share <= B ms, %) | q:P (quantile in ms, linear
# inside the bucket as PromQL histogram_quantile; ">LAST" when it falls in +Inf) | bucket:P
# (the bucket that quantile falls in).
hist_stat() {
  awk -v h="$1" -v what="$2" 'BEGIN {
    nf = split(h, x, " "); n = 0
    for (i = 1; i <= nf; i++) {
      split(x[i], p, "=")
      if (p[1] == "count") count = p[2]; else if (p[1] == "sum") sum = p[2]; else { le[++n] = p[1]; cum[n] = p[2] }
    }
    total = n ? cum[n] : 0
    split(what, w, ":")
    if (w[1] == "count") { print count; exit }
    if (total == 0) { print "n/a"; exit }
    if (w[1] == "mean_ms") { printf "%.2f\n", 1000 * sum / count; exit }
    if (w[1] == "le_ms") {
      for (i = 1; i <= n; i++) if (le[i] != "+Inf" && le[i] * 1000 == w[2] + 0) { printf "%.1f\n", 100 * cum[i] / total; exit }
      print "n/a"; exit
    }
    rank = w[2] / 100 * total; prev = 0; lo = 0
    for (i = 1; i <= n; i++) {
      if (cum[i] >= rank) {
        if (w[1] == "bucket") { printf "%g-%g ms\n", lo * 1000, (le[i] == "+Inf" ? "inf" : le[i] * 1000); exit }
        if (le[i] == "+Inf") { printf ">%g\n", lo * 1000; exit }
        v = cum[i] > prev ? lo + (le[i] - lo) * (rank - prev) / (cum[i] - prev) : le[i]
        printf "%.2f\n", v * 1000; exit
      }
      prev = cum[i]; lo = le[i]
    } }'
}

CLK_TCK=$(getconf CLK_TCK)
# proc_cpu PID: utime + stime in seconds (proc(5); fields counted after the command name).
proc_cpu() { awk -v tck="$CLK_TCK" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / tck }' "/proc/$1/stat"; }
proc_rss_mib() { awk '/^VmRSS:/ { printf "%.1f\n", $2 / 1024 }' "/proc/$1/status"; }
proc_fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
proc_threads() { awk '/^Threads:/ { print $2 }' "/proc/$1/status"; }

# runs_by_status FILE: "status/reason: n" for every benchdaemon_canary_runs_total label pair.
runs_by_status() {
  awk 'index($0, "benchdaemon_canary_runs_total{") == 1 {
      match($0, /status="[^"]*"/); s = substr($0, RSTART + 8, RLENGTH - 9)
      match($0, /reason="[^"]*"/); r = substr($0, RSTART + 8, RLENGTH - 9)
      k = s (r == "" ? "" : " (" r ")"); n[k] += $NF }
    END { for (k in n) printf "%s: %d\n", k, n[k] }' "$1" | sort
}

# ---------------------------------------------------------------------------------------------
# Report header
# ---------------------------------------------------------------------------------------------
mkdir -p "$RESULTS_DIR"
REPORT=$RESULTS_DIR/scheduling-$(date -u +%F).md
# The report is copied to RESULTS_DIR only when every part has finished, so a run that stops
# early does not overwrite the last complete one.
exec 3>&1
exec > >(tee "$TMP/report.md")
TEE_PID=$!

cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
runtime=$(dotnet --list-runtimes 2>/dev/null | awk '/Microsoft.NETCore.App/ { v = $2 } END { print v }')
echo "# Scheduling and scrape load (F5)"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- machine: $(nproc) logical CPUs (${cpu_model:-unknown CPU}), kernel $(uname -r), load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- daemon built from: $source_note"
echo "- .NET runtime $runtime; $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); model $MODEL (FP32, CPU provider, 1 intra-op thread)"
echo "- command: bench/scheduling/run.sh (PARTS=\"$PARTS\" SCRAPE_CANARIES=$SCRAPE_CANARIES CONNECTIONS=$CONNECTIONS ROUNDS=$ROUNDS" \
  "CLOSED_SECONDS=$CLOSED_SECONDS PACED_SECONDS=$PACED_SECONDS PACE_MS=$PACE_MS SINGLE_SECONDS=$SINGLE_SECONDS PROFILE=$PROFILE" \
  "JITTER_INTERVALS=\"$JITTER_INTERVALS\" JITTER_RUNS=$JITTER_RUNS SOAK_SECONDS=$SOAK_SECONDS SOAK_CANARIES=$SOAK_CANARIES SOAK_INTERVAL=$SOAK_INTERVAL)"
echo "- GPU metrics do not exist in BenchDaemon yet: the \"8 fake GPUs\" part of F5 is not measured."
echo

# ---------------------------------------------------------------------------------------------
# Part 1: /metrics under concurrent scrapers
# ---------------------------------------------------------------------------------------------
part_scrape() {
  local port=$PORT_BASE dir=$TMP/scrape i canaries=() expected pid deadline
  mkdir -p "$dir"
  local measure='{"MinIterations":20,"MinDuration":"00:00:00.050","Budget":"00:00:10","WarmupMaxDuration":"00:00:00.200"}'
  # Hourly: every canary runs once right after start-up, then the daemon only serves scrapes.
  for (( i = 1; i <= SCRAPE_CANARIES; i++ )); do
    canaries+=("$(canary_json "$(printf 'c%02d' "$i")" 01:00:00 1,2 "$measure")")
  done
  # All canaries fire at the same instant at start-up: a queue for all of them, or the ones past
  # the default 8 are dropped (queue_full) and their series never appear.
  write_config "$dir/config.json" "$SCRAPE_CANARIES" "${canaries[@]}"
  local env=()
  if (( PROFILE == 1 )); then env=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0); fi
  log "scrape: starting the daemon with $SCRAPE_CANARIES canaries x batch sizes [1,2]"
  start_daemon scrape "$dir/config.json" "$port" "${env[@]}"
  pid=$DAEMON_PID
  expected=$(( SCRAPE_CANARIES * 2 ))
  deadline=$(( SECONDS + 300 ))
  local runs measured
  while :; do
    scrape "$port" "$dir/body.txt"
    runs=$(msum "$dir/body.txt" benchdaemon_canary_runs_total)
    if [[ $runs != nan ]] && (( ${runs%.*} >= expected )); then break; fi
    (( SECONDS < deadline )) || die "scrape: canaries did not all run within 300 s"
    sleep 2
  done
  measured=$(msum "$dir/body.txt" benchdaemon_canary_runs_total 'status="(ok|unstable)"')
  if [[ $measured == nan ]] || (( ${measured%.*} < expected )); then
    runs_by_status "$dir/body.txt" >&2
    die "scrape: only ${measured%.*} of $expected canary results measured; the label sets are incomplete"
  fi
  log "scrape: all $expected canary results are in"
  local url="http://127.0.0.1:$port/metrics"
  wrk -c4 -t1 -d"${WARMUP_SECONDS}s" -s "$SCRIPT_DIR/scrape.lua" "$url" >/dev/null 2>&1 || die "wrk warm-up failed"

  local series bytes families encoding
  scrape "$port" "$dir/body.txt"
  series=$(grep -vc '^#' "$dir/body.txt")
  bytes=$(wc -c <"$dir/body.txt")
  encoding=$(curl -s -o /dev/null -D - -H 'Accept-Encoding: gzip' "$url" | awk -F': ' 'tolower($1) == "content-encoding" { print $2 }' | tr -d '\r')
  local wire
  wire=$(curl -s -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: gzip' "$url")
  local startup_delays
  startup_delays=$(hist_agg "$dir/body.txt" benchdaemon_canary_start_delay_seconds)

  local shapes=(closed paced single) cached_pid="" cached_url="http://127.0.0.1:$(( PORT_BASE + 3 ))/metrics" gzipped=0 i
  if [[ $CEILING == 1 ]]; then
    "$TMP/cached-body/cached-body" "$dir/body.txt" $(( PORT_BASE + 3 )) >"$dir/cached-body.log" 2>&1 &
    cached_pid=$!
    PIDS+=("$cached_pid")
    for (( i = 0; i < 300; i++ )); do
      [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$cached_url" || true) == 200 ]] && break
      kill -0 "$cached_pid" 2>/dev/null || { cat "$dir/cached-body.log" >&2; die "cached-body exited"; }
      sleep 0.1
    done
    gzipped=$(curl -s -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: gzip' "$cached_url")
    wrk -c4 -t1 -d"${WARMUP_SECONDS}s" -s "$SCRIPT_DIR/scrape.lua" "$cached_url" >/dev/null 2>&1 || die "wrk warm-up failed"
    wrk -c4 -t1 -d"${WARMUP_SECONDS}s" "$cached_url/plain" >/dev/null 2>&1 || die "wrk warm-up failed"
    shapes+=(cached_gzip cached_plain)
  fi

  # Rounds: every shape once per round, in an order that rotates, so drifts in machine load hit
  # each alike.
  local nshapes=${#shapes[@]} r k shape line cpu0 cpu1
  : >"$dir/runs.txt"
  for (( r = 0; r < ROUNDS; r++ )); do
    for (( k = 0; k < nshapes; k++ )); do
      shape=${shapes[$(( (r + k) % nshapes ))]}
      log "scrape: round $(( r + 1 ))/$ROUNDS, $shape"
      if [[ $shape == cached_* ]]; then cpu0=$(proc_cpu "$cached_pid")
      else scrape "$port" "$dir/cpu.txt"; cpu0=$(msum "$dir/cpu.txt" process_cpu_seconds_total); fi
      case $shape in
        closed) line=$(PACE_MS=0 wrk -c"$CONNECTIONS" -t2 -d"${CLOSED_SECONDS}s" --timeout 30s -s "$SCRIPT_DIR/scrape.lua" "$url" | grep '^RESULT') ;;
        paced) line=$(PACE_MS=$PACE_MS wrk -c"$CONNECTIONS" -t2 -d"${PACED_SECONDS}s" --timeout 30s -s "$SCRIPT_DIR/scrape.lua" "$url" | grep '^RESULT') ;;
        single) line=$(PACE_MS=0 wrk -c1 -t1 -d"${SINGLE_SECONDS}s" --timeout 30s -s "$SCRIPT_DIR/scrape.lua" "$url" | grep '^RESULT') ;;
        cached_gzip) line=$(PACE_MS=0 wrk -c"$CONNECTIONS" -t2 -d"${CEILING_SECONDS}s" --timeout 30s -s "$SCRIPT_DIR/scrape.lua" "$cached_url" | grep '^RESULT') ;;
        cached_plain) line=$(PACE_MS=0 wrk -c"$CONNECTIONS" -t2 -d"${CEILING_SECONDS}s" --timeout 30s -s "$SCRIPT_DIR/scrape.lua" "$cached_url/plain" | grep '^RESULT') ;;
      esac
      if [[ $shape == cached_* ]]; then cpu1=$(proc_cpu "$cached_pid")
      else scrape "$port" "$dir/cpu.txt"; cpu1=$(msum "$dir/cpu.txt" process_cpu_seconds_total); fi
      echo "shape=$shape round=$(( r + 1 )) cpu_s=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }') $line" >>"$dir/runs.txt"
    done
  done

  echo "## 1. /metrics under $CONNECTIONS concurrent scrapers"
  echo
  echo "$SCRAPE_CANARIES canaries x batch sizes [1,2], each run once after start-up (interval 1 h, \`Guards:QueueLength\`"
  echo "$SCRAPE_CANARIES so that none is dropped), then idle. Runs: $(runs_by_status "$dir/body.txt" | paste -sd ';' | sed 's/;/, /g')."
  echo "Body: **$series series, $bytes bytes** per scrape; with \`Accept-Encoding: gzip\` (as Prometheus sends, and as wrk"
  echo "sends here) the daemon answers with Content-Encoding ${encoding:-none (identity)}, $wire bytes on the wire."
  echo
  echo "| load | rounds | requests | requests/s [rounds] | p50 ms [rounds] | p90 ms [rounds] | p99 ms [rounds] | max ms | errors | daemon CPU per scrape, ms [rounds] |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for shape in "${shapes[@]}"; do
    awk -v s="$shape" -v c="$CONNECTIONS" -v pace="$PACE_MS" -v plain="$bytes" -v gz="$gzipped" '
      function kv(key,   i, p) { for (i = 1; i <= NF; i++) { split($i, p, "="); if (p[1] == key) return p[2] } }
      # "median [min–max]" of a[1..m]
      function mmm(a, m, fmt,   i, j, t, b, med) {
        for (i = 1; i <= m; i++) b[i] = a[i]
        for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
        med = m % 2 ? b[(m + 1) / 2] : (b[m / 2] + b[m / 2 + 1]) / 2
        return sprintf(fmt " [" fmt "–" fmt "]", med, b[1], b[m])
      }
      function rng(a, m, fmt,   i, lo, hi) {
        lo = hi = a[1]
        for (i = 2; i <= m; i++) { if (a[i] < lo) lo = a[i]; if (a[i] > hi) hi = a[i] }
        return sprintf("[" fmt "–" fmt "]", lo, hi)
      }
      $1 == ("shape=" s) {
        n++; req = kv("requests"); reqs += req
        rps[n] = req / (kv("duration_us") / 1e6)
        p50[n] = kv("p50_us") / 1000; p90[n] = kv("p90_us") / 1000; p99[n] = kv("p99_us") / 1000
        if (kv("max_us") / 1000 > mx) mx = kv("max_us") / 1000
        err += kv("connect_errors") + kv("read_errors") + kv("write_errors") + kv("bad_status") + kv("timeouts")
        cpu += kv("cpu_s"); per[n] = 1000 * kv("cpu_s") / req
      }
      END {
        if (!n) exit
        label = s == "closed" ? c " connections, closed loop" : s == "paced" ? c " scrapers, one scrape per " pace / 1000 " s each (±50 %)" : s == "single" ? "1 connection, closed loop" \
          : s == "cached_gzip" ? "ceiling: the same body from memory, gzip (" gz " bytes), " c " connections, closed loop" : "ceiling: the same body from memory, identity (" plain " bytes), " c " connections, closed loop"
        printf "| %s | %d | %d | %s | %s | %s | %s | %.0f | %d | %.2f %s |\n", label, n, reqs, mmm(rps, n, "%.1f"),
          mmm(p50, n, "%.1f"), mmm(p90, n, "%.1f"), mmm(p99, n, "%.1f"), mx, err, 1000 * cpu / reqs, rng(per, n, "%.2f")
      }' "$dir/runs.txt"
  done
  echo
  awk -v c="$CONNECTIONS" '$1 == "shape=closed" { for (i = 1; i <= NF; i++) if ($i ~ /^p99_us=/) { split($i, p, "="); v[++n] = p[2] / 1000 } }
    END { if (!n) exit; for (i = 1; i <= n; i++) { if (i == 1 || v[i] > hi) hi = v[i]; if (i == 1 || v[i] < lo) lo = v[i] }
      printf "Goal p99 < 10 ms with %d concurrent scrapers (closed loop): **%s** (p99 %.1f–%.1f ms over the rounds).\n\n", c, (hi < 10 ? "met" : "missed"), lo, hi }' "$dir/runs.txt"
  echo "Quantiles are wrk's per round (median of the rounds, min–max in brackets); CPU per scrape is the"
  echo "daemon's process_cpu_seconds_total delta over the round divided by its requests (10 ms resolution;"
  echo "the two scrapes that read the counter are not subtracted), for the ceiling rows utime + stime of"
  echo "\`cached-body\` from /proc. wrk itself runs on the same 2 cores."
  echo
  echo "First firings after start-up (all $SCRAPE_CANARIES canaries planned at the same instant): start delay"
  echo "p50 $(hist_stat "$startup_delays" q:50) ms, max in bucket $(hist_stat "$startup_delays" bucket:100), share ≤ 500 ms $(hist_stat "$startup_delays" le_ms:500) %."
  echo
  echo "**Largest metric families in the body**"
  echo
  echo "| family | series | bytes | share of bytes |"
  echo "|---|---|---|---|"
  awk -v total="$bytes" '
    /^#/ { next }
    { name = $1; sub(/\{.*/, "", name); sub(/_(bucket|sum|count)$/, "", name); s[name]++; b[name] += length($0) + 1 }
    END { for (k in s) printf "%d %d %s\n", b[k], s[k], k }' "$dir/body.txt" | sort -rn | head -6 |
    awk -v total="$bytes" '{ printf "| `%s` | %d | %d | %.1f %% |\n", $3, $2, $1, 100 * $1 / total }'
  echo

  # What compressing this body costs and saves, as a yardstick for the daemon's own gzip.
  echo "**Compressing this body with gzip(1) (20 times each; a yardstick, not the daemon's own compressor)**"
  echo
  echo "| gzip level | bytes | CPU per compression, ms |"
  echo "|---|---|---|"
  local level cputime TIMEFORMAT='%U %S'
  for level in 1 6; do
    cputime=$( { time (for (( i = 0; i < 20; i++ )); do gzip -"$level" -c "$dir/body.txt" >/dev/null; done); } 2>&1 )
    printf '| %s | %d | %.2f |\n' "$level" "$(gzip -"$level" -c "$dir/body.txt" | wc -c)" "$(awk -v t="$cputime" 'BEGIN { split(t, a, " "); print (a[1] + a[2]) * 1000 / 20 }')"
  done
  echo

  if (( PROFILE == 1 )); then
    log "scrape: perf profile, paced load, ${PROFILE_SECONDS} s"
    PACE_MS=$PACE_MS wrk -c"$CONNECTIONS" -t2 -d"$(( PROFILE_SECONDS + 4 ))s" -s "$SCRIPT_DIR/scrape.lua" "$url" >"$dir/profile-wrk.txt" 2>&1 &
    local wrk_pid=$!
    PIDS+=("$wrk_pid")
    sleep 2
    if perf record -F 999 -g -p "$pid" -o "$dir/perf.data" -- sleep "$PROFILE_SECONDS" >"$dir/perf.log" 2>&1; then
      wait "$wrk_pid" || true
      local cats
      cats=$(perf script -i "$dir/perf.data" 2>/dev/null | awk '
        BEGIN { RS = "" }
        {
          c = "other (runtime, JIT, libc)"
          if ($0 ~ /ProcessMetricSource/) c = "`ProcessMetricSource.Collect` (process_* and dotnet_* figures)"
          else if ($0 ~ /PrometheusMetricSink::Collect|HostMetricSource|CanaryResultSink|BuildInfoSource/) c = "other metric sources (before-collect callback)"
          else if ($0 ~ /Compression|GZip|Deflate/) c = "gzip compression"
          else if ($0 ~ /TextSerializer|Histogram\+Child|CollectAndSerialize|CollectAndExport/) c = "text serialisation (prometheus-net)"
          else if ($0 ~ /sendmsg|tcp_|sock_/) c = "socket send (kernel)"
          else if ($0 ~ /Kestrel|AspNetCore/) c = "Kestrel and ASP.NET Core"
          else if ($0 ~ /WKS::|gc_heap|GCHeap/) c = "garbage collection"
          else if ($0 ~ /sched_yield|futex|finish_task_switch|schedule/) c = "thread-pool wake-ups and spinning"
          n[c]++; t++
        }
        END { for (k in n) printf "%.1f|%s\n", 100 * n[k] / t, k; printf "TOTAL|%d\n", t }')
      echo "**Where the daemon's CPU goes under the paced load** (perf at 999 Hz, ${PROFILE_SECONDS} s,"
      echo "$(grep '^TOTAL|' <<<"$cats" | cut -d'|' -f2) samples while wrk sent $(sed -n 's/^RESULT requests=\([0-9]*\) .*/\1/p' "$dir/profile-wrk.txt") scrapes in $(( PROFILE_SECONDS + 4 )) s; a sample counts in the"
      echo "first category whose frames it holds)"
      echo
      echo "| category | share of samples |"
      echo "|---|---|"
      grep -v '^TOTAL|' <<<"$cats" | sort -t'|' -k1,1 -rn | awk -F'|' '{ printf "| %s | %s %% |\n", $2, $1 }'
      echo
    else
      wait "$wrk_pid" || true
      echo "(perf profile skipped: $(tail -1 "$dir/perf.log"))"
      echo
    fi
  fi
  stop_pid "$pid"
  [[ -z $cached_pid ]] || stop_pid "$cached_pid"
}

# ---------------------------------------------------------------------------------------------
# Part 2: scheduling jitter
# ---------------------------------------------------------------------------------------------
part_jitter() {
  local port=$(( PORT_BASE + 1 )) dir=$TMP/jitter i=0 canaries=() pid interval
  mkdir -p "$dir"
  # Short runs (about 0.1 s, most of it session creation) so the CPU lane is mostly free.
  local measure='{"MinIterations":10,"MinDuration":"00:00:00.010","Budget":"00:00:02","WarmupMinIterations":5,"WarmupMaxDuration":"00:00:00.020"}'
  for interval in $JITTER_INTERVALS; do
    i=$(( i + 1 ))
    canaries+=("$(canary_json "$(printf 'j%02d' "$i")" "$(hms "$interval")" 1 "$measure")")
  done
  write_config "$dir/config.json" 8 "${canaries[@]}"
  log "jitter: starting the daemon with $i canaries at intervals ($JITTER_INTERVALS) s"
  start_daemon jitter "$dir/config.json" "$port"
  pid=$DAEMON_PID
  local t0=$SECONDS
  sleep "$JITTER_SETTLE"
  scrape "$port" "$dir/base.txt"
  local base now delta count=0 elapsed
  base=$(hist_agg "$dir/base.txt" benchdaemon_canary_start_delay_seconds)
  echo "0 $base" >"$dir/snapshots.txt"
  local load0 load1
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  local tstart=$SECONDS
  while (( count < JITTER_RUNS && SECONDS - tstart < JITTER_MAX_SECONDS )); do
    sleep 5
    scrape "$port" "$dir/last.txt"
    now=$(hist_agg "$dir/last.txt" benchdaemon_canary_start_delay_seconds)
    echo "$(( SECONDS - tstart )) $now" >>"$dir/snapshots.txt"
    delta=$(hist_delta "$now" "$base")
    count=$(hist_stat "$delta" count)
    log "jitter: $count/$JITTER_RUNS firings"
  done
  elapsed=$(( SECONDS - tstart ))
  load1=$(cut -d' ' -f1-3 /proc/loadavg)
  local uptime duty busy
  uptime=$(( SECONDS - t0 ))
  duty=$(msum "$dir/last.txt" benchdaemon_canary_duty_ratio)
  busy=$(awk -v d="$duty" -v u="$uptime" 'BEGIN { printf "%.0f", 100 * d * 3600 / u }')
  stop_pid "$pid"

  local planned
  planned=$(awk -v list="$JITTER_INTERVALS" -v t="$elapsed" 'BEGIN { n = split(list, a, " "); for (i = 1; i <= n; i++) s += t / a[i]; printf "%.0f", s }')
  echo "## 2. Scheduling jitter: actual minus planned start"
  echo
  echo "$i canaries at intervals of ($JITTER_INTERVALS) s on the one CPU device; each run about 0.1 s"
  echo "(session creation, 5+ warm-up and 10+ measured calls). The daemon was up ${uptime} s; the CPU lane was"
  echo "busy about ${busy} % of that (\`benchdaemon_canary_duty_ratio\` x 1 h / uptime). Load average $load0 at the start of"
  echo "the window, $load1 at its end. Firings in the first ${JITTER_SETTLE} s after start-up (start-up itself) are left out."
  echo
  echo "| window | firings (planned) | mean ms | p50 ms | p90 ms | p99 ms (bucket) | ≤ 5 ms | ≤ 10 ms | ≤ 50 ms |"
  echo "|---|---|---|---|---|---|---|---|---|"
  printf '| all, %d s | %d (%s) | %s | %s | %s | **%s** (%s) | %s %% | %s %% | %s %% |\n' "$elapsed" "$count" "$planned" \
    "$(hist_stat "$delta" mean_ms)" "$(hist_stat "$delta" q:50)" "$(hist_stat "$delta" q:90)" "$(hist_stat "$delta" q:99)" \
    "$(hist_stat "$delta" bucket:99)" "$(hist_stat "$delta" le_ms:5)" "$(hist_stat "$delta" le_ms:10)" "$(hist_stat "$delta" le_ms:50)"
  # The same for JITTER_WINDOWS equal slices of the snapshots (spread over time).
  local nsnap w a b la lb d
  nsnap=$(wc -l <"$dir/snapshots.txt")
  for (( w = 0; w < JITTER_WINDOWS; w++ )); do
    a=$(( 1 + w * (nsnap - 1) / JITTER_WINDOWS )); b=$(( 1 + (w + 1) * (nsnap - 1) / JITTER_WINDOWS ))
    (( b > a )) || continue
    la=$(sed -n "${a}p" "$dir/snapshots.txt"); lb=$(sed -n "${b}p" "$dir/snapshots.txt")
    d=$(hist_delta "${lb#* }" "${la#* }")
    printf '| %s–%s s | %s | %s | %s | %s | %s (%s) | %s %% | %s %% | %s %% |\n' "${la%% *}" "${lb%% *}" "$(hist_stat "$d" count)" \
      "$(hist_stat "$d" mean_ms)" "$(hist_stat "$d" q:50)" "$(hist_stat "$d" q:90)" "$(hist_stat "$d" q:99)" "$(hist_stat "$d" bucket:99)" \
      "$(hist_stat "$d" le_ms:5)" "$(hist_stat "$d" le_ms:10)" "$(hist_stat "$d" le_ms:50)"
  done
  echo
  echo "Goal p99 < 50 ms: **$(awk -v s="$(hist_stat "$delta" le_ms:50)" 'BEGIN { print (s + 0 >= 99 ? "met" : "missed") }')** ($(hist_stat "$delta" le_ms:50) % of $count firings started ≤ 50 ms late)."
  echo
  echo "Start-up firings (first ${JITTER_SETTLE} s): $(hist_stat "$base" count), p50 $(hist_stat "$base" q:50) ms, max in bucket $(hist_stat "$base" bucket:100)."
  echo "Resolution: \`benchdaemon_canary_start_delay_seconds\` has bucket bounds 1, 2, 5, 10, 20, 50, 100, 200, 500 ms,"
  echo "1, 2, 5, 10, 30, 60 s; quantiles are interpolated linearly inside a bucket (as histogram_quantile);"
  echo "the mean is exact (_sum / _count); \"≤ 50 ms\" is exact, 50 ms being a bucket bound."
  echo
  echo "Runs by status over the whole daemon life:"
  echo
  runs_by_status "$dir/last.txt" | sed 's/^/- /'
  echo
}

# ---------------------------------------------------------------------------------------------
# Part 3: compressed soak
# ---------------------------------------------------------------------------------------------
part_soak() {
  local port=$(( PORT_BASE + 2 )) dir=$TMP/soak i canaries=() pid
  mkdir -p "$dir"
  local measure='{"MinIterations":20,"MinDuration":"00:00:00.050","Budget":"00:00:10","WarmupMaxDuration":"00:00:00.200"}'
  for (( i = 1; i <= SOAK_CANARIES; i++ )); do
    canaries+=("$(canary_json "$(printf 's%02d' "$i")" "$(hms "$SOAK_INTERVAL")" 1 "$measure")")
  done
  write_config "$dir/config.json" 8 "${canaries[@]}"
  log "soak: $SOAK_CANARIES canaries every $SOAK_INTERVAL s for $SOAK_SECONDS s"
  start_daemon soak "$dir/config.json" "$port"
  pid=$DAEMON_PID
  local tstart=$SECONDS t code lat size
  : >"$dir/samples.txt"
  sample() {
    local t=$1 out
    out=$(curl -s -o "$dir/last.txt" -w '%{http_code} %{time_total} %{size_download}' --max-time 30 "http://127.0.0.1:$port/metrics" || echo "000 0 0")
    read -r code lat size <<<"$out"
    echo "$t $(proc_rss_mib "$pid") $(proc_fds "$pid") $(proc_threads "$pid") $code $lat $size $(msum "$dir/last.txt" benchdaemon_canary_runs_total) $(cut -d' ' -f1 /proc/loadavg) $(msum "$dir/last.txt" dotnet_gc_heap_bytes)" >>"$dir/samples.txt"
  }
  sample 0
  local k
  for (( k = 1; k * SOAK_SAMPLE_SECONDS <= SOAK_SECONDS; k++ )); do
    t=$(( k * SOAK_SAMPLE_SECONDS - (SECONDS - tstart) ))
    (( t <= 0 )) || sleep "$t"
    sample $(( SECONDS - tstart ))
    log "soak: $(( SECONDS - tstart ))/$SOAK_SECONDS s"
  done
  local health
  health=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$port/healthz" || echo 000)
  local delays
  delays=$(hist_agg "$dir/last.txt" benchdaemon_canary_start_delay_seconds)
  stop_pid "$pid"

  echo "## 3. Soak: $SOAK_CANARIES canaries every $SOAK_INTERVAL s for $SOAK_SECONDS s"
  echo
  echo "| t, s | RSS MiB | managed heap MiB | open fds | threads | /metrics status | scrape ms | body bytes | canary runs so far | load 1 min |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  awk '{ printf "| %d | %s | %.1f | %s | %s | %s | %.1f | %s | %.0f | %s |\n", $1, $2, $10 / 1048576, $3, $4, $5, $6 * 1000, $7, ($8 == "nan" ? 0 : $8), $9 }' "$dir/samples.txt"
  echo
  awk 'NR == 1 { r0 = $2; f0 = $3 } NR == 2 { r1 = $2; f1 = $3; t1 = $1 } { r = $2; f = $3; t = $1; m[NR] = $2; tt[NR] = $1 }
       END {
         printf "RSS %+.1f MiB and fds %+d from t=0 to the end; %+.1f MiB and %+d fds from t=%d s (after the first runs) to the end", r - r0, f - f0, r - r1, f - f1, t1
         h = int((NR + 1) / 2); if (NR >= 4) printf "; RSS %+.1f MiB over the second half (t=%d–%d s)", r - m[h], tt[h], t
         printf ".\n" }' "$dir/samples.txt"
  echo "/healthz at the end: $health. Start delay over the soak: $(hist_stat "$delays" count) firings, p50 $(hist_stat "$delays" q:50) ms,"
  echo "p99 $(hist_stat "$delays" q:99) ms (bucket $(hist_stat "$delays" bucket:99)), ≤ 50 ms $(hist_stat "$delays" le_ms:50) %."
  echo
  echo "Runs by status:"
  echo
  runs_by_status "$dir/last.txt" | sed 's/^/- /'
  echo
  local logs=("$TMP"/soak/state/logs/*.clef)
  echo "Log (\`<state>/logs/*.clef\`): $(cat "${logs[@]}" | wc -l) events;" \
    "$(cat "${logs[@]}" | jq -r '."@l" // "Information"' | sort | uniq -c | awk '{ printf "%s%s %d", (NR > 1 ? ", " : ""), $2, $1 }')."
  if cat "${logs[@]}" | jq -e 'select(."@l" == "Error" or ."@l" == "Warning" or ."@l" == "Fatal")' >/dev/null 2>&1; then
    echo
    echo "| level | count | message template |"
    echo "|---|---|---|"
    cat "${logs[@]}" | jq -r 'select(."@l" == "Error" or ."@l" == "Warning" or ."@l" == "Fatal") | [."@l", ."@mt"] | @tsv' |
      sort | uniq -c | sort -rn | head -10 | awk -F'\t' '{ split($1, a, " "); printf "| %s | %s | %s |\n", a[2], a[1], $2 }'
  fi
  echo
}

for part in $PARTS; do
  "part_$part"
done
exec 1>&3 3>&-
wait "$TEE_PID" 2>/dev/null || true
cp "$TMP/report.md" "$REPORT"
log "report written to $REPORT"
