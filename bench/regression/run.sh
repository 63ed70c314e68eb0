#!/usr/bin/env bash
# Regression-gate simulation (issue F6): BenchDaemon's gate against (a) a fixed 5 % threshold on
# the last run and (b) a z-score over the last 30 runs, on the same seeded log-normal series.
# Usage: bench/regression/run.sh [series-per-scenario] [stationary-runs-per-series] [confirmation-runs] [suspicion-z] [false-alarm-run-length]
# (the last three default to the daemon's Regression defaults)
# Markdown goes to stdout and to bench/regression/results/simulation-<UTC date>.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$here/results"
out="$here/results/simulation-$(date -u +%Y%m%dT%H%M%SZ).md"
dotnet run --project "$here/Simulation" -c Release -- "${1:-2000}" "${2:-1000}" "${@:3}" | tee "$out"
echo "written to $out" >&2
