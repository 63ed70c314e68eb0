#!/usr/bin/env bash
# The daemon's resident memory under .NET runtime settings, side by side (issue G1: what the
# daemon's ~110 MiB is made of and whether a runtime setting brings it down). Five daemons with
# the same configuration (one small canary every 10 minutes, so one worker run each), started
# 8 s apart; after 90 s each one's RSS, peak, anonymous memory and W^X shared memory is printed.
#
# Usage: bench/workers/runtime-knobs.sh   (builds src/BenchDaemon in Release first)
# Output: a Markdown table on stdout.
set -euo pipefail
export LC_ALL=C
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd)
dotnet build "$REPO_ROOT/src/BenchDaemon" -c Release --nologo -v q >&2
bin="$REPO_ROOT/src/BenchDaemon/bin/Release/net10.0/benchdaemon"
work=$(mktemp -d)
pids=()
trap 'for pv in "${pids[@]}"; do kill "${pv##*:}" 2>/dev/null || true; done; sleep 2; rm -rf "$work"' EXIT
cat > "$work/config.json" <<'JSON'
{ "Canaries": [ { "Name": "tiny", "Model": "builtin:resnet-mini", "Interval": "00:10:00", "Threads": 1 } ] }
JSON
declare -A settings=(
  [default]=""
  [tiered-compilation-off]="DOTNET_TieredCompilation=0"
  [gen0-4MiB]="DOTNET_GCgen0size=0x400000"
  [conserve-memory-9]="DOTNET_GCConserveMemory=9"
  [wx-off]="DOTNET_EnableWriteXorExecute=0"
)
port=19880
for name in default tiered-compilation-off gen0-4MiB conserve-memory-9 wx-off; do
  port=$((port + 1)); mkdir -p "$work/$name"
  # shellcheck disable=SC2086
  env ${settings[$name]} "$bin" run --config "$work/config.json" --set "State:Directory=$work/$name" --set "Metrics:Listen=127.0.0.1:$port" > "$work/$name.log" 2>&1 &
  pids+=("$name:$!")
  sleep 8
done
sleep 90
echo "| setting | RSS MiB | peak MiB | anonymous MiB | W^X shared MiB |"
echo "|---|---:|---:|---:|---:|"
for pv in "${pids[@]}"; do
  name=${pv%%:*}; pid=${pv##*:}
  rss=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$pid/status"); hwm=$(awk '$1 == "VmHWM:" {print $2}' "/proc/$pid/status")
  anon=$(awk '$1 == "Anonymous:" {print $2}' "/proc/$pid/smaps_rollup"); shmem=$(awk '$1 == "Pss_Shmem:" {print $2}' "/proc/$pid/smaps_rollup")
  awk -v n="$name" -v r="$rss" -v h="$hwm" -v a="$anon" -v w="$shmem" 'BEGIN {printf "| %s | %.1f | %.1f | %.1f | %.1f |\n", n, r/1024, h/1024, a/1024, w/1024}'
done
