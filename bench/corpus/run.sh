#!/usr/bin/env bash
# Corpus run (issue G4): several hundred generated ONNX models, each through `benchdaemon once` in its
# own process, with a timeout. Tallies ok / unstable / failed by reason code, crashes and hangs.
# See bench/corpus/README.md.
#
# Usage: bench/corpus/run.sh [LIMIT]    (from anywhere; LIMIT runs only the first LIMIT models of the
#                                        corpus, in corpus.tsv order). Markdown goes to stdout and to
#                                        $RESULTS_DIR/corpus-<UTC>.md, one row per model to
#                                        $RESULTS_DIR/corpus-<UTC>.csv, progress to stderr.
# The models come from bench/corpus/CorpusBuilder (deterministic: the same corpus on every run). Each
# model gets a configuration with only that model, Threads 1 and a short Measure (the settings of
# tests/BenchDaemon.Tests/Cli/OnceTests.cs), plus the model's own canary.json (Inputs:<symbol>)
# where the corpus gives one, and a fresh state directory. Models run one after the other, so the
# host stays quiet (about 25 minutes for 550 models on 2 cores).
# Tunables (environment):
#   TIMEOUT_SECONDS=90      per model: SIGTERM after this long, SIGKILL 5 s later (a hang)
#   BENCHDAEMON_DIR=        reuse an existing publish output instead of publishing
#   CORPUS_DIR=             reuse a built corpus (a folder with corpus.tsv) instead of building it
#   RESULTS_DIR=bench/corpus/results
#   KEEP_TMP=0              1 keeps the scratch directory (configurations, outputs, logs, corpus)
set -euo pipefail
export LC_ALL=C
shopt -u patsub_replacement 2>/dev/null || true

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd)

LIMIT=${1:-0}
TIMEOUT_SECONDS=${TIMEOUT_SECONDS:-90}
BENCHDAEMON_DIR=${BENCHDAEMON_DIR:-}
CORPUS_DIR=${CORPUS_DIR:-}
RESULTS_DIR=${RESULTS_DIR:-$SCRIPT_DIR/results}
KEEP_TMP=${KEEP_TMP:-0}
# tests/BenchDaemon.Tests/Cli/OnceTests.cs, Quick: a run takes well under a second of measuring.
MEASURE='{"MinIterations":20,"MinDuration":"00:00:00.050","Budget":"00:00:20","WarmupMaxDuration":"00:00:01"}'

log() { printf '[corpus-bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $LIMIT =~ ^[0-9]+$ ]] || die "LIMIT must be a number of models (got '$LIMIT'; 0 or none: all)"
[[ $TIMEOUT_SECONDS =~ ^[1-9][0-9]*$ ]] || die "TIMEOUT_SECONDS must be a positive integer (got '$TIMEOUT_SECONDS')"
[[ $KEEP_TMP == 0 || $KEEP_TMP == 1 ]] || die "KEEP_TMP is 0 or 1 (got '$KEEP_TMP')"
[[ -z $CORPUS_DIR || -f $CORPUS_DIR/corpus.tsv ]] || die "CORPUS_DIR has no corpus.tsv: $CORPUS_DIR"

# ---------------------------------------------------------------------------------------------
# Tools: jq, GNU time (Debian package "time": peak RSS of each run), timeout (coreutils).
# ---------------------------------------------------------------------------------------------
sudo_cmd=()
(( EUID == 0 )) || sudo_cmd=(sudo)
missing=()
command -v jq >/dev/null || missing+=(jq)
[[ -x /usr/bin/time ]] || missing+=(time)
if (( ${#missing[@]} > 0 )); then
  log "installing ${missing[*]} (apt-get)"
  "${sudo_cmd[@]}" apt-get update >/dev/null 2>&1 || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || die "could not install ${missing[*]}"
fi
for tool in dotnet jq timeout awk sort; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
[[ -x /usr/bin/time ]] || die "GNU time (/usr/bin/time) is required"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/corpus-bench.XXXXXX")
cleanup() {
  if [[ $KEEP_TMP == 1 ]]; then log "kept $TMP"; else rm -rf -- "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=bench/lib/daemon.sh
source "$REPO_ROOT/bench/lib/daemon.sh"
source_note=$(source_note "$REPO_ROOT" "$BENCHDAEMON_DIR")
command_line="TIMEOUT_SECONDS=$TIMEOUT_SECONDS"
[[ -z $BENCHDAEMON_DIR ]] || command_line+=" BENCHDAEMON_DIR=$BENCHDAEMON_DIR"
[[ -z $CORPUS_DIR ]] || command_line+=" CORPUS_DIR=$CORPUS_DIR"
command_line+=" bench/corpus/run.sh"
(( LIMIT == 0 )) || command_line+=" $LIMIT"

# ---------------------------------------------------------------------------------------------
# Build: the daemon, then the corpus.
# ---------------------------------------------------------------------------------------------
started=$(date +%s)
publish_daemon "$REPO_ROOT" "$TMP" "$BENCHDAEMON_DIR"
published=$(date +%s)

if [[ -z $CORPUS_DIR ]]; then
  log "building the corpus (bench/corpus/CorpusBuilder)"
  dotnet build "$SCRIPT_DIR/CorpusBuilder" -c Release --artifacts-path "$TMP/corpus-artifacts" -nologo -v:q >"$TMP/corpus-build.log" 2>&1 \
    || { cat "$TMP/corpus-build.log" >&2; die "building the corpus builder failed"; }
  builder=$(find "$TMP/corpus-artifacts/bin" -name corpus-builder.dll -print -quit)
  [[ -n $builder ]] || die "no corpus-builder.dll in the build output"
  CORPUS=$TMP/corpus
  dotnet "$builder" "$CORPUS" 2>"$TMP/corpus-generate.log" || { cat "$TMP/corpus-generate.log" >&2; die "generating the corpus failed"; }
  log "$(tail -1 "$TMP/corpus-generate.log")"
else
  CORPUS=$(cd -- "$CORPUS_DIR" && pwd)
fi
corpus_built=$(date +%s)

total=$(( $(wc -l <"$CORPUS/corpus.tsv") - 1 ))
(( LIMIT == 0 || LIMIT > total )) || total=$LIMIT
log "running $total models, one process each, timeout ${TIMEOUT_SECONDS} s"

# ---------------------------------------------------------------------------------------------
# Run every model
# ---------------------------------------------------------------------------------------------
# csv FIELD...: one CSV line, every field quoted ("" for a quote inside).
csv() {
  local out="" f
  for f in "$@"; do
    f=${f//\"/\"\"}
    out+="${out:+,}\"$f\""
  done
  printf '%s\n' "$out"
}
# expectation NOTE: ok, fail:<reason_code>, or either (the note allows more than one outcome).
expectation() {
  local note=$1
  note=${note#invalid by construction: }
  if [[ $note == ok || $note == "ok ("* ]]; then echo ok
  elif [[ $note =~ ^failed:\ ([a-z_]+)(\ \(|$) ]]; then echo "fail:${BASH_REMATCH[1]}"
  else echo either
  fi
}

ROWS=$TMP/rows.csv
TSV=$TMP/rows.tsv   # the same rows tab-separated, for the report (no tab or newline inside a field)
: >"$TSV"
csv folder family expected_outcome expected_note test_data exit_code statuses reason_codes reason wall_seconds peak_rss_kib worker_peak_mib crashed hung >"$ROWS"
CLK_START=$(date +%s)
i=0
while IFS=$'\t' read -r folder family opset value_types shape_kind test_data settings expected; do
  (( i < total )) || break
  i=$(( i + 1 ))
  dir=$CORPUS/$folder
  work=$TMP/runs/$folder
  mkdir -p "$work"
  extra='{}'
  [[ ! -f $dir/canary.json ]] || extra=$(cat "$dir/canary.json")
  jq -n --arg model "$dir/model.onnx" --argjson measure "$MEASURE" --argjson extra "$extra" \
    '{Canaries: [({Name: "corpus", Model: $model, Threads: 1, Measure: $measure} + $extra)]}' >"$work/config.json"

  set +e
  /usr/bin/time -f '%e %M' -o "$work/time.txt" timeout -k 5 "$TIMEOUT_SECONDS" \
    "$BD" once --json --config "$work/config.json" --set "State:Directory=$work/state" --set Logs:Console=false \
    >"$work/stdout.json" 2>"$work/stderr.txt"
  rc=$?
  set -e

  # GNU time writes "Command exited with non-zero status N" or "Command terminated by signal N" before its line.
  read -r wall rss < <(tail -1 "$work/time.txt" 2>/dev/null || echo "0 0")
  if jq -e 'type == "array" and length > 0' "$work/stdout.json" >/dev/null 2>&1; then
    statuses=$(jq -r '[.[].status] | join(";")' "$work/stdout.json")
    codes=$(jq -r '[.[] | .reasonCode // "-"] | join(";")' "$work/stdout.json")
    reason=$(jq -r '[.[] | .reason // empty] | first // ""' "$work/stdout.json")
    worker=$(jq -r '[.[] | .workerPeakResidentBytes // 0] | max / 1048576 | floor' "$work/stdout.json")
  else
    statuses=none
    codes=-
    reason="no result printed (exit $rc): $(grep -v '^\[' "$work/stderr.txt" | grep -v '^[[:space:]]*$' | tail -3 | tr '\n' ' ')"
    worker=0
  fi
  # Reasons name the model file: the scratch corpus directory is shortened to <corpus>.
  reason=${reason//"$CORPUS/"/<corpus>/}
  reason=$(tr '\n\r\t' '   ' <<<"$reason" | cut -c1-200)
  hung=0
  crashed=0
  if (( rc == 124 )) || { (( rc == 137 )) && awk -v w="$wall" -v t="$TIMEOUT_SECONDS" 'BEGIN { exit !(w >= t) }'; }; then
    hung=1
  elif (( rc >= 128 )) || [[ ";$codes;" == *";worker_crashed;"* ]]; then
    crashed=1
  fi
  row=("$folder" "$family" "$(expectation "$expected")" "$expected" "$test_data" "$rc" "$statuses" "$codes" "$reason" "$wall" "$rss" "$worker" "$crashed" "$hung")
  csv "${row[@]}" >>"$ROWS"
  (IFS=$'\t'; printf '%s\n' "${row[*]}") >>"$TSV"
  log "[$i/$total] $folder: $statuses ${codes//-/} (${wall} s)"
  (( KEEP_TMP == 1 )) || rm -rf -- "$work/state"
done < <(tail -n +2 "$CORPUS/corpus.tsv")
finished=$(date +%s)

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
ort_version=$(jq -r '[.[] | .onnxRuntimeVersion // empty] | first // empty' "$TMP"/runs/*/stdout.json 2>/dev/null | head -1)
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)

report() {
  echo "# Corpus run (G4), $(date -u +%Y-%m-%d)"
  echo
  echo "Measured: $source_note. Host: $(nproc) CPUs${cpu_model:+ ($cpu_model)}, ONNX Runtime ${ort_version:-unknown}, $(uname -sr)."
  echo "Command: \`$command_line\`. Publish $(( published - started )) s, corpus build $(( corpus_built - published )) s, runs $(( finished - CLK_START )) s."
  echo
  echo "Each model: \`benchdaemon once --json\` in its own process (\`timeout -k 5 $TIMEOUT_SECONDS\`), a configuration naming only the"
  echo "model, \`Threads: 1\`, \`Measure: $MEASURE\`, the model's \`Inputs\` where corpus.tsv lists them, a fresh state directory."
  echo
  echo "## Totals"
  echo
  local median
  median=$(cut -f10 "$TSV" | sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  awk -F'\t' -v med="$median" '
    { n++; s = $7; split(s, parts, ";"); st = parts[1]
      for (k in parts) { if (parts[k] == "failed") st = "failed"; else if (parts[k] == "unstable" && st != "failed") st = "unstable" }
      count[st]++; if ($13 == 1) crash++; if ($14 == 1) hang++
      if ($10 > longest) { longest = $10; longestAt = $1 }; total += $10; if ($11 > rss) { rss = $11; rssAt = $1 }; if ($12 > wk) { wk = $12; wkAt = $1 } }
    END {
      printf "| models | ok | unstable | failed | skipped | no result | crashes | hangs |\n|---|---|---|---|---|---|---|---|\n"
      printf "| %d | %d | %d | %d | %d | %d | **%d** | **%d** |\n\n", n, count["ok"], count["unstable"], count["failed"], count["skipped"], count["none"], crash, hang
      printf "Wall time per model: median %s s, longest %.2f s (%s), sum %.0f s. Largest peak RSS of one process (GNU time `%%M`: the daemon or its worker, whichever is larger): %.0f MiB (%s); largest worker peak (`workerPeakResidentBytes`): %d MiB (%s).\n", med, longest, longestAt, total, rss / 1024, rssAt, wk, wkAt
    }' "$TSV"
  echo
  echo "A crash: the \`once\` process ended by a signal, or a result with reason code \`worker_crashed\`. A hang: killed by the timeout."
  echo "A model counts as failed when any of its results failed, else unstable when any was unstable."
  echo
  echo "## Failed and unstable runs by reason code"
  echo
  echo "| reason code | runs | expected by the corpus | example models | example reason |"
  echo "|---|---|---|---|---|"
  awk -F'\t' '
    { split($8, codes, ";"); split($7, sts, ";")
      for (k in codes) if (sts[k] == "failed" || sts[k] == "unstable" || sts[k] == "skipped") {
        c = sts[k] ": " codes[k]; n[c]++
        if ($3 != "ok") e[c]++
        if (n[c] <= 3) ex[c] = ex[c] (n[c] > 1 ? ", " : "") "`" $1 "`"
        if (!(c in why)) why[c] = $9
      } }
    END { for (c in n) { r = why[c]; gsub(/\|/, "\\|", r); printf "| %s | %d | %d | %s | %s |\n", c, n[c], e[c], ex[c], r } }' "$TSV" | sort -t'|' -k3,3nr
  echo
  echo "\"Expected by the corpus\": runs of models whose corpus.tsv note allows a failure (invalid by construction,"
  echo "or data the note says the model cannot take)."
  echo
  echo "## Against the corpus' expectations"
  echo
  awk -F'\t' '
    function outcome(s, c,   p, q, k, o) { split(s, p, ";"); split(c, q, ";"); o = "ok"
      for (k in p) { if (p[k] == "failed") return "fail:" q[k]; if (p[k] == "none") return "none" } return o }
    { o = outcome($7, $8)
      if ($3 == "ok" && o != "ok") bad[++nb] = $1 "\t" o "\t" $9
      else if ($3 ~ /^fail:/ && o != $3) miss[++nm] = $1 "\t" $3 "\t" o "\t" $9
      else if ($3 == "either") { either[o]++; ne++ }
      else good++ }
    END {
      printf "Matched the expectation: %d models. Outcomes of the %d models whose note allows more than one: ", good, ne
      t = 0; for (o in either) { printf "%s%s %d", (t++ ? ", " : ""), o, either[o] } ; if (!t) printf "none"; print "."
      print ""
      printf "### Expected to pass, did not (%d)\n\n", nb
      if (nb) { print "| model | outcome | reason |"; print "|---|---|---|"
        for (k = 1; k <= nb; k++) { split(bad[k], f, "\t"); gsub(/\|/, "\\|", f[3]); printf "| `%s` | %s | %s |\n", f[1], f[2], f[3] } }
      else print "None."
      print ""
      printf "### Expected to fail one way, did another (%d)\n\n", nm
      if (nm) { print "| model | expected | outcome | reason |"; print "|---|---|---|---|"
        for (k = 1; k <= nm; k++) { split(miss[k], f, "\t"); gsub(/\|/, "\\|", f[4]); printf "| `%s` | %s | %s | %s |\n", f[1], f[2], f[3], f[4] } }
      else print "None."
    }' "$TSV"
  echo
  echo "## Crashes and hangs"
  echo
  if awk -F'\t' '$13 == 1 || $14 == 1 { found = 1 } END { exit !found }' "$TSV"; then
    echo "| model | exit code | crashed | hung | reason |"
    echo "|---|---|---|---|---|"
    awk -F'\t' '$13 == 1 || $14 == 1 { r = $9; gsub(/\|/, "\\|", r); printf "| `%s` | %s | %s | %s | %s |\n", $1, $6, $13, $14, r }' "$TSV"
  else
    echo "None."
  fi
  echo
  echo "## By family"
  echo
  echo "| family | models | ok | unstable | failed | no result |"
  echo "|---|---|---|---|---|---|"
  awk -F'\t' '
    { split($7, p, ";"); st = p[1]; for (k in p) { if (p[k] == "failed") st = "failed"; else if (p[k] == "unstable" && st != "failed") st = "unstable" }
      m[$2]++; c[$2, st]++ }
    END { for (f in m) printf "| %s | %d | %d | %d | %d | %d |\n", f, m[f], c[f, "ok"], c[f, "unstable"], c[f, "failed"], c[f, "none"] }' "$TSV" | sort
  echo
  echo "Per-model rows (exit code, statuses, reason codes, first reason, wall time, peak RSS): corpus-$STAMP.csv beside this file;"
  echo "the corpus list (value types, shape kind, test data, canary settings, expected outcome of every model): corpus-$STAMP-models.tsv."
}

report >"$TMP/report.md"
cat "$TMP/report.md"
mkdir -p "$RESULTS_DIR"
cp "$TMP/report.md" "$RESULTS_DIR/corpus-$STAMP.md"
cp "$ROWS" "$RESULTS_DIR/corpus-$STAMP.csv"
cp "$CORPUS/corpus.tsv" "$RESULTS_DIR/corpus-$STAMP-models.tsv"
log "report written to $RESULTS_DIR/corpus-$STAMP.md, .csv and -models.tsv (the corpus list)"
