# Sourced by the bench scripts: what the measured daemon is built from, said the same way in
# every report. Call before the build (others may be editing src/).
# Usage: source_note REPO_ROOT [BENCHDAEMON_DIR]   (prints one line)
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
