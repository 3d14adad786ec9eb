#!/usr/bin/env bash
# test_yweval.sh BUILD_DIR -- checks of the early-warning evaluator and its
# scenario generator:
#   yweval on a hand-made fixture (tests/data/eval/) prints the figures
#   worked out by hand below, in text and in JSON;
#   ywscenario gives the same bytes for the same seed, other bytes for another
#   seed, a truth file consistent with the records, and refuses bad arguments.
set -euo pipefail

build=${1:?usage: test_yweval.sh BUILD_DIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
data="$src/tests/data/eval"
ev="$build/bench/yweval" sc="$build/bench/ywscenario"
for exe in "$ev" "$sc"; do
    [[ -x $exe ]] || { echo "FAIL: $exe not built" >&2; exit 1; }
done
command -v python3 >/dev/null || { echo "FAIL: python3 needed" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The fixture, by construction (background 50,000 records over 14 days = 2 weeks):
#  A slow,   petition 03-21: 4 of 5 records in c-A (with 2 background: A is the
#            majority), 1 in c-A2.  First orange+ 03-01 00:00 -> lead 20.0 d.
#            Orange+ alerts: c-A orange, c-A red (a rise), c-A2 orange, and c-gone2
#            (not in the assignments; 2 of its 3 sample ids are A's) = 4.
#            The downgrade red -> orange on 03-25 is ignored.
#  B burst,  petition 03-10: its only orange comes at 09:00 on 03-10 -> missed
#            ("late").  c-B1 holds 2 of B's 4 records among 5 (>= 30% of B),
#            B3 sits in c-bg (1 of 11, 25% of B): c-bg stays background.
#  C person, petition 03-15: no cluster alert; a yellow person alert on c-C 03-08
#            -> hit; an orange person alert on c-C 03-11 08:00 -> detected,
#            lead 3 d 16 h = 3.6667 d (orange+ person alerts count like cluster ones).
#  D online, petition 03-12: orange on c-D 2026-03-06T04:00Z = 12:00 +08:00 -> 5.5 d.
#  False orange+: c-bg (orange), c-gone (samples mostly background) and the
#            orange person alert on c-bg = 3 (1 of them a person alert); c-X
#            yellow is not orange.  3 / 2 weeks = 1.50 a week;
#            3 * 100000 / 50000 = 6.00 per week per 100k background records a week.
#  Detected 3/4 = 75.0%; leads {3.6667, 5.5, 20}: median 5.5,
#            p75 (position 1.5) 5.5 + 0.5 * 14.5 = 12.75.
#  Orange+ alerts per detected issue: (4 + 1 + 1) / 3 = 2.00 (1 a person alert).
#  Person: 1/1 hit, 1 person alert on no planted issue (c-bg).
"$ev" --truth "$data/truth.jsonl" --assignments "$data/assignments.jsonl" \
    --alerts "$data/alerts.jsonl" >"$tmp/out.txt" || fail "yweval exited $?"
want=(
    "detected orange+ before petition day: 3/4 (75.0%)"
    "  slow    1/1" "  burst   0/1" "  online  1/1" "  person  1/1"
    "lead time, days: min 3.7  median 5.5  p75 12.8  max 20.0"
    "false orange+ alerts: 3 (1.50 a week); per week per 100k background records a week: 6.00"
    "  of which person alerts: 1"
    "orange+ alerts per detected issue: 2.00 (6 alerts on 3 issues, 1 of them person alerts)"
    "person alerts: 1/1 angry-person issues alerted before the petition day; 1 person alerts on no planted issue, 0 on other planted issues"
    "alerts read: 14 (1 downgrades ignored, 1 attributed by sample_ids, 2 on clusters not in the assignments)"
)
for w in "${want[@]}"; do
    grep -qF -- "$w" "$tmp/out.txt" || { cat "$tmp/out.txt" >&2; fail "text report lacks: $w"; }
done
grep -E '^乙劳务欠薪 +burst .* no +late ' "$tmp/out.txt" >/dev/null || fail "B not shown as late"

"$ev" --json --truth "$data/truth.jsonl" --assignments "$data/assignments.jsonl" \
    --alerts "$data/alerts.jsonl" >"$tmp/out.json" || fail "yweval --json exited $?"
python3 - "$tmp/out.json" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
def eq(k, v):
    if o[k] != v:
        sys.exit(f"FAIL: {k} = {o[k]!r}, want {v!r}")
eq("issues", 4); eq("detected", 3); eq("detection_rate", 75.0)
eq("by_shape", {"slow": {"issues": 1, "detected": 1}, "burst": {"issues": 1, "detected": 0},
                "online": {"issues": 1, "detected": 1}, "person": {"issues": 1, "detected": 1}})
eq("lead_days", {"min": 3.67, "median": 5.5, "p75": 12.75, "max": 20.0})
eq("false_orange", 3); eq("false_orange_person", 1)
eq("false_orange_per_week", 1.5); eq("false_orange_per_week_per_100k", 6.0)
eq("alerts_per_detected_issue", 2.0); eq("person_orange_alerts_on_detected", 1)
eq("person_hits", 1); eq("person_false", 1)
eq("downgrades", 1); eq("alerts_by_sample_ids", 1)
a, b, c, d = o["per_issue"]
assert (a["clusters"], a["orange_alerts"], a["lead_days"]) == (2, 4, 20.0), a
assert (b["clusters"], b["detected"], b["main_cluster_pct"]) == (2, False, 50), b
assert c["person_hit"] and c["orange_alerts"] == 1 and c["lead_days"] == 3.67, c
assert d["lead_days"] == 5.5, d
PY

# Bad arguments: status 2.  A missing input: status 1.
"$ev" --truth "$data/truth.jsonl" >/dev/null 2>&1 && fail "yweval ran without --assignments/--alerts"
[[ $("$ev" --share 2 --truth x --assignments y --alerts z >/dev/null 2>&1; echo $?) = 2 ]] || fail "--share 2 accepted"
[[ $("$ev" --truth "$tmp/none" --assignments y --alerts z >/dev/null 2>&1; echo $?) = 1 ]] || fail "missing truth not status 1"

# ywscenario: deterministic, seed-dependent, truth consistent with the records.
args=(--months 3 --background-per-day 150 --escalations 8)
"$sc" --seed 7 "${args[@]}" --out-records "$tmp/r1.jsonl" --out-truth "$tmp/t1.jsonl" 2>/dev/null
"$sc" --seed 7 "${args[@]}" --out-records "$tmp/r2.jsonl" --out-truth "$tmp/t2.jsonl" 2>/dev/null
cmp -s "$tmp/r1.jsonl" "$tmp/r2.jsonl" || fail "ywscenario: same seed, different records"
cmp -s "$tmp/t1.jsonl" "$tmp/t2.jsonl" || fail "ywscenario: same seed, different truth"
"$sc" --seed 8 "${args[@]}" --out-records "$tmp/r3.jsonl" --out-truth "$tmp/t3.jsonl" 2>/dev/null
cmp -s "$tmp/r1.jsonl" "$tmp/r3.jsonl" && fail "ywscenario: different seeds, same records"
for bad in "--months 0" "--escalations x" "--start 2026-13-01" "--bogus"; do
    # shellcheck disable=SC2086
    "$sc" $bad --out-records "$tmp/x" --out-truth "$tmp/y" >/dev/null 2>&1 && fail "ywscenario accepted $bad"
done
python3 - "$tmp/r1.jsonl" "$tmp/t1.jsonl" <<'PY'
import json, sys, collections
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
truth = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
ids = {r["id"]: r for r in recs}
if len(ids) != len(recs):
    sys.exit("FAIL: duplicate record ids")
summ = [t["summary"] for t in truth if "summary" in t]
esc = [t for t in truth if "issue" in t]
if len(summ) != 1 or len(esc) != 8:
    sys.exit(f"FAIL: truth has {len(esc)} escalations, {len(summ)} summaries")
s = summ[0]
planted = [i for e in esc for i in e["record_ids"]]
if len(set(planted)) != len(planted) or any(i not in ids for i in planted):
    sys.exit("FAIL: truth record ids not unique or not in the records")
if s["records"] != len(recs) or s["background_records"] != len(recs) - len(planted):
    sys.exit(f"FAIL: summary counts {s} vs {len(recs)} records, {len(planted)} planted")
if sorted({e["shape"] for e in esc}) != ["burst", "online", "person", "slow"]:
    sys.exit("FAIL: not every shape planted")
names = [e["issue"] for e in esc]
if len(set(names)) != len(names):
    sys.exit("FAIL: escalation names repeat")
for e in esc:
    if e["shape"] == "person":
        people = {ids[i].get("person") for i in e["record_ids"]} - {None}
        if not people <= {e["person"], e["person_account"]}:
            sys.exit(f"FAIL: {e['issue']}: records from other people: {people}")
    # every escalation has records before its petition day (epoch-ms ts count as before)
    pday = e["petition_day"]
    day_of = lambda r: r["ts"][:10] if isinstance(r["ts"], str) and not r["ts"].isdigit() else None
    before = [i for i in e["record_ids"] if (day_of(ids[i]) or "0") < pday]
    if len(before) < 3:
        sys.exit(f"FAIL: {e['issue']}: only {len(before)} records before the petition day")
    if e["shape"] != "person" and len(e["record_ids"]) < 20:
        sys.exit(f"FAIL: {e['issue']}: only {len(e['record_ids'])} records")
# every record names its source (a file has no topic)
if any("source" not in r for r in recs):
    sys.exit("FAIL: a record without source")
PY
echo "ok: yweval figures on the fixture, ywscenario determinism and truth"
