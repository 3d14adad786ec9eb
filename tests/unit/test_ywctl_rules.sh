#!/usr/bin/env bash
# test_ywctl_rules.sh BUILD_DIR -- `ywctl rules match`, the analyst's check
#   before a rule reload: on one text it names the rules hit and shows the
#   normalised text the patterns saw and the names found in it; over records, each rule's count is
#   the number of records whose text or title holds its literal (counted
#   here from the JSON, independently of the feature stage), --show lists
#   exactly those records, and a rule file with an error stops it with the
#   file and line.
. "$(dirname "$0")/../support/sh_test.sh" "$@"

mkdir "$tmp/rules"
cat >"$tmp/rules/r.yaml" <<'YAML'
rules:
  - name: wages
    kind: domain
    patterns: ['工资']
  - name: property
    kind: domain
    patterns: ['物业']
  - name: never
    kind: emotion
    patterns: ['这个词不会出现在任何记录里']
YAML
cat >"$tmp/c.yaml" <<YAML
privacy:
  hmac_secret: "test-ywctl-rules-secret-0123"
rules:
  paths: ["$tmp/rules"]
YAML
y="$build/ywctl"

# one text
out=$("$y" rules match -c "$tmp/c.yaml" --text "公司拖欠工资，打１２３４５没人管")
grep -q '^wages  *domain  *weight 1  *in text$' <<<"$out" || fail "wages not hit: $out"
grep -q '^property' <<<"$out" && fail "property hit: $out"
grep -q '^normalised text:  公司拖欠工资 打12345没人管$' <<<"$out" || fail "normalised text: $out"
out=$("$y" rules match -c "$tmp/c.yaml" --text "由政府牵头成立专班解决御景湾花园二期停工，拖欠3万元")
grep -q '^names:  *estate 御景湾花园, amount 3万元$' <<<"$out" || fail "names: $out"
out=$("$y" rules match -c "$tmp/c.yaml" --text "今天天气很好")
grep -q '^names:' <<<"$out" && fail "names in a text without any: $out"
out=$("$y" rules match -c "$tmp/c.yaml" --text "今天天气很好" --title "物业费")
grep -q '^property  *domain  *weight 1  *in title$' <<<"$out" || fail "title hit: $out"
out=$("$y" rules match -c "$tmp/c.yaml" --text "今天天气很好")
[ "$(tail -1 <<<"$out")" = "no rule matched" ] || fail "no-hit text: $out"

# records: counts against an independent count from the JSON
"$build/bench/ywgen" --seed 3 --records 4000 --days 10 --scenario demo -o "$tmp/r.jsonl"
"$y" rules match -c "$tmp/c.yaml" --input "$tmp/r.jsonl" >"$tmp/counts"
python3 - "$tmp/r.jsonl" "$tmp/counts" <<'PY' || fail "counts differ"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
want = {n: sum(1 for r in recs if w in r.get("text", "") or w in (r.get("title") or ""))
        for n, w in (("wages", "工资"), ("property", "物业"))}
got = {}
lines = open(sys.argv[2]).read().splitlines()
assert lines[0].startswith("records %d (0 bad lines skipped), rules 3" % len(recs)), lines[0]
for l in lines[2:]:
    f = l.split()
    if f[0] == "never":
        assert l == "never matched (1): never", l
    else:
        got[f[0]] = int(f[2])
if got != want or min(want.values()) == 0:
    sys.exit("tool %s, JSON %s" % (got, want))
PY
"$y" rules match -c "$tmp/c.yaml" --input "$tmp/r.jsonl" --show wages --limit 100000 |
    cut -f1 | sort >"$tmp/shown"
python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if "工资" in r.get("text", "") or "工资" in (r.get("title") or ""): print(r["id"])
' "$tmp/r.jsonl" | sort >"$tmp/want"
cmp -s "$tmp/shown" "$tmp/want" || fail "--show wages lists other records"

# a bad rule file: exit 2, its place named, nothing matched
printf 'rules:\n  - name: broken\n    kind: emotion\n    patterns: [%s]\n' "'讨不(到'" >"$tmp/rules/s.yaml"
set +e
"$y" rules match -c "$tmp/c.yaml" --text "讨不到" >"$tmp/bad.out" 2>"$tmp/bad.err"
rc=$?
set -e
[ $rc -eq 2 ] || fail "bad rules: exit $rc"
grep -q "s.yaml:4: rule broken: PCRE2 error at offset 10" "$tmp/bad.err" || fail "bad rules: $(cat "$tmp/bad.err")"
[ ! -s "$tmp/bad.out" ] || fail "bad rules: matched anyway"
# --rules instead of the config's: the draft directory alone
rm "$tmp/rules/s.yaml"
mkdir "$tmp/draft"
printf 'rules:\n  - name: refused\n    kind: emotion\n    patterns: [%s]\n' "'讨不到'" >"$tmp/draft/d.yaml"
out=$("$y" rules match -c "$tmp/c.yaml" --rules "$tmp/draft" --text "工资讨不到")
grep -q '^refused ' <<<"$out" || fail "--rules: $out"
grep -q '^wages' <<<"$out" && fail "--rules also used the config's rules: $out"
echo "ok"
