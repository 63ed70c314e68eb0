#!/usr/bin/env bash
# GPU probe check and benchmark on a real NVIDIA GPU (issue F2), written for the H100 machine.
# Run in the repository root with a self-contained benchdaemon at ./.gpu/benchdaemon; every
# output goes to "$OUT" (default bench/nvml/results/h100-<UTC date>). Needs nvidia-smi;
# python3 with pynvml (nvidia-ml-py) and torch are used when present. No network access is needed.
#   1. probe --json and nvidia-smi --query-gpu taken back to back
#   2. energy over 10 s: NVML counter delta through benchdaemon vs nvidia-smi's
#      total_energy_consumption vs integrated nvidia-smi power.draw
#   3. cost: benchdaemon probe --gpu-benchmark vs one nvidia-smi --query-gpu call vs pynvml
#   4. under load (PyTorch bf16 matmul loop): probe --json, nvidia-smi and the daemon's /metrics
# Each step is guarded: a failing step is recorded in summary.txt and the next one runs.
set -u
OUT="${OUT:-$PWD/bench/nvml/results/h100-$(date -u +%Y%m%d)}"
BIN="${BIN:-./.gpu/benchdaemon}"
mkdir -p "$OUT"
SUMMARY="$OUT/summary.txt"
STATE=$(mktemp -d)
trap 'rm -rf "$STATE"; [ -n "${LOAD_PID:-}" ] && kill "$LOAD_PID" 2>/dev/null; [ -n "${DAEMON_PID:-}" ] && kill "$DAEMON_PID" 2>/dev/null' EXIT
: > "$SUMMARY"

say() { echo "$*" | tee -a "$SUMMARY"; }
now() { date +%s.%N; }
bd() { "$BIN" "$@" --set "State:Directory=$STATE" --set Logs:File=false --set Defaults:Canaries=false; }
step() { # step NAME COMMAND...: run a step function, record ok/failed
    local name=$1; shift
    say "== $name"
    if "$@" >>"$OUT/$name.log" 2>&1; then say "-- $name: ok"; else say "-- $name: FAILED (exit $?), see $name.log"; fi
}

FIELDS="utilization.gpu,utilization.memory,power.draw,memory.used,memory.total,clocks.sm,clocks.mem,clocks.gr,temperature.gpu,clocks_event_reasons.active,pstate"
# clocks_event_reasons.* arrived with driver r535; older nvidia-smi only knows clocks_throttle_reasons.*.
if ! nvidia-smi --query-gpu="$FIELDS" --format=csv >/dev/null 2>&1; then
    FIELDS="${FIELDS/clocks_event_reasons.active/clocks_throttle_reasons.active}"
fi

environment() {
    uname -a
    nvidia-smi
    nvidia-smi --query-gpu=name,uuid,driver_version,pci.bus_id,power.limit,clocks.max.sm,clocks.max.mem --format=csv
    "$BIN" --version
    python3 -c 'import sys; print(sys.version)' || true
    python3 -c 'import pynvml; print("pynvml", getattr(pynvml, "__version__", "?"))' || echo "pynvml not importable"
    python3 -c 'import torch; print("torch", torch.__version__, torch.cuda.is_available())' || echo "torch not importable"
}

# 1. Our sample and nvidia-smi's, back to back (both directions, so the order effect shows).
side_by_side() {
    echo "t=$(now) nvidia-smi"; nvidia-smi --query-gpu="$FIELDS" --format=csv | tee "$OUT/1-smi-before.csv"
    echo "t=$(now) probe"; bd probe --json --window 00:00:01 > "$OUT/1-probe.json"
    echo "t=$(now) nvidia-smi"; nvidia-smi --query-gpu="$FIELDS" --format=csv | tee "$OUT/1-smi-after.csv"
    bd probe > "$OUT/1-probe-table.txt"
    python3 - "$OUT/1-probe.json" <<'PY' || true
import json, sys
d = json.load(open(sys.argv[1]))["gpu"]
print("probe up:", d["up"], d.get("reason"))
for g in d["gpus"]:
    c = g.get("clocks") or {}
    print("gpu %d util %s%% memutil %s%% power %s W used %s MiB sm %s MHz mem %s MHz gr %s MHz temp %s C P%s reasons %s energy %s J (%s)" % (
        g["index"], None if g.get("utilization") is None else round(100*g["utilization"]),
        None if g.get("memoryUtilization") is None else round(100*g["memoryUtilization"]), g.get("powerWatts"),
        None if g.get("memoryUsedBytes") is None else g["memoryUsedBytes"] // 1048576,
        None if c.get("smHertz") is None else c["smHertz"] / 1e6, None if c.get("memoryHertz") is None else c["memoryHertz"] / 1e6,
        None if c.get("graphicsHertz") is None else c["graphicsHertz"] / 1e6, g.get("temperatureCelsius"), g.get("performanceState"),
        g.get("clockEventReasons"), g.get("energyJoules"), g.get("energySource")))
PY
}

# 2. Energy over 10 s, three ways.
energy_window() {
    nvidia-smi --query-gpu=index,power.draw --format=csv,noheader,nounits -lms 100 > "$OUT/2-power-trace.csv" 2>&1 &
    local trace=$!
    local t0 t1
    t0=$(now); nvidia-smi --query-gpu=index,total_energy_consumption --format=csv,noheader,nounits > "$OUT/2-smi-energy-0.csv"
    bd probe --json --window 00:00:00.010 > "$OUT/2-probe-0.json"
    sleep 10
    t1=$(now); nvidia-smi --query-gpu=index,total_energy_consumption --format=csv,noheader,nounits > "$OUT/2-smi-energy-1.csv"
    bd probe --json --window 00:00:00.010 > "$OUT/2-probe-1.json"
    kill "$trace" 2>/dev/null; wait "$trace" 2>/dev/null
    python3 - "$OUT" "$t0" "$t1" <<'PY'
import json, sys
out, t0, t1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
def smi(path):
    r = {}
    for line in open(path):
        parts = [p.strip() for p in line.split(",")]
        if len(parts) == 2:
            try: r[int(parts[0])] = float(parts[1]) / 1000.0  # mJ -> J
            except ValueError: r[int(parts[0])] = None
    return r
def ours(path):
    return {g["index"]: (g.get("energyJoules"), g.get("energySource")) for g in json.load(open(path))["gpu"]["gpus"]}
s0, s1 = smi(out + "/2-smi-energy-0.csv"), smi(out + "/2-smi-energy-1.csv")
o0, o1 = ours(out + "/2-probe-0.json"), ours(out + "/2-probe-1.json")
trace = {}
for line in open(out + "/2-power-trace.csv"):
    parts = [p.strip() for p in line.split(",")]
    try: trace.setdefault(int(parts[0]), []).append(float(parts[1]))
    except (ValueError, IndexError): pass
for i in sorted(o0):
    ours_d = None if o0[i][0] is None or o1[i][0] is None else o1[i][0] - o0[i][0]
    smi_d = None if s0.get(i) is None or s1.get(i) is None else s1[i] - s0[i]
    p = trace.get(i, [])
    integ = sum(p) / len(p) * (t1 - t0) if p else None
    print("gpu %d over %.2f s: benchdaemon counter delta %s J (%s), nvidia-smi total_energy_consumption delta %s J, nvidia-smi power.draw mean %s W x time = %s J" % (
        i, t1 - t0, None if ours_d is None else round(ours_d, 2), o0[i][1], None if smi_d is None else round(smi_d, 2),
        None if not p else round(sum(p) / len(p), 2), None if integ is None else round(integ, 2)))
PY
}

# 3a. Our per-GPU cost.
cost_ours() {
    bd probe --gpu-benchmark --iterations 2000 --json > "$OUT/3-benchdaemon-benchmark.json"
    bd probe --gpu-benchmark --iterations 2000 | tee "$OUT/3-benchdaemon-benchmark.txt"
}

# 3b. One nvidia-smi --query-gpu call for the same fields (what nvidia_gpu_exporter runs per scrape), 20 times.
cost_smi() {
    local i start end
    : > "$OUT/3-smi-times-us.txt"
    for i in $(seq 1 21); do
        start=$(date +%s%N); nvidia-smi --query-gpu="$FIELDS" --format=csv >/dev/null; end=$(date +%s%N)
        [ "$i" -gt 1 ] && echo $(( (end - start) / 1000 )) >> "$OUT/3-smi-times-us.txt"
    done
    python3 -c '
import statistics, sys
v = sorted(int(x) for x in open(sys.argv[1]))
print("nvidia-smi --query-gpu (%d calls): median %.0f us, min %d us, max %d us" % (len(v), statistics.median(v), v[0], v[-1]))
' "$OUT/3-smi-times-us.txt"
}

# 3c. The same NVML calls through Python's pynvml (nvidia-ml-py).
cost_pynvml() {
    python3 - <<'PY'
import time
try:
    import pynvml
except ImportError as e:
    print("pynvml not importable:", e); raise SystemExit(0)
pynvml.nvmlInit()
def bench(name, fn, n):
    fn()
    t = []
    for _ in range(n):
        s = time.perf_counter_ns(); fn(); t.append(time.perf_counter_ns() - s)
    t.sort()
    print("%-40s n=%5d median %9.2f us  p99 %9.2f us  min %9.2f us" % (name, n, t[n // 2] / 1e3, t[min(n - 1, int(n * 0.99))] / 1e3, t[0] / 1e3))
for i in range(pynvml.nvmlDeviceGetCount()):
    h = pynvml.nvmlDeviceGetHandleByIndex(i)
    print("gpu", i, pynvml.nvmlDeviceGetName(h))
    bench("nvmlDeviceGetUtilizationRates", lambda: pynvml.nvmlDeviceGetUtilizationRates(h), 2000)
    bench("nvmlDeviceGetPowerUsage", lambda: pynvml.nvmlDeviceGetPowerUsage(h), 2000)
    bench("nvmlDeviceGetTemperature", lambda: pynvml.nvmlDeviceGetTemperature(h, 0), 2000)
    try:
        bench("nvmlDeviceGetTotalEnergyConsumption", lambda: pynvml.nvmlDeviceGetTotalEnergyConsumption(h), 200)
    except pynvml.NVMLError as e:
        print("nvmlDeviceGetTotalEnergyConsumption:", e)
    bench("nvmlDeviceGetPcieThroughput (TX)", lambda: pynvml.nvmlDeviceGetPcieThroughput(h, 0), 20)
pynvml.nvmlShutdown()
PY
}

# 4. Under load: bf16 matmul on every GPU for ~40 s; sample from 12 s on.
under_load() {
    if ! python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
        echo "torch with CUDA not available: no load run"; return 1
    fi
    python3 - > "$OUT/4-load.log" 2>&1 <<'PY' &
import time, torch
devices = [torch.device("cuda", i) for i in range(torch.cuda.device_count())]
mats = [(torch.randn(8192, 8192, device=d, dtype=torch.bfloat16), torch.randn(8192, 8192, device=d, dtype=torch.bfloat16)) for d in devices]
end, n = time.time() + 40, 0
while time.time() < end:
    for a, b in mats:
        c = a @ b
    n += 1
    if n % 50 == 0:
        torch.cuda.synchronize()
torch.cuda.synchronize()
print("matmul iterations per GPU:", n, "TFLOP/s per GPU ~", round(n * 2 * 8192**3 / 40 / 1e12, 1))
PY
    LOAD_PID=$!
    local port=19847
    bd run --set "Metrics:Listen=127.0.0.1:$port" > "$OUT/4-daemon.log" 2>&1 &
    DAEMON_PID=$!
    sleep 12
    local k
    for k in 1 2 3; do
        echo "t=$(now) sample $k"
        nvidia-smi --query-gpu="$FIELDS,power.limit" --format=csv | tee "$OUT/4-smi-$k.csv"
        bd probe --json --window 00:00:01 > "$OUT/4-probe-$k.json"
        nvidia-smi --query-gpu="$FIELDS,power.limit" --format=csv >> "$OUT/4-smi-$k.csv"
        (curl -s "http://127.0.0.1:$port/metrics" || python3 -c "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:$port/metrics').read().decode())") > "$OUT/4-metrics-$k.txt"
        grep -E '^benchdaemon_gpu_(power_watts|power_limit_watts|utilization_ratio|clock_hertz\{[^}]*sm|clock_event_active\{[^}]*sw_power_cap|clock_event_seconds_total\{[^}]*power|energy_joules_total|temperature_celsius)' "$OUT/4-metrics-$k.txt"
        sleep 5
    done
    bd probe --gpu-benchmark --iterations 1000 > "$OUT/4-benchmark-under-load.txt" 2>&1
    kill "$DAEMON_PID" 2>/dev/null; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=
    wait "$LOAD_PID"; LOAD_PID=
    cat "$OUT/4-load.log"
    python3 - "$OUT" <<'PY' || true
import json, sys
for k in (1, 2, 3):
    d = json.load(open("%s/4-probe-%d.json" % (sys.argv[1], k)))["gpu"]
    for g in d["gpus"]:
        lim = g["identity"].get("powerLimitWatts")
        print("load sample %d gpu %d: power %s W of %s W limit (%.0f%%), util %s, sm %s MHz, reasons %s" % (
            k, g["index"], g.get("powerWatts"), lim, 100.0 * (g.get("powerWatts") or 0) / (lim or 1),
            g.get("utilization"), (g.get("clocks") or {}).get("smHertz", 0) / 1e6, g.get("clockEventReasons")))
PY
}

if [ ! -x "$BIN" ]; then
    say "no executable at $BIN (publish a self-contained build there first)"; exit 1
fi
step 0-environment environment
step 1-side-by-side side_by_side
step 2-energy-10s energy_window
step 3a-cost-benchdaemon cost_ours
step 3b-cost-nvidia-smi cost_smi
step 3c-cost-pynvml cost_pynvml
step 4-under-load under_load
# The key lines of every step, for the closing note.
for f in 1-side-by-side 2-energy-10s 3a-cost-benchdaemon 3b-cost-nvidia-smi 3c-cost-pynvml 4-under-load; do
    echo "---- $f" >> "$SUMMARY"
    grep -E '^(gpu|probe up|nvidia-smi --query|nvmlDevice|load sample|matmul|pynvml|torch|│ [0-9])' "$OUT/$f.log" >> "$SUMMARY" 2>/dev/null || true
done
cat "$SUMMARY"
