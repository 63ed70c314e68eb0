# shellcheck shell=bash
# Sourced by the bench scripts that measure a published daemon. The caller defines log and die.

# source_note REPO_ROOT [BENCHDAEMON_DIR]: what the measured daemon is built from, one line,
# said the same way in every report. Call before the build (others may be editing src/).
source_note() {
  local root=$1 prebuilt=${2:-} commit
  commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [[ -n $prebuilt ]]; then
    echo "a prebuilt daemon (BENCHDAEMON_DIR; not checked against the tree, which is at commit $commit)"
  elif [[ -n $(git -C "$root" status --porcelain -- src 2>/dev/null) ]]; then
    echo "working tree at commit $commit, with uncommitted changes under src/"
  else
    echo "commit $commit"
  fi
}

# publish_daemon REPO_ROOT SCRATCH [BENCHDAEMON_DIR]: sets BD to the benchdaemon executable,
# publishing src/BenchDaemon (Release) into SCRATCH unless a publish output is given.
publish_daemon() {
  local root=$1 scratch=$2 prebuilt=${3:-}
  if [[ -n $prebuilt ]]; then
    BD=$prebuilt/benchdaemon
  else
    # --artifacts-path keeps bin/ and obj/ of the working tree untouched, so a build running
    # beside this one is not disturbed.
    log "publishing src/BenchDaemon (Release)"
    dotnet publish "$root/src/BenchDaemon" -c Release -o "$scratch/benchdaemon" --artifacts-path "$scratch/artifacts" \
      -nologo -v:q >"$scratch/publish.log" 2>&1 || { cat "$scratch/publish.log" >&2; die "dotnet publish failed"; }
    BD=$scratch/benchdaemon/benchdaemon
  fi
  [[ -x $BD ]] || die "no benchdaemon executable at $BD"
}
