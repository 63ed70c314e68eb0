#!/usr/bin/env bash
# Per-run cost of the worker process (issue G1): a canary run in-process, in a fresh worker per
# run, and in a reused worker, interleaved on a tiny model and on ResNet-50 with the built-in
# defaults' measurement settings. Prints the medians and the overhead as a share of a default
# canary's wall time, and the change of the canary's p50.
#
# Usage: bench/workers/worker-cost.sh [ROUNDS=8]
# Output: bench/workers/results/worker-cost-<UTC>.csv and .md (see bench/workers/README.md)
set -euo pipefail
export LC_ALL=C
ROUNDS=${1:-8}
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd)
OUT=$SCRIPT_DIR/results/worker-cost-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$(dirname "$OUT")"
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
dotnet build "$SCRIPT_DIR/WorkerCost" -c Release --nologo -v q -o "$SCRATCH/bin" >&2
"$SCRATCH/bin/benchdaemon" models export resnet50 -p fp32 -o "$SCRATCH/resnet50.onnx" --set "State:Directory=$SCRATCH/state" >&2
"$SCRATCH/bin/worker-cost" "$SCRATCH/bin/benchdaemon.dll" "$SCRATCH/resnet50.onnx" "$ROUNDS" "$OUT.csv"
python3 - "$OUT.csv" <<'PY' | tee "$OUT.md"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print("| canary | arm | runs | median wall s | median p50 ms | wall − in-process (s) | share of in-process wall | p50 vs in-process | worker peak RSS MiB |")
print("|---|---|---|---|---|---|---|---|---|")
for canary in sorted({r["canary"] for r in rows}):
    base = [r for r in rows if r["canary"] == canary and r["arm"] == "in-process"]
    bw = statistics.median(float(r["wall_seconds"]) for r in base)
    bp = statistics.median(float(r["p50_seconds"]) for r in base)
    for arm in ("in-process", "fresh", "reused"):
        rs = [r for r in rows if r["canary"] == canary and r["arm"] == arm]
        w = statistics.median(float(r["wall_seconds"]) for r in rs)
        p = statistics.median(float(r["p50_seconds"]) for r in rs)
        peak = max((int(r["worker_peak_rss_bytes"] or 0) for r in rs), default=0)
        print(f"| {canary} | {arm} | {len(rs)} | {w:.3f} | {p*1000:.4f} | {w-bw:+.3f} | {(w-bw)/bw*100:+.1f} % | {(p/bp-1)*100:+.1f} % | {peak/1048576:.0f} |")
PY
