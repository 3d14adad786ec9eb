#!/usr/bin/env bash
# test_backtest_bad_lines.sh BUILD_DIR -- `ywctl backtest` over a file with
#   ywgen's malformed lines mixed in (truncated JSON, bad UTF-8, missing or
#   unparseable ts, wrong types, missing text or id): every one is counted
#   as bad, by reason -- those whose time can be peeked are caught when the
#   line is decoded in event-time order, the others before -- and the good
#   records give exactly the assignments and alerts of the same file
#   without them (ywgen writes the same valid lines either way).
. "$(dirname "$0")/../support/sh_test.sh" "$@"

bad=60
"$build/bench/ywgen" --seed 5 --records 3000 --days 10 --scenario demo -o "$tmp/clean.jsonl"
"$build/bench/ywgen" --seed 5 --records 3000 --days 10 --scenario demo --malformed $bad \
    -o "$tmp/mixed.jsonl"
[ "$(wc -l <"$tmp/mixed.jsonl")" -eq $((3000 + bad)) ] || fail "ywgen did not add $bad lines"

cd "$src"
export YW_HMAC_SECRET=test-backtest-bad-lines-secret
for f in clean mixed; do
    "$build/ywctl" backtest -c config/yuanwang.yaml --input "$tmp/$f.jsonl" \
        --assignments "$tmp/$f.a" --alerts "$tmp/$f.al" 2>"$tmp/$f.err" ||
        { cat "$tmp/$f.err" >&2; fail "backtest $f"; }
done

grep -q '3000 records (0 bad)' "$tmp/clean.err" || { cat "$tmp/clean.err" >&2; fail "clean run"; }
grep -q "3000 records ($bad bad)" "$tmp/mixed.err" || { cat "$tmp/mixed.err" >&2; fail "bad count"; }
# the breakdown names each class and adds up to the bad lines
line=$(grep '^ywctl backtest: bad lines:' "$tmp/mixed.err") || fail "no breakdown"
sum=0
for kv in ${line#ywctl backtest: bad lines:}; do sum=$((sum + ${kv#*=})); done
[ "$sum" -eq $bad ] || fail "breakdown adds up to $sum, not $bad: $line"
for cls in bad_json bad_utf8 missing_field bad_time bad_type; do
    case "$line" in *" $cls="*) ;; *) fail "no $cls in: $line" ;; esac
done
# the first bad lines are reported with FILE:LINE and their class
[ "$(grep -c "mixed.jsonl:[0-9]*: [a-z_]*: " "$tmp/mixed.err")" -eq 10 ] ||
    { cat "$tmp/mixed.err" >&2; fail "expected 10 reported bad lines"; }

cmp -s "$tmp/clean.a" "$tmp/mixed.a" || fail "assignments differ with bad lines mixed in"
cmp -s "$tmp/clean.al" "$tmp/mixed.al" || fail "alerts differ with bad lines mixed in"
[ "$(wc -l <"$tmp/mixed.a")" -eq 3000 ] || fail "assignments: not one line per good record"
echo "ok: $bad bad lines counted ($line), good records' assignments and alerts unchanged"
