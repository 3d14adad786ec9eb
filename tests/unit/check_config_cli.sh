#!/usr/bin/env bash
# check_config_cli.sh -- `yuanwangd --check-config -c FILE` as an operator
# runs it: a file with three mistakes prints all three lines (exactly those
# of its .expected file) and exits 2; the shipped example exits 0.
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

[ "$fail" -eq 0 ] && echo "ok: check_config_cli"
exit "$fail"
