#!/usr/bin/env bash
# test_backtest_clusters.sh BUILD_DIR -- `ywctl backtest --clusters`:
#   every final cluster is listed once with its records, times, title and
#   peak (score, time, level); the records add up to the assignments; a
#   peak lies within the cluster's own time span; and on ywgen's demo
#   scenario the highest peak belongs to one of its three planted issues,
#   at orange or red.
. "$(dirname "$0")/../support/sh_test.sh" "$@"
command -v python3 >/dev/null || fail "python3 needed"

# 14 days: past the scorer's 7-day warm-up (nothing above yellow before it)
"$build/bench/ywgen" --seed 3 --records 3000 --days 14 --scenario demo --always-source -o "$tmp/r.jsonl"
cd "$src"
YW_HMAC_SECRET=test-backtest-clusters-secret "$build/ywctl" backtest -c config/yuanwang.yaml \
    --input "$tmp/r.jsonl" --assignments "$tmp/a.jsonl" --alerts "$tmp/al.jsonl" \
    --clusters "$tmp/c.jsonl" 2>"$tmp/err" || { cat "$tmp/err" >&2; echo "FAIL: backtest" >&2; exit 1; }

python3 - "$tmp" <<'PY'
import json, sys
from datetime import datetime
d = sys.argv[1]
assign = [json.loads(l) for l in open(d + "/a.jsonl")]
clus = [json.loads(l) for l in open(d + "/c.jsonl")]
def fail(msg):
    print("FAIL: " + msg, file=sys.stderr); sys.exit(1)
ids = [c["cluster"] for c in clus]
if len(ids) != len(set(ids)): fail("a cluster listed twice")
per = {}
for a in assign: per[a["cluster"]] = per.get(a["cluster"], 0) + 1
for c in clus:
    for k in ("records", "first_seen", "last_seen", "title", "peak_score", "peak_at", "peak_level"):
        if k not in c: fail("%s has no %s" % (c["cluster"], k))
    if per.get(c["cluster"]) != c["records"]:
        fail("%s: %d records listed, %s assigned" % (c["cluster"], c["records"], per.get(c["cluster"])))
    if c["peak_level"] not in ("none", "blue", "yellow", "orange", "red"): fail("bad level " + c["peak_level"])
    t = lambda s: datetime.fromisoformat(s).timestamp()
    if not (t(c["first_seen"]) <= t(c["peak_at"]) <= t(c["last_seen"])):
        fail("%s: peak %s outside %s .. %s" % (c["cluster"], c["peak_at"], c["first_seen"], c["last_seen"]))
    if not (0 <= c["peak_score"] <= 100): fail("peak_score out of range")
if sum(c["records"] for c in clus) != len(assign): fail("records do not add up")
if [c["records"] for c in clus] != sorted((c["records"] for c in clus), reverse=True): fail("not largest first")
top = max(clus, key=lambda c: c["peak_score"])
planted = ("御景湾", "恒瑞", "宏建", "北辰壹号", "鑫融", "金融大厦")
if not any(p in top["title"] for p in planted): fail("top peak is not a planted issue: " + top["title"])
if top["peak_level"] not in ("orange", "red"): fail("top peak level " + top["peak_level"])
print("ok: %d clusters, top peak %.1f (%s) %s" % (len(clus), top["peak_score"], top["peak_level"], top["title"]))
PY
echo "PASS"
