#!/usr/bin/env bash
# GPU micro-canaries on a real GPU (issue F8), with PyTorch as the reference, side by side.
#
# Run in the repository root on the GPU machine, with a self-contained benchdaemon at
# ./.gpu/benchdaemon (dotnet publish src/BenchDaemon -c Release -r linux-x64 --self-contained
# -o .gpu); needs no .NET and no network. Everything goes to "$OUT" (default
# bench/cuda/results/h100-<UTC date>):
#
#   environment.txt        GPU, driver, PCIe link as nvidia-smi sees it, the cuBLASLt directory used
#   config.json            the canaries: cuda:gemm 8192³ in FP32, TF32, FP16, BF16, INT8, FP8;
#                          cuda:memcpy 1 GiB; cuda:pcie 256 MiB
#   once-table.txt         benchdaemon once (the table, with the "GPU micro-canaries" table)
#   once.json              benchdaemon once --json (second run)
#   nvidia-smi.csv         power, SM and memory clocks, clock-event reasons every 500 ms during both runs
#   metrics.txt            /metrics of `benchdaemon run` after the scheduled micro-canaries ran once
#   pytorch.json           the PyTorch reference: matmul TFLOP/s per dtype at 8192³, D2D copy GB/s
#                          (read + written), pinned H2D / D2H GB/s
#   summary.md             both side by side, with power and clocks during each run
#
# Tunables (environment): OUT, BENCHDAEMON (binary), GEMM_SIZE=8192, MEMCPY_MIB=1024, PCIE_MIB=256,
# MIN_DURATION=00:00:04 (measured seconds per canary), CUBLAS_DIR (skip discovery), SKIP_TORCH=0,
# SKIP_ONCE=0 (skip the two `once` runs), SKIP_METRICS=0, METRICS_PORT=19847.
set -uo pipefail
export LC_ALL=C

OUT=${OUT:-$PWD/bench/cuda/results/h100-$(date -u +%Y%m%d)}
BENCHDAEMON=${BENCHDAEMON:-$PWD/.gpu/benchdaemon}
GEMM_SIZE=${GEMM_SIZE:-8192}
MEMCPY_MIB=${MEMCPY_MIB:-1024}
PCIE_MIB=${PCIE_MIB:-256}
MIN_DURATION=${MIN_DURATION:-00:00:04}
SKIP_TORCH=${SKIP_TORCH:-0}
SKIP_ONCE=${SKIP_ONCE:-0}
SKIP_METRICS=${SKIP_METRICS:-0}
METRICS_PORT=${METRICS_PORT:-19847}
mkdir -p "$OUT"
SCRATCH=$(mktemp -d)
STARTED_PIDS=()

log() { printf '[h100 %(%H:%M:%S)T] %s\n' -1 "$*" | tee -a "$OUT/run.log" >&2; }

cleanup() {
  for pid in "${STARTED_PIDS[@]}"; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  cp "$SCRATCH"/state/logs/*.clef "$OUT"/ 2>/dev/null
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

[ -x "$BENCHDAEMON" ] || { log "no executable benchdaemon at $BENCHDAEMON"; exit 1; }
PYTHON=$(command -v python3 || command -v python || true)

# ---------------------------------------------------------------------------
# Where is cuBLASLt? ldconfig, CUDA_HOME, /usr/local/cuda*, then PyTorch's pip wheels.
find_cublas() {
  local soname dir
  for soname in libcublasLt.so.13 libcublasLt.so.12; do
    dir=$(ldconfig -p 2>/dev/null | awk -v s="$soname" '$1 == s { sub(/.*=> /, ""); print; exit }')
    [ -n "$dir" ] && { dirname "$dir"; return; }
    for dir in ${CUDA_HOME:+"$CUDA_HOME/lib64"} ${CUDA_HOME:+"$CUDA_HOME/targets/x86_64-linux/lib"} \
               /usr/local/cuda/lib64 /usr/local/cuda-*/lib64 /usr/local/cuda-*/targets/x86_64-linux/lib \
               /usr/lib/x86_64-linux-gnu; do
      [ -e "$dir/$soname" ] && { echo "$dir"; return; }
    done
    if [ -n "$PYTHON" ]; then
      dir=$("$PYTHON" - "$soname" <<'PY' 2>/dev/null
import glob, os, sys, site
roots = list(dict.fromkeys(site.getsitepackages() + [site.getusersitepackages()] + sys.path))
for root in roots:
    for hit in sorted(glob.glob(os.path.join(root, "nvidia", "*", "lib", sys.argv[1]))):
        print(os.path.dirname(hit)); sys.exit(0)
PY
)
      [ -n "$dir" ] && { echo "$dir"; return; }
    fi
  done
}

CUBLAS_DIR=${CUBLAS_DIR:-$(find_cublas)}
SETS=(--set "State:Directory=$SCRATCH/state" --set "Defaults:Canaries=false")
if [ -n "$CUBLAS_DIR" ]; then
  SETS+=(--set "Cuda:LibraryDirectory=$CUBLAS_DIR")
fi

{
  echo "date: $(date -u +%FT%TZ)"
  echo "host: $(uname -a)"
  echo "benchdaemon: $("$BENCHDAEMON" --version 2>&1 | head -1)"
  echo "cuBLASLt directory: ${CUBLAS_DIR:-not found (the system library path is searched)}"
  ls -l "${CUBLAS_DIR:-/nonexistent}"/libcublasLt.so.* 2>/dev/null
  echo "libcuda: $(ldconfig -p 2>/dev/null | awk '$1 == "libcuda.so.1" { sub(/.*=> /, ""); print; exit }')"
  nvidia-smi --query-gpu=index,name,pci.bus_id,driver_version,pcie.link.gen.current,pcie.link.gen.max,pcie.link.width.current,pcie.link.width.max,power.limit,power.max_limit,clocks.max.sm,clocks.max.mem,temperature.gpu --format=csv 2>&1
  nvidia-smi 2>&1 | head -15
} >"$OUT/environment.txt"
log "cuBLASLt directory: ${CUBLAS_DIR:-none found}"

MEASURE="{ \"MinIterations\": 50, \"MinDuration\": \"$MIN_DURATION\", \"Budget\": \"00:01:00\", \"WarmupMaxDuration\": \"00:00:03\", \"MaxCoefficientOfVariation\": 0.25 }"
cat >"$OUT/config.json" <<EOF
{ "Canaries": [
  { "Name": "micro", "Size": $GEMM_SIZE, "Interval": "01:00:00", "Measure": $MEASURE,
    "Matrix": { "Models": ["cuda:gemm"], "Precisions": ["FP32", "TF32", "FP16", "BF16", "INT8", "FP8"] } },
  { "Name": "d2d", "Model": "cuda:memcpy", "Size": $MEMCPY_MIB, "Interval": "01:00:00", "Measure": $MEASURE },
  { "Name": "pcie", "Model": "cuda:pcie", "Size": $PCIE_MIB, "Interval": "01:00:00", "Measure": $MEASURE }
] }
EOF

# ---------------------------------------------------------------------------
# nvidia-smi every 500 ms while benchdaemon runs; the log marks each phase.
nvidia-smi --query-gpu=timestamp,power.draw,clocks.sm,clocks.mem,temperature.gpu,utilization.gpu,clocks_event_reasons.active \
  --format=csv -lms 500 >"$OUT/nvidia-smi.csv" 2>&1 &
STARTED_PIDS+=($!)
phase() { echo "$1 $(date -u +%FT%T.%3NZ)" >>"$OUT/phases.txt"; }

if [ "$SKIP_ONCE" != 1 ]; then
log "benchdaemon once (table)"
phase "table-start"
COLUMNS=220 "$BENCHDAEMON" once --config "$OUT/config.json" "${SETS[@]}" >"$OUT/once-table.txt" 2>"$OUT/once-table.stderr"
echo "exit $?" >>"$OUT/once-table.stderr"
phase "table-end"
cat "$OUT/once-table.txt" >&2

log "benchdaemon once --json"
phase "json-start"
"$BENCHDAEMON" once --json --config "$OUT/config.json" "${SETS[@]}" >"$OUT/once.json" 2>"$OUT/once.stderr"
echo "exit $?" >>"$OUT/once.stderr"
phase "json-end"
fi

# ---------------------------------------------------------------------------
# The same canaries scheduled by the daemon, exported through /metrics.
if [ "$SKIP_METRICS" != 1 ]; then
  log "benchdaemon run: scheduled micro-canaries, then /metrics"
  phase "daemon-start"
  "$BENCHDAEMON" run --config "$OUT/config.json" "${SETS[@]}" --set "Metrics:Listen=127.0.0.1:$METRICS_PORT" \
    >"$OUT/daemon.stdout" 2>"$OUT/daemon.stderr" &
  DAEMON_PID=$!
  STARTED_PIDS+=("$DAEMON_PID")
  for _ in $(seq 1 240); do
    sleep 1
    body=$( (exec 3<>"/dev/tcp/127.0.0.1/$METRICS_PORT" && printf 'GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3 && cat <&3) 2>/dev/null)
    # every configured micro-canary has run when pcie's bandwidth and all six GEMM precisions are there
    if [ "$(printf '%s\n' "$body" | grep -c '^benchdaemon_canary_last_run_timestamp_seconds{')" -ge 8 ]; then
      printf '%s\n' "$body" >"$OUT/metrics.txt"
      break
    fi
    kill -0 "$DAEMON_PID" 2>/dev/null || { log "daemon exited early"; break; }
  done
  [ -s "$OUT/metrics.txt" ] || { printf '%s\n' "${body:-}" >"$OUT/metrics.txt"; log "not every canary had run when /metrics was saved"; }
  kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
  phase "daemon-end"
fi

# ---------------------------------------------------------------------------
# PyTorch reference in the same session.
if [ "$SKIP_TORCH" != 1 ] && [ -n "$PYTHON" ] && "$PYTHON" -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
  log "PyTorch reference"
  phase "torch-start"
  GEMM_SIZE=$GEMM_SIZE MEMCPY_MIB=$MEMCPY_MIB PCIE_MIB=$PCIE_MIB "$PYTHON" - >"$OUT/pytorch.json" 2>"$OUT/pytorch.stderr" <<'PY'
import json, os, time
import torch

n = int(os.environ["GEMM_SIZE"])
dev = torch.device("cuda")
out = {"torch": torch.__version__, "cuda": torch.version.cuda, "device": torch.cuda.get_device_name(0), "size": n}

def timed(fn, seconds=4.0):
    for _ in range(10):
        fn()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record(); fn(); end.record(); torch.cuda.synchronize()
    per = max(start.elapsed_time(end) / 1000.0, 1e-6)
    iters = max(20, int(seconds / per))
    start.record()
    for _ in range(iters):
        fn()
    end.record(); torch.cuda.synchronize()
    return start.elapsed_time(end) / 1000.0 / iters

def gemm(name, make):
    try:
        fn = make()
        out.setdefault("gemm_tflops", {})[name] = 2 * n ** 3 / timed(fn) / 1e12
    except Exception as e:  # a dtype this torch or GPU lacks
        out.setdefault("gemm_errors", {})[name] = f"{type(e).__name__}: {e}"[:300]

def rand(dtype):
    return (torch.rand(n, n, device=dev) * 2 - 1).to(dtype)

def fp32():
    torch.backends.cuda.matmul.allow_tf32 = False
    a, b = rand(torch.float32), rand(torch.float32)
    return lambda: torch.matmul(a, b)

def tf32():
    a, b = rand(torch.float32), rand(torch.float32)
    def f():
        torch.backends.cuda.matmul.allow_tf32 = True
        return torch.matmul(a, b)
    return f

def half(dtype):
    def make():
        a, b = rand(dtype), rand(dtype)
        return lambda: torch.matmul(a, b)
    return make

def int8():
    a = torch.randint(-128, 127, (n, n), dtype=torch.int8, device=dev)
    b = torch.randint(-128, 127, (n, n), dtype=torch.int8, device=dev).t().contiguous().t()
    return lambda: torch._int_mm(a, b)

def fp8():
    a = rand(torch.float32).to(torch.float8_e4m3fn)
    b = rand(torch.float32).to(torch.float8_e4m3fn).t().contiguous().t()
    one = torch.tensor(1.0, device=dev)
    return lambda: torch._scaled_mm(a, b, scale_a=one, scale_b=one, out_dtype=torch.bfloat16)

gemm("FP32", fp32)
gemm("TF32", tf32)
torch.backends.cuda.matmul.allow_tf32 = False
gemm("FP16", half(torch.float16))
gemm("BF16", half(torch.bfloat16))
gemm("INT8", int8)
gemm("FP8", fp8)

copy = int(os.environ["MEMCPY_MIB"]) << 20
x = torch.empty(copy, dtype=torch.uint8, device=dev); y = torch.empty_like(x)
out["d2d_gbs_read_plus_write"] = 2 * copy / timed(lambda: y.copy_(x)) / 1e9
del x, y

pcie = int(os.environ["PCIE_MIB"]) << 20
h = torch.empty(pcie, dtype=torch.uint8, pin_memory=True); h.random_(0, 255)
d = torch.empty(pcie, dtype=torch.uint8, device=dev)
out["h2d_gbs"] = pcie / timed(lambda: d.copy_(h, non_blocking=True)) / 1e9
out["d2h_gbs"] = pcie / timed(lambda: h.copy_(d, non_blocking=True)) / 1e9
print(json.dumps(out, indent=2))
PY
  echo "exit $?" >>"$OUT/pytorch.stderr"
  phase "torch-end"
else
  log "PyTorch with CUDA not available: no reference"
  echo '{ "error": "PyTorch with CUDA not available" }' >"$OUT/pytorch.json"
fi

for pid in "${STARTED_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
sleep 1

# ---------------------------------------------------------------------------
# Summary: benchdaemon beside PyTorch, power and clocks per phase.
if [ -n "$PYTHON" ]; then
  "$PYTHON" - "$OUT" >"$OUT/summary.md" 2>>"$OUT/run.log" <<'PY'
import csv, json, os, sys
from datetime import datetime

out = sys.argv[1]
def load(name):
    try:
        with open(os.path.join(out, name)) as f:
            return json.load(f)
    except Exception as e:
        return {"error": f"{name}: {e}"}

results = load("once.json")
torch = load("pytorch.json")
print("# GPU micro-canaries: benchdaemon and PyTorch\n")
if isinstance(results, list) and results:
    print(f"Device: {results[0].get('deviceName')}; cuBLASLt: {next((r.get('effectiveProvider') for r in results if r.get('model') == 'cuda:gemm'), '-')}")
if isinstance(torch, dict) and "torch" in torch:
    print(f"PyTorch {torch['torch']} (CUDA {torch['cuda']}) on {torch['device']}\n")

print("| canary | precision | status | benchdaemon | PyTorch | benchdaemon / PyTorch | peak ratio | J/TFLOP | note |")
print("|---|---|---|---|---|---|---|---|---|")
ref_gemm = torch.get("gemm_tflops", {}) if isinstance(torch, dict) else {}
for r in results if isinstance(results, list) else []:
    status = r.get("status")
    peak = f"{r['peakRatio']:.3f}" if r.get("peakRatio") is not None else "-"
    jpf = f"{r['energyJoulesPerFlop'] * 1e12:.3f}" if r.get("energyJoulesPerFlop") is not None else "-"
    note = (r.get("reason") or "").replace("|", "/")[:120]
    if r.get("model") == "cuda:gemm":
        mine = r.get("throughputFlopsPerSecond")
        ref = ref_gemm.get(r.get("precision"))
        ratio = f"{mine / 1e12 / ref:.3f}" if mine and ref else "-"
        print(f"| {r['canary']} | {r['precision']} | {status} | {mine / 1e12:.1f} TFLOP/s |" if mine else f"| {r['canary']} | {r['precision']} | {status} | - |", end="")
        print(f" {ref:.1f} TFLOP/s | {ratio} | {peak} | {jpf} | {note} |" if ref else f" - | {ratio} | {peak} | {jpf} | {note} |")
    else:
        for direction, value in sorted((r.get("bandwidthBytesPerSecond") or {}).items()):
            key = {"device_to_device": "d2d_gbs_read_plus_write", "host_to_device": "h2d_gbs", "device_to_host": "d2h_gbs"}[direction]
            ref = torch.get(key) if isinstance(torch, dict) else None
            ratio = f"{value / 1e9 / ref:.3f}" if ref else "-"
            reft = f"{ref:.1f} GB/s" if ref else "-"
            print(f"| {r['canary']} | {direction} | {status} | {value / 1e9:.1f} GB/s | {reft} | {ratio} | {peak} | - | {note} |")
        if not r.get("bandwidthBytesPerSecond"):
            print(f"| {r['canary']} | - | {status} | - | - | - | - | - | {note} |")
        if r.get("pcieLink"):
            l = r["pcieLink"]
            print(f"| {r['canary']} | PCIe link | | Gen{l.get('currentGeneration')} x{l.get('currentWidth')} now | Gen{l.get('maxGeneration')} x{l.get('maxWidth')} max | | | | |")
if isinstance(torch, dict) and torch.get("gemm_errors"):
    print("\nPyTorch errors: " + "; ".join(f"{k}: {v}" for k, v in torch["gemm_errors"].items()))

# nvidia-smi samples per phase
phases = {}
try:
    with open(os.path.join(out, "phases.txt")) as f:
        for line in f:
            name, at = line.split()
            phases[name] = datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%fZ")
except OSError:
    pass
rows = []
try:
    with open(os.path.join(out, "nvidia-smi.csv")) as f:
        reader = csv.reader(f)
        next(reader, None)
        for row in reader:
            try:
                at = datetime.strptime(row[0].strip(), "%Y/%m/%d %H:%M:%S.%f")
                rows.append((at, float(row[1].split()[0]), float(row[2].split()[0]), float(row[3].split()[0]), row[6].strip()))
            except (ValueError, IndexError):
                continue
except OSError:
    pass
print("\n## Power and clocks during each phase (nvidia-smi, 500 ms)\n")
print("nvidia-smi timestamps are local time; phases are UTC: the machine is assumed to run in UTC.\n")
print("| phase | samples | mean W | max W | mean SM MHz | min SM MHz | mean mem MHz | clock-event reasons seen |")
print("|---|---|---|---|---|---|---|---|")
for name in ("table", "json", "daemon", "torch"):
    if f"{name}-start" not in phases:
        continue
    start, end = phases[f"{name}-start"], phases.get(f"{name}-end", datetime.max)
    sel = [r for r in rows if start <= r[0] <= end and r[1] > 0]
    if not sel:
        print(f"| {name} | 0 | | | | | | |")
        continue
    reasons = sorted({r[4] for r in sel})
    print(f"| {name} | {len(sel)} | {sum(r[1] for r in sel) / len(sel):.0f} | {max(r[1] for r in sel):.0f} | "
          f"{sum(r[2] for r in sel) / len(sel):.0f} | {min(r[2] for r in sel):.0f} | {sum(r[3] for r in sel) / len(sel):.0f} | {', '.join(reasons)} |")

try:
    metrics = open(os.path.join(out, "metrics.txt")).read().splitlines()
    wanted = [l for l in metrics if l.startswith(("benchdaemon_canary_flops_per_second", "benchdaemon_canary_peak_ratio",
                                                  "benchdaemon_canary_bandwidth_bytes_per_second", "benchdaemon_canary_energy_joules_per_flop",
                                                  "benchdaemon_canary_runs_total"))]
    print("\n## /metrics of the scheduled run\n\n```")
    print("\n".join(wanted) if wanted else "(no micro-canary series)")
    print("```")
except OSError:
    pass
PY
else
  cp "$OUT/once-table.txt" "$OUT/summary.md"
fi
log "done: $OUT/summary.md"
cat "$OUT/summary.md" >&2
