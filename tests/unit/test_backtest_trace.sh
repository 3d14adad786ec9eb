#!/usr/bin/env bash
# test_backtest_trace.sh BUILD_DIR -- `ywctl backtest --score-trace`:
#   tracing changes nothing (alerts and assignments byte-identical with and
#   without it); every line is JSON with all sixteen signals; a line's
#   score is its signals' points summed as the scorer sums them (capped at
#   100, one decimal); every cluster alert event has the evaluation that
#   made it in the trace (same cluster, event time, score; the trace's
#   level is the alert's prev_level); every merge names clusters already
#   traced.
. "$(dirname "$0")/../support/sh_test.sh" "$@"
command -v python3 >/dev/null || fail "python3 needed"

# 14 days of the demo scenario: past the 7-day warm-up, with orange alerts
"$build/bench/ywgen" --seed 3 --records 3000 --days 14 --scenario demo --always-source -o "$tmp/r.jsonl"
cd "$src"
export YW_HMAC_SECRET=test-backtest-trace-secret
"$build/ywctl" backtest -c config/yuanwang.yaml --input "$tmp/r.jsonl" \
    --assignments "$tmp/a0.jsonl" --alerts "$tmp/al0.jsonl" 2>"$tmp/err0" \
    || { cat "$tmp/err0" >&2; echo "FAIL: backtest" >&2; exit 1; }
"$build/ywctl" backtest -c config/yuanwang.yaml --input "$tmp/r.jsonl" \
    --assignments "$tmp/a1.jsonl" --alerts "$tmp/al1.jsonl" --score-trace "$tmp/t.jsonl" 2>"$tmp/err1" \
    || { cat "$tmp/err1" >&2; echo "FAIL: backtest --score-trace" >&2; exit 1; }
cmp -s "$tmp/al0.jsonl" "$tmp/al1.jsonl" || { echo "FAIL: alerts differ with --score-trace" >&2; exit 1; }
cmp -s "$tmp/a0.jsonl" "$tmp/a1.jsonl" || { echo "FAIL: assignments differ with --score-trace" >&2; exit 1; }

python3 - "$tmp" <<'PY'
import json, math, sys
from datetime import datetime
d = sys.argv[1]
def fail(msg):
    print("FAIL: " + msg, file=sys.stderr); sys.exit(1)
names = ["volume", "burst", "growth", "people", "repeat", "sources", "escalation", "emotion",
         "domain", "spread", "concentration", "outcome", "deflection", "selfharm", "trend", "campaign"]
evals = {}
seen = set()
nmerge = nev = 0
for n, l in enumerate(open(d + "/t.jsonl"), 1):
    o = json.loads(l)
    if "merge" in o:
        if o["merge"] not in seen: fail("line %d: merge of an untraced cluster %s" % (n, o["merge"]))
        nmerge += 1
        continue
    nev += 1
    if sorted(o["signals"]) != sorted(names): fail("line %d: signals %s" % (n, sorted(o["signals"])))
    pts = sum(v[1] for v in o["signals"].values())
    want = math.floor(min(pts, 100) * 10 + 0.5) / 10
    # the points are printed with 6 significant digits, so a sum right at a
    # rounding boundary (23.15) can land on either side of it: the score is
    # the sum rounded to one decimal if they are within 0.05 (+ print error)
    if abs(min(pts, 100) - o["score"]) > 0.0501:
        fail("line %d: score %s, points add up to %s" % (n, o["score"], want))
    if len(o["weeks"]) != 4 or not 0 <= o["active_days_14"] <= 14: fail("line %d: weeks/active days" % n)
    seen.add(o["cluster"])
    evals.setdefault((o["cluster"], o["t"]), []).append(o)
alerts = [json.loads(l) for l in open(d + "/al1.jsonl")]
checked = 0
for a in alerts:
    if a["kind"] != "cluster": continue
    t = round(datetime.fromisoformat(a["event_time"]).timestamp() * 1000)
    cands = evals.get((a["cluster"], t), [])
    if not any(abs(e["score"] - a["score"]) < 0.051 and e["level"] == a["prev_level"] for e in cands):
        fail("alert %s %s -> %s at %s (score %s) not in the trace: %s" %
             (a["cluster"], a["prev_level"], a["level"], a["event_time"], a["score"], cands))
    checked += 1
if checked < 3: fail("only %d cluster alert events to check" % checked)
if not any(a["level"] in ("orange", "red") for a in alerts): fail("no orange alert in the scenario")
print("ok: %d evaluations, %d merges, %d alert events found in the trace" % (nev, nmerge, checked))
PY
echo "PASS"
