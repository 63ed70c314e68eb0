#!/usr/bin/env bash
# Built-in model generation: wall time and peak memory (issue G1, item 4). See
# bench/models/README.md for the figures and how to read them.
#
# Usage: bench/models/run.sh [model ...]
#          (default: resnet50 resnet-mini bert-base bert-tiny; block stacks such as
#          conv-w256-d16 work too). From anywhere: the repository is found from this script.
#
# Builds src/BenchDaemon in Release into a scratch directory, then for each model and precision
# runs `benchdaemon models export MODEL -p PRECISION` on a fresh state directory under
# /usr/bin/time -v and reads "Elapsed (wall clock) time" and "Maximum resident set size".
# On a fresh state directory int8 also generates the FP32 model it is quantized from, to a
# temporary file (so the row is what a first `models export -p int8` costs); the row
# "int8, fp32 cached" exports fp32 first, untimed, and times int8 alone.
#
# Markdown goes to stdout and to $RESULTS_DIR/models-<UTC start>.md, every run to the CSV beside
# it, progress to stderr. Tunables (environment):
#   PRECISIONS="fp32 fp16 int8"   precisions to generate
#   CACHED_INT8=1       also the "int8, fp32 cached" row (needs int8 in PRECISIONS)
#   REPEAT=1            runs per row; the table gives the median wall time and the largest peak
#   BASELINE=           a git ref (commit, branch, tag) to build from `git archive` and measure
#                       too, interleaved run by run with the working tree, in extra columns
#   RESULTS_DIR=bench/models/results
#   KEEP_TMP=0          1 keeps the scratch directory (builds, state directories, time logs)
# Needs the .NET 10 SDK, GNU time (/usr/bin/time) and about 2 GB of free disk for bert-base.
# The builds go to the scratch directory (--artifacts-path), so a build or test run in the
# working tree at the same time is not disturbed.
set -euo pipefail
export LC_ALL=C

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd)
PRECISIONS=${PRECISIONS:-fp32 fp16 int8}
CACHED_INT8=${CACHED_INT8:-1}
REPEAT=${REPEAT:-1}
BASELINE=${BASELINE:-}
RESULTS_DIR=${RESULTS_DIR:-$SCRIPT_DIR/results}
KEEP_TMP=${KEEP_TMP:-0}
if (($# > 0)); then MODELS=("$@"); else MODELS=(resnet50 resnet-mini bert-base bert-tiny); fi

die() { echo "models: $*" >&2; exit 1; }
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is missing: apt-get install time"
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "REPEAT must be a whole number >= 1"

TMP=$(mktemp -d /tmp/benchdaemon-models.XXXXXX)
cleanup() {
  if [[ $KEEP_TMP == 1 ]]; then echo "models: scratch kept in $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

build() { # build NAME SOURCE_DIR: a Release build of the daemon; prints the executable's path
  local name=$1 source=$2
  echo "models: building $name (Release) into $TMP/$name" >&2
  dotnet build "$source/src/BenchDaemon" -c Release --artifacts-path "$TMP/$name" -nologo -v:q >"$TMP/$name.build.log" 2>&1 \
    || { cat "$TMP/$name.build.log" >&2; die "dotnet build of $name failed"; }
  local exe
  exe=$(find "$TMP/$name/bin/BenchDaemon" -name benchdaemon -type f -perm -u+x | head -n 1)
  [[ -n $exe ]] || die "no benchdaemon executable in $TMP/$name"
  echo "$exe"
}

declare -A EXE
VARIANTS=(current)
EXE[current]=$(build current "$REPO_ROOT")
if [[ -n $BASELINE ]]; then
  commit=$(git -C "$REPO_ROOT" rev-parse --verify "$BASELINE^{commit}") || die "BASELINE=$BASELINE is no commit"
  mkdir -p "$TMP/baseline-src"
  git -C "$REPO_ROOT" archive "$commit" | tar -x -C "$TMP/baseline-src"
  EXE[baseline]=$(build baseline "$TMP/baseline-src")
  VARIANTS=(baseline current)
fi

# measure VARIANT MODEL PRECISION CACHED RUN: one export on a fresh state directory; appends a CSV row
measure() {
  local variant=$1 model=$2 precision=$3 cached=$4 run=$5
  local state="$TMP/state-$variant-$model-$precision-$cached-$run" log="$TMP/time-$variant-$model-$precision-$cached-$run.log"
  mkdir -p "$state"
  if [[ $cached == 1 ]]; then
    "${EXE[$variant]}" models export "$model" -p fp32 --set "State:Directory=$state" >/dev/null 2>"$log.fp32" \
      || { cat "$log.fp32" >&2; die "$variant: export $model fp32 failed"; }
  fi
  /usr/bin/time -v "${EXE[$variant]}" models export "$model" -p "$precision" -o "$state/out.onnx" --set "State:Directory=$state" >/dev/null 2>"$log" \
    || { cat "$log" >&2; die "$variant: export $model $precision failed"; }
  local wall rss bytes sha
  # "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:27.61"
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
  bytes=$(stat -c %s "$state/out.onnx")
  sha=$(sha256sum "$state/out.onnx" | cut -c1-64)
  echo "$variant,$model,$precision,$cached,$run,$wall,$rss,$bytes,$sha" >>"$CSV"
  echo "models: $variant $model $precision$([[ $cached == 1 ]] && echo ' (fp32 cached)') run $run: ${wall} s, $((rss / 1024)) MiB peak" >&2
  [[ $KEEP_TMP == 1 ]] || rm -rf "$state"
}

mkdir -p "$RESULTS_DIR"
RESULTS_DIR=$(cd -- "$RESULTS_DIR" && pwd)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
CSV="$RESULTS_DIR/models-$STAMP.csv"
MD="$RESULTS_DIR/models-$STAMP.md"
echo "variant,model,precision,fp32_cached,run,wall_s,max_rss_kb,bytes,sha256" >"$CSV"

ROWS=()
for model in "${MODELS[@]}"; do
  for precision in $PRECISIONS; do
    ROWS+=("$model $precision 0")
    if [[ $precision == int8 && $CACHED_INT8 == 1 ]]; then ROWS+=("$model $precision 1"); fi
  done
done

for ((run = 1; run <= REPEAT; run++)); do
  for row in "${ROWS[@]}"; do
    read -r model precision cached <<<"$row"
    # Alternate which build goes first, so a drift in machine load hits both alike.
    if ((run % 2 == 1)); then order=("${VARIANTS[@]}"); else order=($(printf '%s\n' "${VARIANTS[@]}" | tac)); fi
    for variant in "${order[@]}"; do measure "$variant" "$model" "$precision" "$cached" "$run"; done
  done
done

# summary VARIANT MODEL PRECISION CACHED: "median-wall max-rss-kb bytes sha256"
summary() {
  awk -F, -v v="$1" -v m="$2" -v p="$3" -v c="$4" '
    $1 == v && $2 == m && $3 == p && $4 == c { w[n++] = $6; if ($7 > r) r = $7; b = $8; s = $9 }
    END {
      for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (w[j] < w[i]) { t = w[i]; w[i] = w[j]; w[j] = t }
      med = n % 2 ? w[(n - 1) / 2] : (w[n / 2 - 1] + w[n / 2]) / 2
      printf "%.1f %d %d %s\n", med, r, b, s
    }' "$CSV"
}

{
  echo "# Model generation: wall time and peak RSS"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), .NET SDK $(dotnet --version)."
  echo "Working tree at $(git -C "$REPO_ROOT" rev-parse --short HEAD)$(git -C "$REPO_ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' (with uncommitted changes under src/)')$([[ -n $BASELINE ]] && echo "; baseline $BASELINE ($(git -C "$REPO_ROOT" rev-parse --short "$BASELINE"))")."
  echo "Each run: \`benchdaemon models export MODEL -p PRECISION\` on a fresh state directory under \`/usr/bin/time -v\`;"
  echo "wall time is the median of $REPEAT run(s), peak RSS (\"Maximum resident set size\") the largest."
  echo
  if [[ -n $BASELINE ]]; then
    echo "| model | precision | baseline wall (s) | baseline peak RSS (MiB) | wall (s) | peak RSS (MiB) | file (MB) | same bytes |"
    echo "|---|---|---:|---:|---:|---:|---:|---|"
  else
    echo "| model | precision | wall (s) | peak RSS (MiB) | file (MB) | sha256 |"
    echo "|---|---|---:|---:|---:|---|"
  fi
  for row in "${ROWS[@]}"; do
    read -r model precision cached <<<"$row"
    label=$precision
    [[ $cached == 1 ]] && label="$precision, fp32 cached"
    read -r wall rss bytes sha < <(summary current "$model" "$precision" "$cached")
    size=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
    if [[ -n $BASELINE ]]; then
      read -r bwall brss _ bsha < <(summary baseline "$model" "$precision" "$cached")
      same=$([[ $sha == "$bsha" ]] && echo yes || echo "**no**")
      echo "| $model | $label | $bwall | $((brss / 1024)) | $wall | $((rss / 1024)) | $size | $same |"
    else
      echo "| $model | $label | $wall | $((rss / 1024)) | $size | \`${sha:0:12}\` |"
    fi
  done
  echo
  echo "Raw runs: $(basename "$CSV")."
} | tee "$MD"
echo "models: wrote $MD and $CSV" >&2
