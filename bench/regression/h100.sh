#!/usr/bin/env bash
# The F6 "Done when" on a GPU machine without .NET: bench/regression/inject.sh with the
# self-contained build in .gpu/ (see bench/regression/README.md), twice:
#   gpu  a cuda:gemm BF16 4096³ canary every 4 s, GPU-busy guard off, and a PyTorch BF16 matmul
#        loop on the same GPU as the competitor (bench/regression/gpu_competitor.py);
#   cpu  the default one-thread builtin:resnet-mini canary pinned to CPU 2 with a busy loop there.
# Usage: OUT=dir bench/regression/h100.sh [gpu] [cpu]   (default both; results under $OUT/<which>/,
#        $OUT by default bench/regression/results/h100-<UTC date>)
set -eu
root="$(cd "$(dirname "$0")/../.." && pwd)"
OUT=${OUT:-$root/bench/regression/results/h100-$(date -u +%Y%m%d)}
BIN=${BIN:-$root/.gpu/benchdaemon}
[ -x "$BIN" ] || { [ -f "$BIN.xz" ] && xz -d -T0 "$BIN.xz" && chmod +x "$BIN"; }
cublas=$(ldconfig -p 2>/dev/null | awk '$1 ~ /^libcublasLt\.so\.1[23]$/ { sub(/.*=> /, ""); print; exit }')
cublas_json=${cublas:+"\"Cuda\": { \"LibraryDirectory\": \"$(dirname "$cublas")\" }"}
for which in "${@:-gpu cpu}"; do
  for w in $which; do
    mkdir -p "$OUT/$w"
    case "$w" in
      gpu)
        BIN="$BIN" SKIP_BUILD=1 PIN=0 RESULTS_DIR="$OUT/gpu" EXTRA_JSON="$cublas_json" \
        CANARY='{ "Name": "inject", "Model": "cuda:gemm", "Precision": "BF16", "Size": 4096, "Interval": "00:00:04",
          "Measure": { "MinIterations": 50, "MinDuration": "00:00:01", "WarmupMaxDuration": "00:00:00.500", "Budget": "00:00:20" } }' \
        COMPETITOR="python3 $root/bench/regression/gpu_competitor.py 0 8192" \
          "$root/bench/regression/inject.sh" > /dev/null ;;
      cpu)
        BIN="$BIN" SKIP_BUILD=1 CPU=2 RESULTS_DIR="$OUT/cpu" "$root/bench/regression/inject.sh" > /dev/null ;;
    esac
  done
done
