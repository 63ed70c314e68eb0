#!/usr/bin/env bash
# The "no change" experiment of issue G3, then an injected slowdown: the real daemon (Release
# build, pinned to one CPU, as its workers are) runs four small CPU canaries every 3 s with the
# guards relaxed (CpuBusyThreshold 1, DutyFraction 1) and the default Regression settings.
#   1. QUIET_MINUTES with nothing injected: how many regression episodes open (goal ≤ 1), the
#      share of confirmation re-runs among all runs (goal ≤ 25 %), and the share of runs that are
#      `ok` under the precision rule against the old rule (CV ≤ 0.25);
#   2. COMPETITOR_MINUTES with a busy loop pinned to the canaries' CPU: the scheduled runs each
#      canary needed before a verdict opened (goal ≤ 3);
#   3. CLEAR_MINUTES after it stops: whether and when the verdicts cleared.
# Resident memory of the daemon and of its worker processes is sampled every 5 s throughout.
#
# The issue's experiment used squeezenet and mobilenet_v2 files; no model can be downloaded here,
# so the four canaries are built-in models of similar size: resnet-mini, bert-tiny,
# conv-w64-d3 (a convolution stack) and mha-e128-d2 (a small attention stack), one thread each.
#
# Usage: bench/regression/quiet.sh   (environment: QUIET_MINUTES=30 COMPETITOR_MINUTES=4
#        CLEAR_MINUTES=5 INTERVAL=3 CPU=0 PORT=19849 SKIP_BUILD=0)
# Output: Markdown on stdout and in bench/regression/results/quiet-<UTC>.md, the samples in
#         quiet-<UTC>.csv and the daemon's log in quiet-<UTC>.log.gz beside it.
set -euo pipefail
export LC_ALL=C
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
QUIET_MINUTES=${QUIET_MINUTES:-30}
COMPETITOR_MINUTES=${COMPETITOR_MINUTES:-4}
CLEAR_MINUTES=${CLEAR_MINUTES:-5}
INTERVAL=${INTERVAL:-3}
CPU=${CPU:-0}
PORT=${PORT:-19849}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$here/results"
out="$here/results/quiet-$stamp"
log() { printf '[quiet %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

[ "${SKIP_BUILD:-0}" = 1 ] || dotnet build "$root/src/BenchDaemon" -c Release --nologo -v q >&2
bin="$root/src/BenchDaemon/bin/Release/net10.0/benchdaemon"
work="$(mktemp -d)"
daemon=""
competitor=""
sampler=""
cleanup() {
    [ -n "$competitor" ] && kill "$competitor" 2>/dev/null || true
    [ -n "$sampler" ] && kill "$sampler" 2>/dev/null || true
    if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
    [ -s "$work/daemon.log" ] && gzip -c "$work/daemon.log" > "$out.log.gz"
    rm -rf "$work"
}
trap cleanup EXIT

canary() { # name model
    printf '{ "Name": "%s", "Model": "builtin:%s", "Interval": "00:00:0%s", "Threads": 1 }' "$1" "$2" "$INTERVAL"
}
cat > "$work/config.json" <<JSON
{
  "State": { "Directory": "$work/state" },
  "Metrics": { "Listen": "127.0.0.1:$PORT" },
  "Guards": { "CpuBusyThreshold": 1, "GpuBusyThreshold": 1, "DutyFraction": 1 },
  "Canaries": [
    $(canary resnet-mini resnet-mini),
    $(canary bert-tiny bert-tiny),
    $(canary conv conv-w64-d3),
    $(canary mha mha-e128-d2)
  ]
}
JSON

log "starting the daemon pinned to CPU $CPU (state $work/state)"
taskset -c "$CPU" "$bin" run --config "$work/config.json" > "$work/daemon.log" 2>&1 &
daemon=$!
until curl -s "127.0.0.1:$PORT/metrics" >/dev/null 2>&1; do
    kill -0 "$daemon" 2>/dev/null || { cat "$work/daemon.log" >&2; exit 1; }
    sleep 1
done

# Resident memory every 5 s: the daemon, and the sum and list of its worker processes.
(
    echo "t_s,phase,daemon_rss_kib,workers_rss_kib,workers"
    t0=$(date +%s)
    while kill -0 "$daemon" 2>/dev/null; do
        d=$(awk '/^VmRSS:/ {print $2}' "/proc/$daemon/status" 2>/dev/null || echo 0)
        sum=0; list=""
        for w in $(pgrep -P "$daemon" -f __worker || true); do
            r=$(awk '/^VmRSS:/ {print $2}' "/proc/$w/status" 2>/dev/null || echo 0)
            sum=$((sum + r)); list="$list $w:$r"
        done
        echo "$(( $(date +%s) - t0 )),$(cat "$work/phase" 2>/dev/null || echo quiet),$d,$sum,${list# }"
        sleep 5
    done
) > "$out.csv" &
sampler=$!

mark() { date +%s%3N > "$work/$1.ms"; echo "$1" > "$work/phase"; log "$1"; }
mark quiet
sleep $((QUIET_MINUTES * 60))
mark competitor
taskset -c "$CPU" sh -c 'while :; do :; done' &
competitor=$!
sleep $((COMPETITOR_MINUTES * 60))
kill "$competitor"; wait "$competitor" 2>/dev/null || true; competitor=""
mark clear
sleep $((CLEAR_MINUTES * 60))
mark end
daemon_peak=$(awk '/^VmHWM:/ {print $2}' "/proc/$daemon/status" 2>/dev/null || echo 0)
kill "$daemon"; wait "$daemon" 2>/dev/null || true; daemon=""
kill "$sampler" 2>/dev/null || true; sampler=""

python3 - "$work/state/history.db" "$work" "$out.csv" "$daemon_peak" "$QUIET_MINUTES" "$COMPETITOR_MINUTES" "$CLEAR_MINUTES" "$INTERVAL" <<'PY' | tee "$out.md"
import csv, json, sqlite3, statistics, sys
db, work, samples, daemon_peak = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
quiet_min, comp_min, clear_min, interval = sys.argv[5:9]
t = {p: int(open(f"{work}/{p}.ms").read()) for p in ("quiet", "competitor", "clear", "end")}
con = sqlite3.connect(db)
runs = [dict(id=i, ts=ts, canary=c, status=s, confirmation=bool(k), disturbed=bool(d), result=json.loads(r))
        for i, ts, c, s, k, r, d in con.execute("SELECT id, timestamp, canary, status, confirmation, result, disturbed FROM runs ORDER BY id")]
regs = [dict(canary=c, metric=m, start=st, opened=o, closed=cl, reason=rs)
        for c, m, st, o, cl, rs in con.execute("SELECT canary, metric, start_time, opened_time, closed_time, close_reason FROM regressions ORDER BY opened_time")]
canaries = sorted({r["canary"] for r in runs})

def phase(ms):
    return "quiet" if ms < t["competitor"] else "competitor" if ms < t["clear"] else "clear"

def episodes(rows):
    # One episode per canary while any of its metrics' verdicts overlap.
    out = []
    for c in canaries:
        spans = sorted((r["opened"], r["closed"] or t["end"]) for r in rows if r["canary"] == c)
        for a, b in spans:
            if out and out[-1][0] == c and a <= out[-1][2]:
                out[-1][2] = max(out[-1][2], b)
            else:
                out.append([c, a, b])
    return out

print(f"Four CPU canaries (builtin resnet-mini, bert-tiny, conv-w64-d3, mha-e128-d2; one thread each) every {interval} s,")
print(f"the daemon and its workers pinned to one CPU, guards relaxed, default Regression settings.")
print(f"Phases: {quiet_min} min quiet, {comp_min} min with a busy loop pinned to the same CPU, {clear_min} min after it stopped.")
print()
print("| phase | scheduled runs | re-runs | re-run share | ok (precision rule) | ok (old rule: CV ≤ 0.25) | unstable | disturbed | interrupted/failed | regression episodes opened | metric verdicts opened |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for p in ("quiet", "competitor", "clear"):
    rs = [r for r in runs if phase(r["ts"]) == p]
    measured = [r for r in rs if r["status"] in ("ok", "unstable")]
    sched = sum(not r["confirmation"] for r in rs)
    re = sum(r["confirmation"] for r in rs)
    ok = sum(r["status"] == "ok" for r in measured)
    old = sum((r["result"].get("latencySeconds") or {}).get("cv", 9) <= 0.25 for r in measured)
    uns = sum(r["status"] == "unstable" for r in measured)
    dist = sum(r["disturbed"] for r in rs)
    other = len(rs) - len(measured)
    opened = [g for g in regs if phase(g["opened"]) == p]
    eps = [e for e in episodes(regs) if phase(e[1]) == p]
    share = lambda n, d: f"{100 * n / d:.1f} %" if d else "–"
    print(f"| {p} | {sched} | {re} | {share(re, len(rs))} | {share(ok, len(measured))} | {share(old, len(measured))} | {uns} | {dist} | {other} | {len(eps)} | {len(opened)} |")
print()

reasons = {}
for r in runs:
    if phase(r["ts"]) == "quiet" and r["status"] == "unstable":
        code = r["result"].get("reasonCode") or "?"
        reasons[code] = reasons.get(code, 0) + 1
if reasons:
    print("Unstable runs in the quiet phase by reason: " + ", ".join(f"`{k}` {v}" for k, v in sorted(reasons.items(), key=lambda kv: -kv[1])) + ".")
    print()

print("| canary | quiet p50 median (ms) | quiet runs ok | episodes in quiet | competitor: p50 median (ms) | scheduled runs until a verdict opened | metrics | cleared after the competitor stopped |")
print("|---|---:|---:|---:|---:|---:|---|---|")
for c in canaries:
    q = [r for r in runs if r["canary"] == c and phase(r["ts"]) == "quiet" and r["status"] in ("ok", "unstable")]
    k = [r for r in runs if r["canary"] == c and phase(r["ts"]) == "competitor" and r["status"] in ("ok", "unstable") and not r["disturbed"]]
    med = lambda rs: f"{1000 * statistics.median(r['result']['latencySeconds']['p50'] for r in rs):.3f}" if rs else "–"
    eq = sum(1 for e in episodes(regs) if e[0] == c and phase(e[1]) == "quiet")
    opened = [g for g in regs if g["canary"] == c and g["opened"] >= t["competitor"]]
    if opened:
        first = min(g["opened"] for g in opened)
        n = sum(1 for r in runs if r["canary"] == c and not r["confirmation"] and t["competitor"] <= r["ts"] <= first)
        metrics = ", ".join(sorted({g["metric"] for g in opened if g["opened"] == first}))
        closed = [g for g in opened if g["closed"]]
        if len(closed) == len(opened):
            last = max(g["closed"] for g in closed)
            after = sum(1 for r in runs if r["canary"] == c and not r["confirmation"] and t["clear"] <= r["ts"] <= last)
            cleared = f"yes, {(last - t['clear']) / 1000:.0f} s ({after} scheduled runs) after it stopped" if last >= t["clear"] else f"closed while it ran ({(last - first) / 1000:.0f} s after opening)"
        else:
            cleared = "no, still open at the end"
        print(f"| {c} | {med(q)} | {sum(r['status'] == 'ok' for r in q)}/{len(q)} | {eq} | {med(k)} | {n} | {metrics} | {cleared} |")
    else:
        print(f"| {c} | {med(q)} | {sum(r['status'] == 'ok' for r in q)}/{len(q)} | {eq} | {med(k)} | not opened | – | – |")
print()

fc = lambda p: [r["result"].get("foreignCpus") for r in runs if phase(r["ts"]) == p and r["result"].get("foreignCpus") is not None]
print("Other processes' CPU use during the runs (`foreignCpus`, median): " + ", ".join(
    f"{p} {statistics.median(fc(p)):.2f} CPUs" if fc(p) else f"{p} –" for p in ("quiet", "competitor", "clear")) + ".")
held = [l for l in open(f"{work}/daemon.log", errors="replace") if " held: ratio " in l]
print(f"Verdicts held as host-wide shifts (`Regression:HostShiftHold`, the daemon's log): {len(held)}.")
print()

quiet_eps = [e for e in episodes(regs) if phase(e[1]) == "quiet"]
if quiet_eps:
    print("Episodes in the quiet phase:")
    for c, a, b in quiet_eps:
        ms = sorted({g["metric"] for g in regs if g["canary"] == c and a <= g["opened"] <= b})
        print(f"- {c}: opened {(a - t['quiet']) / 1000:.0f} s into the run ({', '.join(ms)}), {'closed' if b < t['end'] else 'open'} {(b - a) / 1000:.0f} s later")
    print()

rows = list(csv.DictReader(open(samples)))
d = [int(r["daemon_rss_kib"]) for r in rows]
w = [int(r["workers_rss_kib"]) for r in rows]
wpeak = max((int(x.split(":")[1]) for r in rows for x in r["workers"].split() if ":" in x), default=0)
steady = d[len(d) // 2:] or d
print(f"Resident memory (sampled every 5 s): daemon peak {daemon_peak / 1024:.0f} MiB (VmHWM), steady median {statistics.median(steady) / 1024:.0f} MiB "
      f"over the second half; workers together peak {max(w, default=0) / 1024:.0f} MiB, one worker's largest sample {wpeak / 1024:.0f} MiB.")
PY
log "written to $out.md"
