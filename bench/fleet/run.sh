#!/usr/bin/env bash
# Fleet on loopback: N daemons scraped by Prometheus, which remote-writes to VictoriaMetrics.
# See bench/fleet/README.md for what is measured and how to read it.
#
# Usage: bench/fleet/run.sh             (from anywhere; the repository is found relative to this
#                                        script). Markdown goes to stdout and to
#                                        $RESULTS_DIR/fleet-<UTC>.md, progress to stderr.
# Every daemon sees 8 GPUs through the test suite's fake NVML and runs the same canary on a
# model file named fleet.onnx: resnet-mini on every node but the last (instance node-slow),
# which gets a much slower model under the same name, standing in for slower hardware.
# Tunables (environment; the defaults take about 35 minutes on 2 cores):
#   NODES=50                daemons (at least 3: the fleet-outlier rule compares 3 or more)
#   DURATION_MINUTES=30     measured window, from the moment every daemon answers
#   SAMPLE_SECONDS=30       RSS, CPU and disk samples (the alert is polled every 15 s)
#   CANARIES=1              canaries per node (fleet, fleet-2, ...), all on the same model
#   CANARY_INTERVAL=00:02:00
#   CANARY_JITTER=          each run starts up to this much later (the canary's Jitter), hh:mm:ss;
#                           default half of CANARY_INTERVAL, 00:00:00 for none. Without it every
#                           node keeps the phase it started with, and the fast nodes started
#                           beside node-slow would measure during its runs every time
#   SCRAPE_INTERVAL=15s     Prometheus' scrape interval (s or m)
#   EVALUATION_INTERVAL=15s Prometheus' rule evaluation interval
#   ALERT_FOR=5m            every `for:` of the shipped rules is rewritten to this (copies in the
#                           scratch directory; the shipped files are not changed)
#   FAST_MODEL=resnet-mini  built-in model of the fast nodes (benchdaemon models export, FP32)
#   SLOW_MODEL=resnet50     built-in model of node-slow, exported to the same file name
#   START_BATCH=5           daemons started together before waiting for their /metrics
#   PORT_BASE=19700         daemons on PORT_BASE .. PORT_BASE+NODES-1
#   PROMETHEUS_PORT=PORT_BASE+NODES, VM_PORT=PORT_BASE+NODES+1
#   BENCHDAEMON_DIR=        reuse an existing publish output instead of publishing
#   RESULTS_DIR=bench/fleet/results
#   KEEP_TMP=0              1 keeps the scratch directory (configs, logs, both databases, samples)
set -euo pipefail
export LC_ALL=C
shopt -u patsub_replacement 2>/dev/null || true

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd)

NODES=${NODES:-50}
DURATION_MINUTES=${DURATION_MINUTES:-30}
SAMPLE_SECONDS=${SAMPLE_SECONDS:-30}
CANARIES=${CANARIES:-1}
CANARY_INTERVAL=${CANARY_INTERVAL:-00:02:00}
CANARY_JITTER=${CANARY_JITTER:-}
SCRAPE_INTERVAL=${SCRAPE_INTERVAL:-15s}
EVALUATION_INTERVAL=${EVALUATION_INTERVAL:-15s}
ALERT_FOR=${ALERT_FOR:-5m}
FAST_MODEL=${FAST_MODEL:-resnet-mini}
SLOW_MODEL=${SLOW_MODEL:-resnet50}
START_BATCH=${START_BATCH:-5}
PORT_BASE=${PORT_BASE:-19700}
PROMETHEUS_PORT=${PROMETHEUS_PORT:-$(( PORT_BASE + NODES ))}
VM_PORT=${VM_PORT:-$(( PORT_BASE + NODES + 1 ))}
BENCHDAEMON_DIR=${BENCHDAEMON_DIR:-}
RESULTS_DIR=${RESULTS_DIR:-$SCRIPT_DIR/results}
KEEP_TMP=${KEEP_TMP:-0}
POLL_SECONDS=15

log() { printf '[fleet-bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

for v in NODES DURATION_MINUTES SAMPLE_SECONDS CANARIES START_BATCH PORT_BASE PROMETHEUS_PORT VM_PORT; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer (got '${!v}')"
done
(( NODES >= 3 )) || die "NODES must be at least 3 (the fleet-outlier rule needs three nodes)"
(( CANARIES <= 99 )) || die "at most 99 canaries per node"
hms_seconds() { local h m s; IFS=: read -r h m s <<<"$1"; echo $(( 10#$h * 3600 + 10#$m * 60 + 10#$s )); }
hms() { printf '%02d:%02d:%02d' $(( $1 / 3600 )) $(( $1 % 3600 / 60 )) $(( $1 % 60 )); }
[[ $CANARY_INTERVAL =~ ^[0-9]{2}:[0-5][0-9]:[0-5][0-9]$ ]] || die "CANARY_INTERVAL is hh:mm:ss (got '$CANARY_INTERVAL')"
(( $(hms_seconds "$CANARY_INTERVAL") >= 1 )) || die "CANARY_INTERVAL must be at least 1 s"
[[ -n $CANARY_JITTER ]] || CANARY_JITTER=$(hms $(( $(hms_seconds "$CANARY_INTERVAL") / 2 )))
[[ $CANARY_JITTER =~ ^[0-9]{2}:[0-5][0-9]:[0-5][0-9]$ ]] || die "CANARY_JITTER is hh:mm:ss (got '$CANARY_JITTER')"
(( $(hms_seconds "$CANARY_JITTER") < $(hms_seconds "$CANARY_INTERVAL") )) || die "CANARY_JITTER must be shorter than CANARY_INTERVAL"
for v in SCRAPE_INTERVAL EVALUATION_INTERVAL; do
  [[ ${!v} =~ ^[1-9][0-9]*[sm]$ ]] || die "$v is a number of seconds or minutes, e.g. 15s or 1m (got '${!v}')"
done
[[ $ALERT_FOR =~ ^[0-9]+[smh]$ ]] || die "ALERT_FOR is a Prometheus duration such as 30s, 5m or 1h (got '$ALERT_FOR')"
[[ $KEEP_TMP == 0 || $KEEP_TMP == 1 ]] || die "KEEP_TMP is 0 or 1 (got '$KEEP_TMP')"
seconds_of() { local v=$1; if [[ $v == *m ]]; then echo $(( ${v%m} * 60 )); else echo "${v%s}"; fi; }
SCRAPE_SECONDS=$(seconds_of "$SCRAPE_INTERVAL")
SCRAPE_TIMEOUT=$(( SCRAPE_SECONDS < 10 ? SCRAPE_SECONDS : 10 ))s

# ---------------------------------------------------------------------------------------------
# Tools: Prometheus and VictoriaMetrics (Debian packages), gcc for the fake NVML, jq, curl.
# ---------------------------------------------------------------------------------------------
sudo_cmd=()
(( EUID == 0 )) || sudo_cmd=(sudo)
apt_updated=0
apt_install() {
  log "installing $* (apt-get)"
  if (( apt_updated == 0 )); then
    "${sudo_cmd[@]}" apt-get update >/dev/null 2>&1 || die "apt-get update failed"
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 \
    || die "could not install $*"
}
# A package's own service, started by its postinst on a host with an init system: this bench
# runs its own instance on loopback ports and stops the packaged one it has just installed.
stop_service() {
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; then
    "${sudo_cmd[@]}" systemctl stop "$1" >/dev/null 2>&1 || true
  elif [[ -x /etc/init.d/$1 ]]; then
    "${sudo_cmd[@]}" /etc/init.d/"$1" stop >/dev/null 2>&1 || true
  fi
}
missing=()
command -v jq >/dev/null || missing+=(jq)
command -v curl >/dev/null || missing+=(curl)
command -v gcc >/dev/null || missing+=(gcc libc6-dev)
(( ${#missing[@]} == 0 )) || apt_install "${missing[@]}"
if ! command -v prometheus >/dev/null; then
  apt_install prometheus
  stop_service prometheus
  stop_service prometheus-node-exporter
fi
VM_BIN=$(command -v victoria-metrics || true)
if [[ -z $VM_BIN ]]; then
  apt_install victoria-metrics
  stop_service victoria-metrics
  VM_BIN=$(command -v victoria-metrics || true)
fi
[[ -n $VM_BIN ]] || die "no victoria-metrics binary after installing the package"
for tool in dotnet curl awk jq gcc prometheus promtool du pgrep; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
for unit in prometheus victoria-metrics; do
  if [[ -d /run/systemd/system ]] && systemctl is-active --quiet "$unit" 2>/dev/null; then
    log "note: the system service $unit is running; it shares the CPU with this bench (not stopped)"
  fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/fleet-bench.XXXXXX")
PIDS=()          # every process started here, stopped by the EXIT trap (daemons first)
NAMES=()         # node names in port order
declare -A PID_OF PORT_OF

# running PID: the process exists and is not a zombie (an exited child stays one until waited for).
running() {
  local state
  state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $state && $state != Z ]]
}
# stop_all PID...: SIGTERM to all at once, up to 20 s for them to exit, then SIGKILL.
stop_all() {
  local pid i alive
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for (( i = 0; i < 200; i++ )); do
    alive=0
    for pid in "$@"; do if running "$pid"; then alive=1; break; fi; done
    (( alive == 1 )) || break
    sleep 0.1
  done
  for pid in "$@"; do
    if running "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
  done
}
cleanup() {
  local pid daemons=() others=()
  # Daemons first (all at once: one after the other would take minutes with 50), then
  # Prometheus (it flushes its remote-write queue) and VictoriaMetrics last.
  for pid in "${PIDS[@]}"; do
    if [[ $pid == "${PROM_PID:-}" || $pid == "${VM_PID:-}" ]]; then others+=("$pid"); else daemons+=("$pid"); fi
  done
  (( ${#daemons[@]} == 0 )) || stop_all "${daemons[@]}"
  [[ -z ${PROM_PID:-} ]] || stop_all "$PROM_PID"
  [[ -z ${VM_PID:-} ]] || stop_all "$VM_PID"
  if [[ $KEEP_TMP == 1 ]]; then log "kept $TMP"; else rm -rf -- "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=bench/lib/daemon.sh
source "$REPO_ROOT/bench/lib/daemon.sh"
source_note=$(source_note "$REPO_ROOT" "$BENCHDAEMON_DIR")
command_line="NODES=$NODES DURATION_MINUTES=$DURATION_MINUTES SAMPLE_SECONDS=$SAMPLE_SECONDS CANARIES=$CANARIES"
command_line+=" CANARY_INTERVAL=$CANARY_INTERVAL CANARY_JITTER=$CANARY_JITTER SCRAPE_INTERVAL=$SCRAPE_INTERVAL EVALUATION_INTERVAL=$EVALUATION_INTERVAL"
command_line+=" ALERT_FOR=$ALERT_FOR FAST_MODEL=$FAST_MODEL SLOW_MODEL=$SLOW_MODEL START_BATCH=$START_BATCH PORT_BASE=$PORT_BASE"
[[ -z $BENCHDAEMON_DIR ]] || command_line+=" BENCHDAEMON_DIR=$BENCHDAEMON_DIR"
command_line+=" bench/fleet/run.sh"

# ---------------------------------------------------------------------------------------------
# Build, fake NVML, models
# ---------------------------------------------------------------------------------------------
publish_daemon "$REPO_ROOT" "$TMP" "$BENCHDAEMON_DIR"

mkdir -p "$TMP/nvml"
gcc -shared -fPIC -O1 -o "$TMP/nvml/libnvidia-ml.so.1" "$REPO_ROOT/tests/Shared/FakeNvml/fake_nvml.c" 2>"$TMP/nvml/gcc.log" \
  || { cat "$TMP/nvml/gcc.log" >&2; die "compiling the fake NVML failed"; }
FAKE_NVML=$TMP/nvml/libnvidia-ml.so.1
echo "count 8" >"$TMP/nvml/script"

# The model label is the file's stem: every node's file is fleet.onnx, so the series of the
# fast nodes and of node-slow differ only in instance (as on a fleet of the same model).
export_model() {
  local model=$1 dir=$2
  mkdir -p "$dir"
  "$BD" models export "$model" --precision fp32 -o "$dir/fleet.onnx" --set "State:Directory=$TMP/model-state" \
    --set Logs:Console=false >"$dir/export.log" 2>&1 || { cat "$dir/export.log" >&2; die "benchdaemon models export $model failed"; }
}
log "exporting $FAST_MODEL (fast nodes) and $SLOW_MODEL (node-slow) as fleet.onnx"
export_model "$FAST_MODEL" "$TMP/models/fast"
export_model "$SLOW_MODEL" "$TMP/models/slow"

# Short measurements: the fast model's runs take well under a second, the slow one's a few.
MEASURE='{"MinIterations":20,"MinDuration":"00:00:00.050","Budget":"00:00:10","WarmupMaxDuration":"00:00:00.200"}'
write_config() {
  local file=$1 model=$2 i name canaries=() jitter=""
  [[ $CANARY_JITTER == 00:00:00 ]] || jitter="\"Jitter\":\"$CANARY_JITTER\","
  for (( i = 1; i <= CANARIES; i++ )); do
    name=fleet; (( i == 1 )) || name=fleet-$i
    canaries+=("$(printf '{"Name":"%s","Model":"%s","Interval":"%s",%s"Threads":1,"BatchSizes":[1,2],"Measure":%s}' \
      "$name" "$model" "$CANARY_INTERVAL" "$jitter" "$MEASURE")")
  done
  local IFS=,
  # Guards off: the shared host is always busy and every firing should run.
  printf '{"Guards":{"DutyFraction":1,"CpuBusyThreshold":1,"QueueLength":%d},"Canaries":[%s]}\n' \
    "$(( CANARIES > 8 ? CANARIES : 8 ))" "${canaries[*]}" >"$file"
}
write_config "$TMP/models/fast/config.json" "$TMP/models/fast/fleet.onnx"
write_config "$TMP/models/slow/config.json" "$TMP/models/slow/fleet.onnx"

width=${#NODES}; (( width >= 2 )) || width=2
for (( i = 1; i <= NODES; i++ )); do
  if (( i == NODES )); then name=node-slow; else name=$(printf 'node-%0*d' "$width" "$i"); fi
  NAMES+=("$name")
  PORT_OF[$name]=$(( PORT_BASE + i - 1 ))
done
SLOW=node-slow

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
CLK_TCK=$(getconf CLK_TCK)
# proc_line PID: "ppid rss_kib self_cpu_s tree_cpu_s" (tree: with the reaped children's time,
# cutime + cstime), nothing when the process is gone.
proc_line() {
  awk -v tck="$CLK_TCK" '
    FNR == NR { sub(/^.*\) /, ""); ppid = $2; s = ($12 + $13) / tck; t = ($12 + $13 + $14 + $15) / tck; next }
    /^VmRSS:/ { r = $2 }
    END { if (ppid != "") printf "%s %d %.2f %.2f\n", ppid, r + 0, s, t }' "/proc/$1/stat" "/proc/$1/status" 2>/dev/null || true
}
answers() { curl -s -o /dev/null --max-time 2 "$1" 2>/dev/null; }
# msum FILE METRIC [AWK_REGEX on the whole line]: sum of the samples of METRIC, "nan" if none.
msum() {
  awk -v m="$2" -v f="${3:-}" '
    index($0, m "{") == 1 || index($0, m " ") == 1 { if (f == "" || $0 ~ f) { s += $NF; n++ } }
    END { if (n) printf "%.6f\n", s; else print "nan" }' "$1"
}
median() { sort -g | awk '{ a[NR] = $1 } END { if (!NR) print "n/a"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
PROM_URL=http://127.0.0.1:$PROMETHEUS_PORT
VM_URL=http://127.0.0.1:$VM_PORT
# query BASE_URL EXPR: the instant query API's JSON (POST, so long expressions fit).
query() { curl -s --max-time 60 "$1/api/v1/query" --data-urlencode "query=$2" || echo '{"status":"error","error":"curl failed"}'; }
# scalar BASE_URL EXPR: the first result's value, "n/a" when there is none.
scalar() { query "$1" "$2" | jq -r 'if .status == "success" and (.data.result | length) > 0 then .data.result[0].value[1] else "n/a" end' 2>/dev/null || echo n/a; }
ms() { awk -v v="$1" -v f="${2:-%.2f}" 'BEGIN { if (v == "nan" || v == "n/a") print "n/a"; else printf f "\n", v * 1000 }'; }
fmt() { awk -v v="$1" -v f="$2" 'BEGIN { if (v == "n/a" || v == "" || v == "nan" || v == "NaN") print "n/a"; else printf f "\n", v }'; }

# ---------------------------------------------------------------------------------------------
# VictoriaMetrics, Prometheus
# ---------------------------------------------------------------------------------------------
for port in "$PROMETHEUS_PORT" "$VM_PORT" $(seq "$PORT_BASE" $(( PORT_BASE + NODES - 1 ))); do
  ! answers "http://127.0.0.1:$port/" || die "something already answers on 127.0.0.1:$port (set PORT_BASE)"
done

mkdir -p "$TMP/vm/data"
log "starting VictoriaMetrics on 127.0.0.1:$VM_PORT"
"$VM_BIN" -httpListenAddr="127.0.0.1:$VM_PORT" -storageDataPath="$TMP/vm/data" -retentionPeriod=1 >"$TMP/vm/log" 2>&1 &
VM_PID=$!
PIDS+=("$VM_PID")
for (( i = 0; i < 300; i++ )); do
  [[ $(curl -s --max-time 2 "$VM_URL/health" || true) == OK ]] && break
  kill -0 "$VM_PID" 2>/dev/null || { tail -20 "$TMP/vm/log" >&2; die "VictoriaMetrics exited during start-up"; }
  sleep 0.1
done
[[ $(curl -s --max-time 2 "$VM_URL/health" || true) == OK ]] || die "VictoriaMetrics did not answer within 30 s"

# The shipped rules with every for: rewritten (the expressions are unchanged).
mkdir -p "$TMP/prometheus/rules" "$TMP/prometheus/data"
rule_files=()
for_rewritten=0
for f in "$REPO_ROOT"/deploy/prometheus/rules/*.yml; do
  out=$TMP/prometheus/rules/$(basename "$f")
  for_rewritten=$(( for_rewritten + $(grep -cE '^[[:space:]]*for:' "$f" || true) ))
  sed -E "s/^([[:space:]]*)for:.*/\1for: $ALERT_FOR/" "$f" >"$out"
  rule_files+=("$out")
done
{
  echo "global:"
  echo "  scrape_interval: $SCRAPE_INTERVAL"
  echo "  scrape_timeout: $SCRAPE_TIMEOUT"
  echo "  evaluation_interval: $EVALUATION_INTERVAL"
  echo "rule_files:"
  for f in "${rule_files[@]}"; do echo "  - \"$f\""; done
  echo "scrape_configs:"
  echo "  - job_name: benchdaemon"
  echo "    static_configs:"
  for name in "${NAMES[@]}"; do
    echo "      - targets: [\"127.0.0.1:${PORT_OF[$name]}\"]"
    echo "        labels: { instance: \"$name\" }"
  done
  echo "remote_write:"
  echo "  - url: \"$VM_URL/api/v1/write\""
} >"$TMP/prometheus/prometheus.yml"
promtool check config "$TMP/prometheus/prometheus.yml" >"$TMP/prometheus/check.log" 2>&1 \
  || { cat "$TMP/prometheus/check.log" >&2; die "promtool rejects the generated configuration"; }

log "starting Prometheus on 127.0.0.1:$PROMETHEUS_PORT ($NODES targets, remote write to VictoriaMetrics)"
prometheus --config.file="$TMP/prometheus/prometheus.yml" --storage.tsdb.path="$TMP/prometheus/data" \
  --storage.tsdb.retention.time=2d --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" >"$TMP/prometheus/log" 2>&1 &
PROM_PID=$!
PIDS+=("$PROM_PID")
PROM_START=$(date +%s)
for (( i = 0; i < 600; i++ )); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$PROM_URL/-/ready" || true) == 200 ]] && break
  kill -0 "$PROM_PID" 2>/dev/null || { tail -20 "$TMP/prometheus/log" >&2; die "Prometheus exited during start-up"; }
  sleep 0.1
done
[[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$PROM_URL/-/ready" || true) == 200 ]] || die "Prometheus was not ready within 60 s"

# ---------------------------------------------------------------------------------------------
# Daemons, a few at a time
# ---------------------------------------------------------------------------------------------
launch() {
  local name=$1 config=$TMP/models/fast/config.json
  [[ $name != "$SLOW" ]] || config=$TMP/models/slow/config.json
  mkdir -p "$TMP/nodes/$name"
  FAKE_NVML_SCRIPT=$TMP/nvml/script "$BD" run --config "$config" --set "Metrics:Listen=127.0.0.1:${PORT_OF[$name]}" \
    --set "State:Directory=$TMP/nodes/$name/state" --set Logs:Console=false --set "Probes:Gpu:LibraryPath=$FAKE_NVML" \
    >"$TMP/nodes/$name/stdout" 2>&1 &
  PID_OF[$name]=$!
  PIDS+=("$!")
}
wait_metrics() {
  local name=$1 i
  for (( i = 0; i < 1200; i++ )); do
    kill -0 "${PID_OF[$name]}" 2>/dev/null || { tail -20 "$TMP/nodes/$name/stdout" >&2; die "daemon $name exited during start-up"; }
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:${PORT_OF[$name]}/metrics" || true) == 200 ]] && return 0
    sleep 0.1
  done
  die "daemon $name did not answer on 127.0.0.1:${PORT_OF[$name]} within 120 s"
}
START_T=$(date +%s)
for (( i = 0; i < NODES; i += START_BATCH )); do
  batch=("${NAMES[@]:i:START_BATCH}")
  for name in "${batch[@]}"; do launch "$name"; done
  for name in "${batch[@]}"; do wait_metrics "$name"; done
  log "daemons up: $(( i + ${#batch[@]} ))/$NODES"
done
STARTUP_SECONDS=$(( $(date +%s) - START_T ))
DAEMON_PIDS_CSV=$(IFS=,; for name in "${NAMES[@]}"; do printf '%s,' "${PID_OF[$name]}"; done)
DAEMON_PIDS_CSV=${DAEMON_PIDS_CSV%,}

# Every target scraped once before the window starts.
for (( i = 0; i < 120; i++ )); do
  up=$(scalar "$PROM_URL" 'count(up{job="benchdaemon"} == 1)')
  [[ $up == "$NODES" ]] && break
  sleep 1
done
log "Prometheus sees ${up} of $NODES targets up"

# ---------------------------------------------------------------------------------------------
# Measured window
# ---------------------------------------------------------------------------------------------
mkdir -p "$TMP/samples"
: >"$TMP/samples/samples.txt"
: >"$TMP/samples/daemons.txt"
: >"$TMP/samples/alerts.txt"
PROM_METRICS=$TMP/samples/prometheus-metrics.txt
VM_METRICS=$TMP/samples/vm-metrics.txt
RULE_SAMPLES=$TMP/samples/rule-durations.txt
: >"$RULE_SAMPLES"

# sample T: one line in samples.txt (columns below), one per daemon in daemons.txt.
#  1 t  2 epoch  3 prometheus cpu s  4 prometheus rss KiB  5 vm cpu s  6 vm rss KiB  7 vm dir bytes
#  8 prometheus dir bytes  9 head series  10 samples appended  11 vm rows inserted  12 vm hour_metric_ids
#  13 MemAvailable KiB  14 daemons alive  15 workers alive  16 workers rss KiB  17 daemons rss KiB
#  18 load 1 min  19 remote-write samples failed  20 remote-write samples dropped  21 rule evaluation failures
sample() {
  local t=$1 epoch line name pid w prom vm workers
  epoch=$(date +%s)
  prom=$(proc_line "$PROM_PID"); vm=$(proc_line "$VM_PID")
  [[ -n $prom && -n $vm ]] || die "Prometheus or VictoriaMetrics has exited (logs in $TMP; KEEP_TMP=1 keeps them)"
  curl -s --max-time 20 -o "$PROM_METRICS" "$PROM_URL/metrics" || : >"$PROM_METRICS"
  curl -s --max-time 20 -o "$VM_METRICS" "$VM_URL/metrics" || : >"$VM_METRICS"
  {
    for name in "${NAMES[@]}"; do
      line=$(proc_line "${PID_OF[$name]}")
      [[ -z $line ]] || echo "daemon $name ${PID_OF[$name]} $line"
    done
    workers=$(pgrep -d ' ' -P "$DAEMON_PIDS_CSV" -f __worker || true)
    for w in $workers; do
      line=$(proc_line "$w")
      [[ -z $line ]] || echo "worker - $w $line"
    done
  } >"$TMP/samples/procs.txt"
  # Per daemon: its own RSS and CPU, and CPU with its workers (live ones, and reaped ones
  # through cutime/cstime).
  awk -v t="$t" -v out="$TMP/samples/daemons.txt" '
    $1 == "daemon" { name[$3] = $2; rss[$3] = $5; self[$3] = $6; tree[$3] = $7 }
    $1 == "worker" { wtree[$4] += $7; wrss += $5; wn++ }
    END {
      for (p in name) printf "%s %s %d %.2f %.2f\n", t, name[p], rss[p], self[p], tree[p] + wtree[p] >>out
      printf "%d %d %d\n", length(name), wn, wrss
    }' "$TMP/samples/procs.txt" >"$TMP/samples/procs-sum.txt"
  local alive wn wrss drss
  read -r alive wn wrss <"$TMP/samples/procs-sum.txt"
  drss=$(awk '$1 == "daemon" { s += $5 } END { print s + 0 }' "$TMP/samples/procs.txt")
  local vmdu promdu
  # du complains (and fails) when a file vanishes under it, as the stores' files do while they write.
  vmdu=$(du -sb "$TMP/vm/data" 2>/dev/null | cut -f1 || true); promdu=$(du -sb "$TMP/prometheus/data" 2>/dev/null | cut -f1 || true)
  read -r -a pr <<<"$prom"; read -r -a vr <<<"$vm"
  echo "$t $epoch ${pr[2]} ${pr[1]} ${vr[2]} ${vr[1]} ${vmdu:-0} ${promdu:-0}" \
    "$(msum "$PROM_METRICS" prometheus_tsdb_head_series) $(msum "$PROM_METRICS" prometheus_tsdb_head_samples_appended_total)" \
    "$(msum "$VM_METRICS" vm_rows_inserted_total) $(msum "$VM_METRICS" vm_cache_entries 'type="storage/hour_metric_ids"')" \
    "$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo) $alive $wn $wrss $drss $(cut -d' ' -f1 /proc/loadavg)" \
    "$(msum "$PROM_METRICS" prometheus_remote_storage_samples_failed_total) $(msum "$PROM_METRICS" prometheus_remote_storage_samples_dropped_total)" \
    "$(msum "$PROM_METRICS" prometheus_rule_evaluation_failures_total)" >>"$TMP/samples/samples.txt"
  # Rule groups' last evaluation time, for the max over the window.
  awk -v t="$t" 'index($0, "prometheus_rule_group_last_duration_seconds{") == 1 {
      match($0, /rule_group="[^"]*"/); g = substr($0, RSTART + 12, RLENGTH - 13); sub(/^.*;/, "", g); print t, g, $NF }' \
    "$PROM_METRICS" >>"$RULE_SAMPLES"
}

# poll_alerts: every active alert, "epoch alertname state instance canary batch activeAt-epoch".
poll_alerts() {
  local epoch
  epoch=$(date +%s)
  curl -s --max-time 10 "$PROM_URL/api/v1/alerts" 2>/dev/null | jq -r --arg e "$epoch" \
    '.data.alerts[]? | "\($e) \(.labels.alertname) \(.state) \(.labels.instance // "-") \(.labels.canary // "-") \(.labels.batch // "-") \(try (.activeAt | sub("\\.[0-9]+"; "") | fromdateiso8601) catch 0)"' \
    >>"$TMP/samples/alerts.txt" 2>/dev/null || true
}

T0=$(date +%s)
END_T=$(( T0 + DURATION_MINUTES * 60 ))
log "all $NODES daemons up after ${STARTUP_SECONDS} s; measuring for $DURATION_MINUTES min"
next_sample=$T0
seen_firing=""
while :; do
  now=$(date +%s)
  (( now < END_T )) || break
  if (( now >= next_sample )); then
    sample $(( now - T0 ))
    next_sample=$(( next_sample + SAMPLE_SECONDS ))
    read -r -a last < <(tail -1 "$TMP/samples/samples.txt")
    log "t=$(( now - T0 ))/$(( DURATION_MINUTES * 60 )) s: $(fmt "${last[8]}" %.0f) head series, ${last[13]}/$NODES daemons, ${last[14]} workers," \
      "RSS Prometheus $(( last[3] / 1024 )) MiB, VictoriaMetrics $(( last[5] / 1024 )) MiB, load ${last[17]}"
  fi
  poll_alerts
  firing=$(awk '$2 == "BenchDaemonCanaryFleetOutlier" && $3 == "firing" { print $4 }' "$TMP/samples/alerts.txt" | sort -u | paste -sd ' ' -)
  if [[ $firing != "$seen_firing" ]]; then
    log "BenchDaemonCanaryFleetOutlier firing for: $firing"
    seen_firing=$firing
  fi
  now=$(date +%s)
  wake=$(( now + POLL_SECONDS ))
  (( wake <= next_sample )) || wake=$next_sample
  (( wake <= END_T )) || wake=$END_T
  if (( wake > now )); then sleep $(( wake - now )); fi
done
poll_alerts
sample $(( $(date +%s) - T0 ))
log "window over; collecting the figures"

# ---------------------------------------------------------------------------------------------
# Figures at the end of the window
# ---------------------------------------------------------------------------------------------
S=$TMP/samples/samples.txt
WINDOW=$(awk 'NR == 1 { a = $1 } { b = $1 } END { print b - a }' "$S")
RANGE=${WINDOW}s
RUN_RANGE=$(( $(date +%s) - PROM_START + 60 ))s
(( WINDOW > 0 )) || die "the window holds a single sample (DURATION_MINUTES too short for SAMPLE_SECONDS)"
STEADY_AFTER=300
(( WINDOW >= 600 )) || STEADY_AFTER=$(( WINDOW / 2 ))

# Per-node scrape body, plain and gzip (the encoding Prometheus asks for).
body_sizes() {
  local url=http://127.0.0.1:${PORT_OF[$1]}/metrics plain gz
  plain=$(curl -s -o /dev/null -w '%{size_download}' --max-time 30 "$url" || echo n/a)
  gz=$(curl -s --compressed -o /dev/null -w '%{size_download}' --max-time 30 "$url" || echo n/a)
  echo "$plain $gz"
}
read -r body_fast_plain body_fast_gz <<<"$(body_sizes "${NAMES[0]}")"
read -r body_slow_plain body_slow_gz <<<"$(body_sizes "$SLOW")"

cp "$PROM_METRICS" "$TMP/samples/prometheus-metrics-end.txt"
curl -s --max-time 30 "$PROM_URL/api/v1/rules" >"$TMP/samples/rules.json" || echo '{}' >"$TMP/samples/rules.json"
curl -s --max-time 30 "$VM_URL/api/v1/series/count" >"$TMP/samples/vm-series-count.json" || echo '{}' >"$TMP/samples/vm-series-count.json"
curl -s --max-time 30 "$VM_URL/api/v1/status/tsdb" >"$TMP/samples/vm-tsdb.json" || echo '{}' >"$TMP/samples/vm-tsdb.json"

# Dashboard queries against VictoriaMetrics. Grafana's macros as Grafana resolves them for a
# dashboard showing the window at the scrape interval: $__interval = the scrape interval,
# $__rate_interval = 4 x the scrape interval, $__range = the window. Label variables as
# Grafana's "All": every value the variable's label_values() finds, as a regex alternation.
INTERVAL=${SCRAPE_SECONDS}s
RATE_INTERVAL=$(( 4 * SCRAPE_SECONDS ))s
NOW=$(date +%s)
declare -A VARVAL
DQ=$TMP/samples/dashboard-queries.tsv
: >"$DQ"
: >"$TMP/samples/variables.txt"
regex_escape() { sed -e 's/[][\.*+?^$(){}|]/\\&/g' -e 's/\\/\\\\/g'; }
for file in "$REPO_ROOT"/grafana/dashboards/*.json; do
  dash=$(basename "$file")
  while IFS=$'\t' read -r vname vdef; do
    [[ -n $vname ]] || continue
    if [[ $vdef =~ ^label_values\(((.+),[[:space:]]*)?([a-zA-Z_][a-zA-Z0-9_]*)\)$ ]]; then
      selector=${BASH_REMATCH[2]}; label=${BASH_REMATCH[3]}
      for (( k = 0; k < 10; k++ )); do
        [[ $selector =~ \$([a-zA-Z_][a-zA-Z0-9_]*) ]] || break
        selector=${selector//"\$${BASH_REMATCH[1]}"/${VARVAL[$dash|${BASH_REMATCH[1]}]:-.*}}
      done
      args=(--data-urlencode "start=$T0" --data-urlencode "end=$NOW")
      [[ -z $selector ]] || args+=(--data-urlencode "match[]=$selector")
      values=$(curl -s -G --max-time 30 "$VM_URL/api/v1/label/$label/values" "${args[@]}" | jq -r '.data[]?' 2>/dev/null || true)
      if [[ -z $values ]]; then
        VARVAL[$dash|$vname]='.*'
      else
        VARVAL[$dash|$vname]=$(regex_escape <<<"$values" | paste -sd '|' -)
      fi
      echo "$dash \$$vname: $(wc -w <<<"$values") values" >>"$TMP/samples/variables.txt"
    fi
  done < <(jq -r '.templating.list[]? | select(.type == "query") | [.name, (.definition // .query | if type == "string" then . else .query end)] | @tsv' "$file")
  jq -r '
    ([.panels[]? | ., (.panels // [])[]] | .[] | select(.targets != null) | .title as $t | .targets[] | select(.expr != null) | ["panel " + $t, (.expr | @base64)]),
    (.annotations.list[]? | select(.expr != null) | ["annotation " + .name, (.expr | @base64)])
    | @tsv' "$file" | while IFS=$'\t' read -r where b64; do
    expr=$(base64 -d <<<"$b64")
    e=$expr
    e=${e//'$__rate_interval'/$RATE_INTERVAL}
    e=${e//'$__interval'/$INTERVAL}
    e=${e//'$__range'/$RANGE}
    err=""
    for (( k = 0; k < 20; k++ )); do
      [[ $e =~ \$([a-zA-Z_][a-zA-Z0-9_]*) ]] || break
      v=${BASH_REMATCH[1]}
      if [[ -z ${VARVAL[$dash|$v]+set} ]]; then err="no value for \$$v"; break; fi
      e=${e//"\$$v"/${VARVAL[$dash|$v]}}
    done
    if [[ -n $err ]]; then
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$dash" "$where" "error" "0" "$err" "$b64" >>"$DQ"
      continue
    fi
    instant=$(curl -s --max-time 60 "$VM_URL/api/v1/query" --data-urlencode "query=$e" --data-urlencode "time=$NOW" || echo '{"status":"error","error":"curl failed"}')
    status=$(jq -r '.status // "error"' <<<"$instant" 2>/dev/null || echo error)
    if [[ $status != success ]]; then
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$dash" "$where" "error" "0" "$(jq -r '.error // "no JSON answer"' <<<"$instant" 2>/dev/null | tr '\t\n' '  ' || echo 'no JSON answer')" "$b64" >>"$DQ"
      continue
    fi
    n_instant=$(jq -r '.data.result | if type == "array" then length else 1 end' <<<"$instant")
    n_range=$(curl -s --max-time 60 "$VM_URL/api/v1/query_range" --data-urlencode "query=$e" --data-urlencode "start=$T0" \
      --data-urlencode "end=$NOW" --data-urlencode "step=$(( SCRAPE_SECONDS > 60 ? SCRAPE_SECONDS : 60 ))" \
      | jq -r 'if .status == "success" then (.data.result | length) else -1 end' 2>/dev/null || echo -1)
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$dash" "$where" "ok" "$n_instant" "$n_range" "$b64" >>"$DQ"
  done
done
# Why a query has no data: the metric names it reads that VictoriaMetrics has no series of.
declare -A HAS_SERIES
absent_names() {
  local expr=$1 n out=() c
  for n in $(grep -oE '[a-z_:]*(benchdaemon|process|dotnet)_[a-z0-9_:]+' <<<"$expr" | sort -u); do
    if [[ -z ${HAS_SERIES[$n]+set} ]]; then
      c=$(scalar "$VM_URL" "count(last_over_time({__name__=\"$n\"}[$RANGE]))")
      HAS_SERIES[$n]=$c
    fi
    [[ ${HAS_SERIES[$n]} != n/a ]] || out+=("$n")
  done
  (IFS=' '; echo "${out[*]}")
}

# why_absent METRIC: the likely reason a series does not exist in this setup, as "; reason".
if compgen -G '/sys/class/powercap/intel-rapl*' >/dev/null; then RAPL=1; else RAPL=0; fi
why_absent() {
  case $1 in
    benchdaemon_host_energy_joules_total|benchdaemon_canary_energy_joules_per_sample)
      if (( RAPL == 0 )); then echo "; no RAPL energy counter on this host (/sys/class/powercap), and CPU canaries are charged RAPL joules only"; fi ;;
    benchdaemon_canary_stage_seconds) echo "; only canaries with ImageInput have stages" ;;
    benchdaemon_canary_drift_*) echo "; only FP16/INT8 canaries are compared with the FP32 reference" ;;
    benchdaemon_canary_flops_per_second|benchdaemon_canary_peak_ratio|benchdaemon_canary_bandwidth_bytes_per_second|benchdaemon_canary_energy_joules_per_flop)
      echo "; GPU micro-canaries (cuda:gemm, cuda:memcpy, cuda:pcie), none configured" ;;
    benchdaemon_gpu_xid_errors_total) echo "; the fake NVML's script reports no Xid event" ;;
    benchdaemon_gpu_process_memory_used_bytes) echo "; needs Probes:Gpu:ProcessMetrics=true and a process on a GPU (off here)" ;;
    benchdaemon_regression_*) echo "; no regression open" ;;
    benchdaemon_environment_change_timestamp_seconds) echo "; no fingerprint change during the run" ;;
  esac
}

# Fleet-outlier alert, over the whole life of Prometheus.
outlier_ever() {
  query "$PROM_URL" "max_over_time(ALERTS{alertname=\"BenchDaemonCanaryFleetOutlier\",alertstate=\"$1\"}[$RUN_RANGE])" \
    | jq -r '[.data.result[]?.metric.instance] | unique | join(" ")' 2>/dev/null || echo "n/a"
}
fired_ever=$(outlier_ever firing)
pending_ever=$(outlier_ever pending)
ratios_end=$(query "$PROM_URL" 'instance_canary:benchdaemon_canary_last_latency_seconds:ratio_median{stat="p50"}' \
  | jq -r '.data.result[]? | "\(.metric.instance) \(.metric.canary) \(.metric.batch) \(.value[1])"' 2>/dev/null || true)
fast_ratio_max=$(scalar "$PROM_URL" "max(max_over_time(instance_canary:benchdaemon_canary_last_latency_seconds:ratio_median{stat=\"p50\",instance!=\"$SLOW\"}[$RUN_RANGE]))")
median_fast_p50=$(scalar "$PROM_URL" "quantile(0.5, benchdaemon_canary_last_latency_seconds{stat=\"p50\",instance!=\"$SLOW\",canary=\"fleet\",batch=\"1\"})")
slow_p50=$(scalar "$PROM_URL" "max(benchdaemon_canary_last_latency_seconds{stat=\"p50\",instance=\"$SLOW\",canary=\"fleet\",batch=\"1\"})")
runs_by_status=$(query "$PROM_URL" 'sum by (status, reason) (benchdaemon_canary_runs_total{job="benchdaemon"})' \
  | jq -r '.data.result[]? | "\(.metric.status)\(if .metric.reason then " (" + .metric.reason + ")" else "" end): \(.value[1])"' 2>/dev/null | sort || true)
scrape_dur_med=$(scalar "$PROM_URL" "quantile(0.5, avg_over_time(scrape_duration_seconds{job=\"benchdaemon\"}[$RANGE]))")
scrape_dur_max=$(scalar "$PROM_URL" "max(max_over_time(scrape_duration_seconds{job=\"benchdaemon\"}[$RANGE]))")
scraped_med=$(scalar "$PROM_URL" 'quantile(0.5, scrape_samples_scraped{job="benchdaemon"})')
scraped_max=$(scalar "$PROM_URL" 'max(scrape_samples_scraped{job="benchdaemon"})')
scraped_slow=$(scalar "$PROM_URL" "scrape_samples_scraped{job=\"benchdaemon\",instance=\"$SLOW\"}")
series_added=$(scalar "$PROM_URL" "sum(sum_over_time(scrape_series_added{job=\"benchdaemon\"}[$RANGE]))")
head_per_node=$(query "$PROM_URL" 'count by (instance) ({__name__=~".+", instance=~"node-.*"})' | jq -r '.data.result[]?.value[1]' 2>/dev/null || true)
up_end=$(scalar "$PROM_URL" 'count(up{job="benchdaemon"} == 1)')
prom_version=$(prometheus --version 2>&1 | awk 'NR == 1 { print $3 }')
vm_version=$("$VM_BIN" -version 2>/dev/null | tr -d '\n' || true)
[[ -n $vm_version ]] || vm_version=$(dpkg-query -W -f='${Version}' victoria-metrics 2>/dev/null || echo unknown)

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
report() {
  local cpu_model mem_total runtime
  cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  mem_total=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  runtime=$(dotnet --list-runtimes 2>/dev/null | awk '/Microsoft.NETCore.App/ { v = $2 } END { print v }')
  echo "# Fleet: $NODES daemons → Prometheus → VictoriaMetrics"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(nproc) logical CPUs (${cpu_model:-unknown CPU}), $mem_total memory, kernel $(uname -r)"
  echo "- daemon built from: $source_note; .NET runtime $runtime"
  echo "- Prometheus $prom_version (Debian package), VictoriaMetrics $vm_version (Debian package \`victoria-metrics\`)"
  echo "- command: \`$command_line\`"
  echo
  echo "$NODES daemons on 127.0.0.1:$PORT_BASE–$(( PORT_BASE + NODES - 1 )), each with its own state directory and 8 fake GPUs"
  echo "(the test suite's fake NVML, \`count 8\`). Each runs $CANARIES canar$( (( CANARIES == 1 )) && echo y || echo ies) every $CANARY_INTERVAL (jitter $CANARY_JITTER), batch sizes [1,2], 1 thread,"
  echo "Measure \`$MEASURE\`, guards off. Model file \`fleet.onnx\`: $FAST_MODEL FP32 on $(( NODES - 1 )) nodes, $SLOW_MODEL FP32 on \`$SLOW\`."
  echo "Prometheus scrapes every $SCRAPE_INTERVAL (timeout $SCRAPE_TIMEOUT), evaluates the shipped rules every $EVALUATION_INTERVAL,"
  echo "and remote-writes everything to VictoriaMetrics. **The rules are copies of deploy/prometheus/rules/*.yml"
  echo "with all $for_rewritten \`for:\` clauses rewritten to \`$ALERT_FOR\`**; expressions and thresholds are the shipped ones."
  echo "Start-up of all daemons ($START_BATCH at a time): ${STARTUP_SECONDS} s. Window: ${WINDOW} s from the moment all"
  echo "answered, $(wc -l <"$S") samples every ${SAMPLE_SECONDS} s; \"steady\" is the median of the samples after t = ${STEADY_AFTER} s."
  echo "Targets up at the end: $up_end of $NODES; daemons alive at the last sample: $(awk 'END { print $14 }' "$S") of $NODES."
  echo

  echo "## 1. Series and ingestion"
  echo
  local hour_ids vm_count vm_total
  hour_ids=$(awk 'END { print $12 }' "$S")
  vm_count=$(jq -r '.data[0] // "n/a"' "$TMP/samples/vm-series-count.json" 2>/dev/null || echo n/a)
  vm_total=$(jq -r '.data.totalSeries // "n/a"' "$TMP/samples/vm-tsdb.json" 2>/dev/null || echo n/a)
  echo "| figure | Prometheus | VictoriaMetrics |"
  echo "|---|---|---|"
  awk -v hid="$hour_ids" -v vc="$vm_count" -v vt="$vm_total" '
    NR == 1 { t0 = $1; a0 = $10; r0 = $11 } { t[NR] = $1; a[NR] = $10; r[NR] = $11; hs = $9 }
    END {
      k = 1; for (i = 1; i <= NR; i++) if (t[i] >= t[NR] - 300) { k = i; break }
      printf "| series | %d (`prometheus_tsdb_head_series`) | %d active this hour (`vm_cache_entries{type=\"storage/hour_metric_ids\"}`); %s in the index (`/api/v1/series/count`); %s today (`/api/v1/status/tsdb` totalSeries) |\n", hs, hid, vc, vt
      printf "| samples/s over the window | %.0f (`prometheus_tsdb_head_samples_appended_total`) | %.0f (`vm_rows_inserted_total`) |\n", (a[NR] - a0) / (t[NR] - t0), (r[NR] - r0) / (t[NR] - t0)
      if (t[NR] > t[k]) printf "| samples/s, last %d s | %.0f | %.0f |\n", t[NR] - t[k], (a[NR] - a[k]) / (t[NR] - t[k]), (r[NR] - r[k]) / (t[NR] - t[k])
    }' "$S"
  echo
  echo "Per node: $(fmt "$scraped_med" %.0f) samples per scrape (median over nodes, \`scrape_samples_scraped\`), max $(fmt "$scraped_max" %.0f),"
  echo "\`$SLOW\` $(fmt "$scraped_slow" %.0f). Series per node in Prometheus' head including the recorded ones"
  echo "(\`count by (instance) ({__name__=~\".+\"})\`): median $(median <<<"$head_per_node"), max $(sort -g <<<"$head_per_node" | tail -1)."
  echo "Series created by scrapes during the window (\`scrape_series_added\`, summed): $(fmt "$series_added" %.0f) (churn; 0 when every series existed at the start)."
  awk 'NR == 1 { f0 = $19; d0 = $20 } { f = $19; d = $20 } END {
    printf "Remote write: %s samples failed, %s dropped over the window.\n", (f == "nan" ? "n/a" : f - f0), (d == "nan" ? "n/a" : d - d0) }' "$S"
  echo

  echo "## 2. Per-node scrape"
  echo
  echo "| node | body, identity | body, gzip | gzip / identity |"
  echo "|---|---|---|---|"
  awk -v n="${NAMES[0]}" -v p="$body_fast_plain" -v g="$body_fast_gz" 'BEGIN { printf "| %s | %s bytes | %s bytes | %s |\n", n, p, g, (p > 0 ? sprintf("%.1f %%", 100 * g / p) : "n/a") }'
  awk -v n="$SLOW" -v p="$body_slow_plain" -v g="$body_slow_gz" 'BEGIN { printf "| %s | %s bytes | %s bytes | %s |\n", n, p, g, (p > 0 ? sprintf("%.1f %%", 100 * g / p) : "n/a") }'
  echo
  echo "Bodies fetched with curl at the end of the window (\`--compressed\`: the bytes on the wire, as Prometheus asks for gzip)."
  echo "\`scrape_duration_seconds\` over the window: median over nodes of each node's mean $(fmt "$scrape_dur_med" '%.4f') s, max over nodes and"
  echo "scrapes $(fmt "$scrape_dur_max" '%.4f') s. Across $NODES nodes: about $(awk -v g="$body_fast_gz" -v n="$NODES" -v s="$SCRAPE_SECONDS" 'BEGIN { printf "%.0f", g * n / s }') gzip bytes/s scraped."
  echo

  echo "## 3. CPU and memory"
  echo
  echo "CPU: utime + stime deltas from /proc over the window, in cores (1.00 = one CPU busy all the time). RSS: VmRSS."
  echo
  echo "| process | CPU, cores | RSS steady | RSS peak |"
  echo "|---|---|---|---|"
  awk -v sa="$STEADY_AFTER" '
    function med(arr, n,   i, j, x) { for (i = 2; i <= n; i++) { x = arr[i]; for (j = i - 1; j >= 1 && arr[j] > x; j--) arr[j + 1] = arr[j]; arr[j + 1] = x }
      return n ? (n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2) : -1 }
    NR == 1 { t0 = $1; pc0 = $3; vc0 = $5 }
    { t = $1; pc = $3; vc = $5; if ($4 > pp) pp = $4; if ($6 > vp) vp = $6
      if ($1 >= sa) { ps[++n] = $4; vs[n] = $6; ws[n] = $16; wn[n] = $15 }
      if ($16 > wp) wp = $16; if ($15 > wmax) wmax = $15
      tot = $4 + $6 + $16 + $17; if (tot > tp) tp = tot
      if (NR == 1 || $13 < ma) ma = $13; if ($18 > lmax) lmax = $18 }
    END {
      w = t - t0
      printf "| Prometheus | %.3f | %.0f MiB | %.0f MiB |\n", (pc - pc0) / w, med(ps, n) / 1024, pp / 1024
      printf "| VictoriaMetrics | %.3f | %.0f MiB | %.0f MiB |\n", (vc - vc0) / w, med(vs, n) / 1024, vp / 1024
      printf "WORKERS %.0f %.0f %d %s\n", med(ws, n) / 1024, wp / 1024, wmax, med(wn, n)
      printf "TOTAL %.0f %.0f %.2f\n", tp / 1024, ma / 1024, lmax
    }' "$S" >"$TMP/samples/resources.txt"
  grep '^|' "$TMP/samples/resources.txt"
  local D=$TMP/samples/daemons.txt
  awk -v sa="$STEADY_AFTER" -v nodes="$NODES" '
    { if (!($2 in first)) { first[$2] = $1; s0[$2] = $4; r0[$2] = $5 } last[$2] = $1; s1[$2] = $4; r1[$2] = $5
      if ($3 > peak) { peak = $3; peakn = $2 } }
    END {
      for (n in first) { w = last[n] - first[n]; if (w > 0) { self += (s1[n] - s0[n]) / w; tree += (r1[n] - r0[n]) / w } }
      printf "| daemons (all %d, without workers) | %.3f (%.4f per daemon) | see below | %.0f MiB (one daemon, %s) |\n", nodes, self, self / nodes, peak / 1024, peakn
      printf "| workers (\"benchdaemon __worker\") | %.3f | see below | see below |\n", tree - self
      printf "| daemons and workers | %.3f (%.4f per node) | | |\n", tree, tree / nodes
    }' "$D"
  echo
  local per_node
  per_node=$(awk -v sa="$STEADY_AFTER" '$1 >= sa { print $2, $3 }' "$D" | sort -k1,1 -k2,2g | awk '
    { v[$1, ++c[$1]] = $2 } END { for (n in c) { k = c[n]; print (k % 2 ? v[n, (k + 1) / 2] : (v[n, k / 2] + v[n, k / 2 + 1]) / 2) / 1024 } }')
  read -r _ wsteady wpeak wmax wmed <<<"$(grep '^WORKERS' "$TMP/samples/resources.txt")"
  read -r _ total_peak memavail_min load_max <<<"$(grep '^TOTAL' "$TMP/samples/resources.txt")"
  echo "Daemon RSS, steady, per node: median $(fmt "$(median <<<"$per_node")" %.0f) MiB, max $(fmt "$(sort -g <<<"$per_node" | tail -1)" %.0f) MiB"
  echo "(each node's median over the steady samples, then median and max over nodes)."
  echo "Workers alive at a sample: median $wmed, max $wmax; their RSS summed: steady $wsteady MiB, peak $wpeak MiB. A worker"
  echo "lives from a canary run until \`Workers:IdleTimeout\` (30 s) after it; workers' CPU is counted from the daemons'"
  echo "cutime + cstime (reaped workers) and the live workers' own utime + stime."
  echo "All of it together (Prometheus + VictoriaMetrics + daemons + workers): peak RSS sum $total_peak MiB at one sample;"
  echo "lowest MemAvailable $memavail_min MiB; highest 1-minute load average $load_max."
  echo

  echo "## 4. Bytes on disk"
  echo
  echo "| store | size at window start | size at end | growth over ${WINDOW} s | per node per day (extrapolated) |"
  echo "|---|---|---|---|---|"
  awk -v nodes="$NODES" 'NR == 1 { t0 = $1; v0 = $7; p0 = $8 } { t = $1; v = $7; p = $8 }
    END { h = (t - t0) / 3600
      printf "| VictoriaMetrics (`-storageDataPath`) | %.1f MiB | %.1f MiB | %.1f MiB | %.2f MiB |\n", v0 / 1048576, v / 1048576, (v - v0) / 1048576, (v - v0) / nodes / h * 24 / 1048576
      printf "| Prometheus TSDB (`--storage.tsdb.path`) | %.1f MiB | %.1f MiB | %.1f MiB | %.2f MiB |\n", p0 / 1048576, p / 1048576, (p - p0) / 1048576, (p - p0) / nodes / h * 24 / 1048576 }' "$S"
  echo
  echo "\`du -sb\` of each data directory. The per-day figures extrapolate a ${WINDOW}-second window linearly: VictoriaMetrics"
  echo "compresses further in background merges of its parts, so a longer run settles lower; Prometheus keeps the first two hours"
  echo "in its write-ahead log and head (no block is compacted in a window under 2 h), whose size is not the long-term size."
  echo

  echo "## 5. Rule evaluation"
  echo
  local M=$TMP/samples/prometheus-metrics-end.txt
  echo "| group | rules | last evaluation | max over the samples | evaluation failures | iterations missed |"
  echo "|---|---|---|---|---|---|"
  jq -r '.data.groups[]? | "\(.name) \(.rules | length)"' "$TMP/samples/rules.json" | while read -r g n; do
    printf '| %s | %s | %s ms | %s ms | %s | %s |\n' "$g" "$n" \
      "$(ms "$(msum "$M" prometheus_rule_group_last_duration_seconds ";$g\"")")" \
      "$(awk -v g="$g" '$2 == g && $3 > m { m = $3 } END { printf "%.2f", m * 1000 }' "$RULE_SAMPLES")" \
      "$(fmt "$(msum "$M" prometheus_rule_evaluation_failures_total ";$g\"")" %.0f)" \
      "$(fmt "$(msum "$M" prometheus_rule_group_iterations_missed_total ";$g\"")" %.0f)"
  done
  echo
  local failures unhealthy
  failures=$(fmt "$(msum "$M" prometheus_rule_evaluation_failures_total)" %.0f)
  unhealthy=$(jq -r '[.data.groups[]?.rules[]? | select(.health != "ok")] | length' "$TMP/samples/rules.json" 2>/dev/null || echo n/a)
  echo "\`prometheus_rule_evaluation_failures_total\`, all groups: **$failures** (must be 0); rules whose health is not \"ok\": $unhealthy."
  jq -r '.data.groups[]?.rules[]? | select(.health != "ok") | "- \(.name): \(.lastError // .health)"' "$TMP/samples/rules.json" 2>/dev/null || true
  echo

  echo "## 6. Fleet-outlier alert (\`BenchDaemonCanaryFleetOutlier\`, for: $ALERT_FOR)"
  echo
  local A=$TMP/samples/alerts.txt
  echo "| instance | canary | batch | pending since (activeAt) | first seen firing | last seen firing |"
  echo "|---|---|---|---|---|---|"
  awk -v t0="$T0" '$2 == "BenchDaemonCanaryFleetOutlier" {
      k = $4 " | " $5 " | " $6; if (!(k in act)) { act[k] = $7; keys[++n] = k }
      if ($3 == "firing") { if (!(k in ff)) ff[k] = $1; lf[k] = $1 } }
    END { for (i = 1; i <= n; i++) { k = keys[i]
      printf "| %s | t = %+d s | %s | %s |\n", k, act[k] - t0, (k in ff) ? sprintf("t = %+d s", ff[k] - t0) : "never", (k in lf) ? sprintf("t = %+d s", lf[k] - t0) : "–" } }' "$A"
  echo
  echo "Times are relative to the start of the window (all daemons up); the alert was polled every ${POLL_SECONDS} s."
  echo "Every instance that fired at any time (\`max_over_time(ALERTS{alertname=\"BenchDaemonCanaryFleetOutlier\",alertstate=\"firing\"}[$RUN_RANGE])\`):"
  echo "**${fired_ever:-none}**; pending at any time: ${pending_ever:-none}."
  if [[ $fired_ever == "$SLOW" ]]; then echo "Goal (fired for $SLOW only): **met**."; else echo "Goal (fired for $SLOW only): **missed**."; fi
  echo
  echo "p50 of canary fleet, batch 1, at the end: $SLOW $(ms "$slow_p50" %.3f) ms, median of the fast nodes $(ms "$median_fast_p50" %.3f) ms."
  echo "Ratio to the fleet median (\`instance_canary:benchdaemon_canary_last_latency_seconds:ratio_median{stat=\"p50\"}\`) at the end:"
  echo "$SLOW $(awk -v s="$SLOW" '$1 == s { printf "%s%s batch %s: %.1f", (n++ ? ", " : ""), $2, $3, $4 }' <<<"$ratios_end");"
  echo "highest ratio of any fast node at any evaluation: $(fmt "$fast_ratio_max" %.2f) (threshold 1.5)."
  echo
  echo "Canary runs by status over the fleet at the end: $(paste -sd ';' <<<"$runs_by_status" | sed 's/;/, /g')."
  echo
  echo "Other alerts active at the end of the window:"
  echo
  local other
  other=$(awk -v last="$(awk 'END { print $1 }' "$A")" '$1 == last && $2 != "BenchDaemonCanaryFleetOutlier" { print $2, $3 }' "$A" | sort | uniq -c)
  if [[ -n $other ]]; then awk '{ printf "- %s %s: %d\n", $2, $3, $1 }' <<<"$other"; else echo "- none"; fi
  if grep -q BenchDaemonGpuPowerThrottling <<<"$other"; then
    echo
    echo "(The fake NVML reports clock-event reason 0x4, software power cap, on every GPU unless its script says otherwise:"
    echo "BenchDaemonGpuPowerThrottling is expected for every GPU of every node.)"
  fi
  echo

  echo "## 7. Dashboard queries against VictoriaMetrics"
  echo
  echo "Every panel target and annotation \`expr\` of grafana/dashboards/*.json (rows' nested panels included),"
  echo "sent to VictoriaMetrics' \`/api/v1/query\` at the end of the window (instant) and to \`/api/v1/query_range\`"
  echo "over the window (step $(( SCRAPE_SECONDS > 60 ? SCRAPE_SECONDS : 60 )) s). \`\$__interval\` = $INTERVAL, \`\$__rate_interval\` = $RATE_INTERVAL (4 x scrape interval),"
  echo "\`\$__range\` = $RANGE; \`\$instance\`, \`\$canary\`, \`\$gpu\` as Grafana's \"All\": every value of the variable's"
  echo "\`label_values()\` in VictoriaMetrics, as a regex alternation ($(paste -sd ';' "$TMP/samples/variables.txt" | sed 's/;/, /g'))."
  echo
  echo "| dashboard | queries | with data (instant) | with data (range) | errors |"
  echo "|---|---|---|---|---|"
  awk -F'\t' '{ d[$1] = 1; q[$1]++; if ($3 == "error") e[$1]++; else { if ($4 > 0) i[$1]++; if ($5 > 0) r[$1]++ } }
    END { for (k in d) printf "| %s | %d | %d | %d | %d |\n", k, q[k], i[k], r[k], e[k] }' "$DQ" | sort
  awk -F'\t' '{ q++; if ($3 == "error") e++; else { if ($4 > 0) i++; if ($5 > 0) r++ } }
    END { printf "| all | %d | %d | %d | %d |\n", q, i, r, e }' "$DQ"
  echo
  if awk -F'\t' '$3 == "error"' "$DQ" | grep -q .; then
    echo "Errors:"
    echo
    awk -F'\t' '$3 == "error" { printf "- %s / %s: %s\n", $1, $2, $5 }' "$DQ"
    echo
  fi
  local nodata
  nodata=$(awk -F'\t' '$3 == "ok" && $4 == 0' "$DQ")
  if [[ -n $nodata ]]; then
    echo "Queries without data at the end (instant query), and why:"
    echo
    local d w r b64 ex absent reason
    while IFS=$'\t' read -r d w _ _ r b64; do
      ex=$(base64 -d <<<"$b64")
      absent=$(absent_names "$ex")
      if [[ -n $absent ]]; then
        reason="no series of \`${absent// /\`, \`}\` during the window$(why_absent "${absent%% *}")"
      else
        reason="every metric it reads has series; its selector or comparison keeps none"
        case $ex in
          *'status="skipped"'*) reason+=": no skipped runs" ;;
          *'status="failed"'*) reason+=": no failed runs" ;;
          *benchdaemon_regression_active*) reason+=": no regression open" ;;
          *) reason+=" (\`$(tr '\n' ' ' <<<"$ex" | sed 's/  */ /g; s/ $//')\`)" ;;
        esac
      fi
      (( r <= 0 )) || reason+="; has data earlier in the window"
      printf -- '- %s / %s: %s\n' "$d" "$w" "$reason"
    done <<<"$nodata"
    echo
  fi

  echo "## 8. Logs"
  echo
  local perr pwarn verr vwarn
  perr=$(grep -c 'level=error' "$TMP/prometheus/log" || true); pwarn=$(grep -c 'level=warn' "$TMP/prometheus/log" || true)
  verr=$(grep -cP '\terror\t' "$TMP/vm/log" || true); vwarn=$(grep -cP '\twarn\t' "$TMP/vm/log" || true)
  echo "Prometheus: $perr error and $pwarn warning lines; VictoriaMetrics: $verr error and $vwarn warning lines."
  local clef_levels
  clef_levels=$(cat "$TMP"/nodes/*/state/logs/*.clef 2>/dev/null | jq -r 'select(."@l" == "Error" or ."@l" == "Warning" or ."@l" == "Fatal") | [."@l", ."@mt"] | @tsv' 2>/dev/null \
    | sort | uniq -c | sort -rn | head -8 || true)
  if [[ -n $clef_levels ]]; then
    echo "Daemons' logs, warnings and errors over all nodes (count, level, message template):"
    echo
    awk -F'\t' '{ split($1, a, " "); printf "- %s %s: %s\n", a[1], a[2], $2 }' <<<"$clef_levels"
  else
    echo "Daemons' logs: no warnings or errors on any node."
  fi
  grep -hE 'level=(error|warn)' "$TMP/prometheus/log" 2>/dev/null | sed -E 's/^ts=[^ ]+ //' | cut -c1-200 | sort | uniq -c | sort -rn | head -3 | sed 's/^ */- Prometheus: /' || true
  grep -hP '\t(error|warn)\t' "$TMP/vm/log" 2>/dev/null | cut -f2- | cut -c1-200 | sort | uniq -c | sort -rn | head -3 | sed 's/^ */- VictoriaMetrics: /' || true
  echo
}

report >"$TMP/report.md"
cat "$TMP/report.md"
mkdir -p "$RESULTS_DIR"
REPORT=$RESULTS_DIR/fleet-$(date -u +%Y%m%dT%H%M%SZ).md
cp "$TMP/report.md" "$REPORT"
log "report written to $REPORT"
