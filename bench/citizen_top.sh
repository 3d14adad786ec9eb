#!/usr/bin/env bash
# citizen_top.sh [BUILD_DIR] -- the shared citizen messages replayed in time
# order through `ywctl backtest --alerts`, and the 10 clusters with the
# highest peak score: title, peak level, first-alert date, peak date.
#
#   bench/citizen_top.sh build          (needs ywctl and bench/prep_shared)
#
# Knobs (environment): CONFIG (config/yuanwang.yaml), OUT (keep the work
# files there), TOP (10).  Skips with a message when the shared data is
# absent.  "Peak" is the highest score a cluster had right after one of
# its records (ywctl backtest --clusters), whether or not it alerted; a
# merged cluster has the highest of its parts.  Not run by CI.  See
# bench/README.md "evaluation".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:-build}
[[ $build = /* ]] || build="$PWD/$build"
config=${CONFIG:-$root/config/yuanwang.yaml}
top=${TOP:-10}
data=""
for d in /work/shared/data "$root/../shared/data"; do
    [[ -f $d/citizen-messages/messages_with_replies.jsonl ]] && { data=$d/citizen-messages; break; }
done
if [[ -z $data ]]; then
    echo "citizen_top.sh: SKIP: shared data not found (/work/shared/data or ../shared/data)"
    exit 0
fi
for exe in "$build/ywctl" "$build/bench/prep_shared"; do
    [[ -x $exe ]] || { echo "citizen_top.sh: $exe not built (ninja -C $build ywctl prep_shared)" >&2; exit 2; }
done
if [[ -n ${OUT:-} ]]; then
    work=$OUT
    mkdir -p "$work"
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi
# The config reads the complainant-key secret from the environment; any
# fixed value will do for a replay (the keys never leave this run).
export YW_HMAC_SECRET=${YW_HMAC_SECRET:-citizen-top-run-only}

"$build/bench/prep_shared" citizen "$data/messages_with_replies.jsonl" "$work/raw.jsonl" >&2
# Time order: the file is newest first.  ts is "YYYY-MM-DD HH:MM:SS", so
# it sorts as text; sort -s keeps equal times in file order.
awk '{ if (match($0, /"ts":"[^"]*"/)) print substr($0, RSTART + 6, RLENGTH - 7) "\t" $0 }' "$work/raw.jsonl" |
    LC_ALL=C sort -s -t "$(printf '\t')" -k1,1 | cut -f2- >"$work/records.jsonl"
"$build/ywctl" backtest -c "$config" --input "$work/records.jsonl" \
    --assignments "$work/assign.jsonl" --alerts "$work/alerts.jsonl" \
    --clusters "$work/clusters.jsonl" >&2

# Every cluster's peak score comes from --clusters (the highest score right
# after one of its records); the alerts add the highest level it was raised
# to and its first rise ("-": never raised, its score stayed below blue).
awk -v top="$top" '
function str(k,    re) {
    re = "\"" k "\":\"([^\"\\\\]|\\\\.)*\""
    return match($0, re) ? substr($0, RSTART + length(k) + 4, RLENGTH - length(k) - 5) : ""
}
function num(k) { return match($0, "\"" k "\":[-0-9.eE+]+") ? substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 3) + 0 : 0 }
BEGIN { rank["none"] = 0; rank["blue"] = 1; rank["yellow"] = 2; rank["orange"] = 3; rank["red"] = 4 }
FNR == NR {                                   # alerts.jsonl
    if (str("kind") != "cluster") next
    c = str("cluster"); lv = str("level"); pv = str("prev_level"); t = substr(str("event_time"), 1, 10)
    if (!(c in maxlv) || rank[lv] > rank[maxlv[c]]) maxlv[c] = lv
    if (rank[lv] > rank[pv] && !(c in first)) first[c] = t
    next
}
{                                             # clusters.jsonl
    c = str("cluster")
    print num("peak_score") "\t" c "\t" (c in maxlv ? maxlv[c] : "none") "\t" (c in first ? first[c] : "-") "\t" substr(str("peak_at"), 1, 10) "\t" num("records") "\t" str("title")
}' "$work/alerts.jsonl" "$work/clusters.jsonl" | LC_ALL=C sort -t "$(printf '\t')" -k1,1gr -k2,2 | head -n "$top" |
    awk -F '\t' 'BEGIN { print "| # | peak score | title | records | highest level | first alert | peak | cluster |"; print "| --- | --- | --- | --- | --- | --- | --- | --- |" }
                 { printf "| %d | %.1f | %s | %d | %s | %s | %s | %s |\n", NR, $1, $7, $6, $3, $4, $5, $2 }'
[[ -n ${OUT:-} ]] && echo "files kept in $work" >&2
exit 0
