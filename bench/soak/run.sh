#!/usr/bin/env bash
# Soak test of issue F9, long manual mode. See bench/soak/README.md, section "Soak", for what
# it does and the last figures.
#
# Usage: bench/soak/run.sh [seconds]     (default 7200: two hours; at least 60)
#
# Runs the same soak as the CI test (tests/BenchDaemon.Tests/Hosting/SoakTests.cs, trait
# Category=Soak, 150 s there) for longer: the real daemon with three canaries every 2 s (plus
# one that reloads add and remove), history and regression gate on, probes every second, OTLP
# to a collector stand-in that is down 15 s of every minute, /metrics and /healthz scraped every
# second, a SIGHUP reload about every 20 s (valid files, and broken ones that must be refused),
# a model replaced by garbage, a corrupted built-in model cache file and the history database
# locked for 6 s, once a minute each. It samples the daemon's RSS, open descriptors and threads
# from /proc every 5 s and, at the end, asserts the same bounds and run accounting as the CI
# test (the run fails if they are broken).
#
# Prints one progress line a minute (elapsed, runs, RSS, fds, threads, scrapes) and writes
#   $RESULTS_DIR/soak-<UTC start>.md    the summary (the same table the test prints)
#   $RESULTS_DIR/soak-<UTC start>.csv   every sample: elapsed, RSS, fds, threads, run counts
# Tunables (environment):
#   RESULTS_DIR=bench/soak/results
#   KEEP_TMP=0     1 keeps the scratch directory (build output, test log)
# Needs the .NET 10 SDK. The build goes to a scratch directory (--artifacts-path), so a build
# or test run in the working tree at the same time is not disturbed.
set -euo pipefail
export LC_ALL=C

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd)
SECONDS_WANTED=${1:-7200}
RESULTS_DIR=${RESULTS_DIR:-$REPO_ROOT/bench/soak/results}
KEEP_TMP=${KEEP_TMP:-0}

die() { echo "soak: $*" >&2; exit 1; }
[[ $SECONDS_WANTED =~ ^[0-9]+$ ]] && (( SECONDS_WANTED >= 60 )) || die "seconds must be a whole number >= 60"

TMP=$(mktemp -d /tmp/benchdaemon-soak.XXXXXX)
test_pid=
cleanup() {
  if [[ -n $test_pid ]] && kill -0 "$test_pid" 2>/dev/null; then kill "$test_pid" 2>/dev/null || true; fi
  if [[ $KEEP_TMP == 1 ]]; then echo "soak: scratch kept in $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

mkdir -p "$RESULTS_DIR"
RESULTS_DIR=$(cd -- "$RESULTS_DIR" && pwd)
echo "soak: building the tests and the daemon (Release) into $TMP/artifacts" >&2
dotnet build "$REPO_ROOT/tests/BenchDaemon.Tests" -c Release --artifacts-path "$TMP/artifacts" -nologo -v:q >"$TMP/build.log" 2>&1 \
  || { cat "$TMP/build.log" >&2; die "dotnet build failed"; }

echo "soak: $SECONDS_WANTED s; progress every minute; results to $RESULTS_DIR" >&2
: >"$TMP/progress.log"
BENCHDAEMON_SOAK_SECONDS=$SECONDS_WANTED BENCHDAEMON_SOAK_RESULTS=$RESULTS_DIR BENCHDAEMON_SOAK_PROGRESS=$TMP/progress.log \
  dotnet test "$REPO_ROOT/tests/BenchDaemon.Tests" -c Release --no-build --artifacts-path "$TMP/artifacts" -nologo \
    --filter "Category=Soak" --logger "console;verbosity=detailed" >"$TMP/test.log" 2>&1 &
test_pid=$!
tail -n +1 -f "$TMP/progress.log" --pid "$test_pid" &
set +e
wait "$test_pid"
status=$?
set -e
test_pid=
sleep 1
if (( status != 0 )); then
  sed -n '/Error Message:/,/Stack Trace:/p' "$TMP/test.log" >&2
  grep -E "^(Passed|Failed)!" "$TMP/test.log" >&2 || tail -n 40 "$TMP/test.log" >&2
  die "the soak failed (exit $status); KEEP_TMP=1 keeps $TMP/test.log"
fi
grep -E "^(Passed|Failed)!" "$TMP/test.log" >&2 || true
latest=$(ls -t "$RESULTS_DIR"/soak-*.md 2>/dev/null | head -n 1)
[[ -n $latest ]] && cat "$latest"
