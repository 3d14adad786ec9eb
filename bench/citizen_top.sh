#!/usr/bin/env bash
# citizen_top.sh [BUILD_DIR] -- the shared citizen messages replayed in time
# order through `ywctl backtest --alerts`, and the 10 clusters with the
# highest peak score: title, peak level, first-alert date, peak date.
#
#   bench/citizen_top.sh build          (needs ywctl and bench/prep_shared)
#
# Knobs (environment): CONFIG (config/yuanwang.yaml), OUT (keep the work
# files there), TOP (10).  Skips with a message when the shared data is
# absent.  "Peak" is over the cluster's alert events (rises and
# downgrades): the score is only written when the level changes.  A
# cluster merged away later keeps its own row under its old id.  Not run
# by CI.  See bench/README.md "evaluation".
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
    --assignments "$work/assign.jsonl" --alerts "$work/alerts.jsonl" >&2

# One row per cluster: the alert event with the highest score (the first
# of equals), the highest level, the first rise.
awk -v top="$top" '
function str(k,    re) {
    re = "\"" k "\":\"([^\"\\\\]|\\\\.)*\""
    return match($0, re) ? substr($0, RSTART + length(k) + 4, RLENGTH - length(k) - 5) : ""
}
function num(k) { return match($0, "\"" k "\":[-0-9.eE+]+") ? substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 3) + 0 : 0 }
BEGIN { rank["none"] = 0; rank["blue"] = 1; rank["yellow"] = 2; rank["orange"] = 3; rank["red"] = 4 }
str("kind") == "cluster" {
    c = str("cluster"); s = num("score"); lv = str("level"); pv = str("prev_level"); t = substr(str("event_time"), 1, 10)
    if (!(c in peak) || s > peak[c]) { peak[c] = s; pdate[c] = t; title[c] = str("title") }
    if (!(c in maxlv) || rank[lv] > rank[maxlv[c]]) maxlv[c] = lv
    if (rank[lv] > rank[pv] && !(c in first)) first[c] = t
}
END {
    for (c in peak) print peak[c] "\t" c "\t" maxlv[c] "\t" (c in first ? first[c] : "-") "\t" pdate[c] "\t" title[c]
}' "$work/alerts.jsonl" | LC_ALL=C sort -t "$(printf '\t')" -k1,1gr -k2,2 | head -n "$top" |
    awk -F '\t' 'BEGIN { print "| # | peak score | title | peak level | first alert | peak | cluster |"; print "| --- | --- | --- | --- | --- | --- | --- |" }
                 { printf "| %d | %.1f | %s | %s | %s | %s | %s |\n", NR, $1, $6, $3, $4, $5, $2 }'
[[ -n ${OUT:-} ]] && echo "files kept in $work" >&2
exit 0
