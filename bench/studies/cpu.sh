#!/usr/bin/env bash
# The CPU studies behind docs/STUDIES.md: every study kind on this machine's CPU, each into
# bench/studies/results/cpu-<UTC date>/KIND/. Runs at nice 10 (the build machine is shared);
# compare ratios measured side by side within one run, not absolute figures across machines.
# Usage: bench/studies/cpu.sh [BENCHDAEMON] [OUT]
#   (defaults: the published single-file binary, bench/studies/results/cpu-<UTC date>)
set -euo pipefail
cd "$(dirname "$0")/../.."
bd=${1:-benchdaemon}
out=${2:-bench/studies/results/cpu-$(date -u +%Y%m%d)}
mkdir -p "$out"
state=${STATE:-$(mktemp -d)}
run() { local kind=$1; shift; nice -n 10 "$bd" study "$kind" --set "State:Directory=$state" -o "$out/$kind" "$@" </dev/null; }

# The build machine has 2 shared cores: mid-sized models (ResNet-50 only where its 224×224 input matters).
run batch     --models builtin:resnet-mini,builtin:bert-tiny,builtin:conv-w64-d3 --providers CPU --batches 1,2,4,8,16 --iterations 10 --seconds 0.5
run precision --models builtin:resnet-mini,builtin:bert-tiny --providers CPU --batches 1,8,16 --iterations 10 --seconds 0.5
run providers --models builtin:resnet-mini,builtin:bert-tiny --batches 1,8 --iterations 10 --seconds 0.5
run pipeline  --models builtin:resnet50 --batches 1 --iterations 3 --seconds 0.5
run energy    --quick --providers CPU
run depth     --providers CPU --conv-widths 64,96 --attention-widths 128,256 --batches 1,8 --iterations 3 --seconds 0.2
