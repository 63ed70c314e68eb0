#!/usr/bin/env bash
# Canary harness overhead and fidelity (issue F3). See bench/canary/README.md for what is
# measured and how to read it.
#
# Usage: bench/canary/run.sh            (from anywhere; the repository is found relative
#                                        to this script). Markdown tables go to stdout,
#                                        progress to stderr.
# Tunables (environment):
#   OVERHEAD_ROUNDS=40      interleaved rounds of the overhead part (A B C, C B A, ...)
#   OVERHEAD_MLP=50000      calls per arm and round, Mlp
#   OVERHEAD_SLOW50=1000    calls per arm and round, Slow(50)
#   FIDELITY_ROUNDS=16      rounds of the fidelity part (one process per arm, model and round)
#   FIDELITY_MLP=50000      calls per process, Mlp
#   FIDELITY_SLOW50=1000    calls per process, Slow(50)
#   FIDELITY_SLOW400=200    calls per process, Slow(400)
#   PARTS="overhead fidelity"   which parts to run
#   KEEP_TMP=0              1 keeps the scratch directory (models, configs, builds)
set -euo pipefail
export LC_ALL=C

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd)

OVERHEAD_ROUNDS=${OVERHEAD_ROUNDS:-40}
OVERHEAD_MLP=${OVERHEAD_MLP:-50000}
OVERHEAD_SLOW50=${OVERHEAD_SLOW50:-1000}
FIDELITY_ROUNDS=${FIDELITY_ROUNDS:-16}
FIDELITY_MLP=${FIDELITY_MLP:-50000}
FIDELITY_SLOW50=${FIDELITY_SLOW50:-1000}
FIDELITY_SLOW400=${FIDELITY_SLOW400:-200}
PARTS=${PARTS:-overhead fidelity}
KEEP_TMP=${KEEP_TMP:-0}

log() { printf '[canary-bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

for v in OVERHEAD_ROUNDS OVERHEAD_MLP OVERHEAD_SLOW50 FIDELITY_ROUNDS FIDELITY_MLP FIDELITY_SLOW50 FIDELITY_SLOW400; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer (got '${!v}')"
done
for tool in dotnet node npm; do
  command -v "$tool" >/dev/null || die "$tool is required"
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/canary-bench.XXXXXX")
cleanup() {
  if [[ $KEEP_TMP == 1 ]]; then log "kept $TMP"; else rm -rf -- "$TMP"; fi
}
trap cleanup EXIT

# Builds: Release publishes into the scratch directory; --artifacts-path keeps bin/ and obj/
# of the working tree untouched, so a build running beside this one is not disturbed.
publish() {
  log "publishing $1 (Release)"
  dotnet publish "$1" -c Release -o "$2" --artifacts-path "$TMP/artifacts" -nologo -v:q >"$TMP/publish.log" 2>&1 \
    || { cat "$TMP/publish.log" >&2; die "dotnet publish $1 failed"; }
}
publish "$SCRIPT_DIR/Overhead" "$TMP/tool"
TOOL=$TMP/tool/canary-bench
if [[ $PARTS == *fidelity* ]]; then
  publish "$REPO_ROOT/src/BenchDaemon" "$TMP/benchdaemon"
  # The CPU binaries ship inside the npm package; its install script would only fetch the
  # CUDA provider from elsewhere, which the CPU peer does not need.
  if [[ ! -d $SCRIPT_DIR/node/node_modules/onnxruntime-node ]]; then
    log "npm ci in bench/canary/node"
    (cd "$SCRIPT_DIR/node" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund >"$TMP/npm.log" 2>&1) \
      || { cat "$TMP/npm.log" >&2; die "npm ci failed"; }
  fi
fi

"$TOOL" models "$TMP/models" >/dev/null

cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo "# Canary harness overhead and fidelity (F3)"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- machine: $(nproc) logical CPUs (${cpu_model:-unknown CPU}), load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- .NET $(dotnet --version) SDK; Node.js $(node --version)"
echo "- command: bench/canary/run.sh (OVERHEAD_ROUNDS=$OVERHEAD_ROUNDS OVERHEAD_MLP=$OVERHEAD_MLP OVERHEAD_SLOW50=$OVERHEAD_SLOW50" \
  "FIDELITY_ROUNDS=$FIDELITY_ROUNDS FIDELITY_MLP=$FIDELITY_MLP FIDELITY_SLOW50=$FIDELITY_SLOW50 FIDELITY_SLOW400=$FIDELITY_SLOW400)"
echo

if [[ $PARTS == *overhead* ]]; then
  log "overhead: $OVERHEAD_ROUNDS rounds (+1 discarded)"
  echo "## 1. Harness overhead per call"
  echo
  "$TOOL" overhead --models "$TMP/models" --rounds "$OVERHEAD_ROUNDS" --mlp "$OVERHEAD_MLP" --slow50 "$OVERHEAD_SLOW50"
  echo
fi

if [[ $PARTS == *fidelity* ]]; then
  log "fidelity: $FIDELITY_ROUNDS rounds"
  echo "## 2. Fidelity against onnxruntime-node"
  echo
  "$TOOL" fidelity --models "$TMP/models" --work "$TMP/fidelity" \
    --benchdaemon "$TMP/benchdaemon/benchdaemon" --node "$(command -v node)" --node-script "$SCRIPT_DIR/node/canary.mjs" \
    --rounds "$FIDELITY_ROUNDS" --mlp "$FIDELITY_MLP" --slow50 "$FIDELITY_SLOW50" --slow400 "$FIDELITY_SLOW400"
fi
log "done"
