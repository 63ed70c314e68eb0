#!/usr/bin/env bash
# Regression-gate simulation (issues F6, G3): BenchDaemon's gate against (a) a fixed 5 % threshold
# on the last run and (b) a z-score over the last 30 runs, on the same seeded series, a scheduled
# run every 15 minutes, under independent, correlated (re-runs sharing half a run's variance),
# bursty and bimodal noise (and two harder variants: bursts lasting minutes, modes lasting 30 min).
# Usage: bench/regression/run.sh [series-per-step-scenario] [stationary-runs-per-series] [confirmation-runs] [suspicion-z] [false-alarm-run-length] [gap-minutes] [persist-runs]
# (the last five default to the daemon's Regression defaults; stationary rows use a tenth of the series)
# SIM_KINDS=Independent,Correlated (NoiseKind names) limits the run to those kinds of noise (quick iterations).
# Markdown goes to stdout and to bench/regression/results/simulation-<UTC date>.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$here/results"
out="$here/results/simulation-$(date -u +%Y%m%dT%H%M%SZ).md"
dotnet run --project "$here/Simulation" -c Release -- "${1:-1000}" "${2:-1000}" "${@:3}" | tee "$out"
echo "written to $out" >&2
