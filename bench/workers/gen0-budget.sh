#!/usr/bin/env bash
# The daemon's young-generation budget, side by side (issue G1): two daemons of the same build
# with nothing configured (the default canaries, so models are generated and measured once),
# started together: "capped" as built (System.GC.Gen0MaxBudget = 6 MiB in its runtimeconfig.json)
# and "runtime default" with DOTNET_GCGen0MaxBudget=0, the budget the runtime sizes from the
# CPU's last-level cache. Every 30 s each one's RSS, GC heap and gen0 collection count (its
# /metrics, which is also the scrape that makes an idle daemon allocate) go to a CSV.
#
# Usage: bench/workers/gen0-budget.sh [SECONDS=1200]   (builds src/BenchDaemon in Release first)
# Output: bench/workers/results/gen0-budget-<UTC>.csv, the last samples on stdout.
set -euo pipefail
export LC_ALL=C
SECONDS_TO_RUN=${1:-1200}
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd)
OUT=$SCRIPT_DIR/results/gen0-budget-$(date -u +%Y%m%dT%H%M%SZ).csv
dotnet build "$REPO_ROOT/src/BenchDaemon" -c Release --nologo -v q >&2
bin="$REPO_ROOT/src/BenchDaemon/bin/Release/net10.0/benchdaemon"
work=$(mktemp -d)
"$bin" run --set "State:Directory=$work/a" --set Metrics:Listen=127.0.0.1:19911 --set Guards:CpuBusyThreshold=1.0 > "$work/a.log" 2>&1 &
A=$!
DOTNET_GCGen0MaxBudget=0 "$bin" run --set "State:Directory=$work/b" --set Metrics:Listen=127.0.0.1:19912 --set Guards:CpuBusyThreshold=1.0 > "$work/b.log" 2>&1 &
B=$!
trap 'kill $A $B 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
echo "seconds,capped_rss_kib,capped_gc_heap_bytes,capped_gen0_collections,default_rss_kib,default_gc_heap_bytes,default_gen0_collections" > "$OUT"
metric() { printf '%s\n' "$1" | awk -v m="$2" 'index($0, m) == 1 {print $2}'; }
start=$(date +%s)
while [ $(( $(date +%s) - start )) -lt "$SECONDS_TO_RUN" ]; do
  sleep 30
  t=$(( $(date +%s) - start ))
  row="$t"
  for pid_port in "$A:19911" "$B:19912"; do
    pid=${pid_port%%:*}; m=$(curl -s "127.0.0.1:${pid_port##*:}/metrics" || true)
    row="$row,$(awk '/^VmRSS/{print $2}' "/proc/$pid/status"),$(metric "$m" 'dotnet_gc_heap_bytes '),$(metric "$m" 'dotnet_gc_collections_total{generation="0"}')"
  done
  echo "$row" >> "$OUT"
done
echo "$OUT" >&2
tail -3 "$OUT"
