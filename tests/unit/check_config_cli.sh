#!/usr/bin/env bash
# check_config_cli.sh -- `yuanwangd --check-config -c FILE` as an operator
# runs it: a file with three mistakes prints all three lines (exactly those
# of its .expected file) and exits 2; a bad rule file named by rules.paths
# prints its PCRE2 errors with caret lines and exits 2; the shipped example
# and the demo config exit 0.
#
# Usage: bash tests/unit/check_config_cli.sh BUILD_DIR
set -u
build=$(cd "${1:?usage: check_config_cli.sh BUILD_DIR}" && pwd)
cd "$(dirname "$0")/../.."      # messages carry repo-relative paths
bin="$build/yuanwangd"
fail=0

bad=tests/config/invalid/three_mistakes.yaml
out=$(env -u YW_HMAC_SECRET "$bin" --check-config -c "$bad" 2>&1)
rc=$?
if [ "$rc" -ne 2 ]; then
    echo "FAIL: --check-config -c $bad exited $rc, want 2"
    fail=1
fi
while IFS= read -r line; do
    if ! grep -qxF -- "$line" <<<"$out"; then
        echo "FAIL: missing line: $line"
        fail=1
    fi
done < "${bad%.yaml}.expected"
n=$(grep -c "^$bad:" <<<"$out")
if [ "$n" -ne 3 ]; then
    echo "FAIL: $n error lines for $bad, want 3"
    fail=1
fi
[ "$fail" -eq 0 ] || printf 'output was:\n%s\n' "$out"

good=config/yuanwang.yaml
out=$(YW_HMAC_SECRET=check-config-cli-secret-0123 "$bin" --check-config -c "$good" 2>&1)
rc=$?
if [ "$rc" -ne 0 ] || ! grep -qxF "$good: ok" <<<"$out"; then
    printf 'FAIL: --check-config -c %s exited %s, want 0 and "%s: ok"; output:\n%s\n' \
        "$good" "$rc" "$good" "$out"
    fail=1
fi

# A bad rule file named by rules.paths: the rule errors (PCRE2's message, the
# pattern and a caret line) follow the config's own, exactly as expected.
bad=tests/config/invalid/bad_rule.yaml
out=$(env -u YW_HMAC_SECRET "$bin" --check-config -c "$bad" 2>&1)
rc=$?
if [ "$rc" -ne 2 ] || [ "$out" != "$(cat "${bad%.yaml}.expected")" ]; then
    printf 'FAIL: --check-config -c %s exited %s, want 2 and %s; output:\n%s\n' \
        "$bad" "$rc" "${bad%.yaml}.expected" "$out"
    fail=1
fi

demo=config/demo.yaml
out=$(YW_HMAC_SECRET=check-config-cli-secret-0123 YW_KAFKA_BROKERS=127.0.0.1:9092 \
      YW_REDIS_PORT=6379 "$bin" --check-config -c "$demo" 2>&1)
rc=$?
if [ "$rc" -ne 0 ] || ! grep -qxF "$demo: ok" <<<"$out"; then
    printf 'FAIL: --check-config -c %s exited %s, want 0; output:\n%s\n' \
        "$demo" "$rc" "$out"
    fail=1
fi

[ "$fail" -eq 0 ] && echo "ok: check_config_cli"
exit "$fail"
