#!/usr/bin/env bash
# test_install.sh BUILD_DIR -- `cmake --install BUILD_DIR --prefix P` lays
#   out what config/yuanwangd.service expects under /opt/yuanwang: every
#   /opt/yuanwang path the unit names exists under P, and from the unit's
#   WorkingDirectory the installed daemon accepts the installed example
#   config (its relative `rules.paths: [rules]` resolve to P/rules).
. "$(dirname "$0")/../support/sh_test.sh" "$@"

prefix=$tmp/opt
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" ||
    { cat "$tmp/install.log" >&2; fail "cmake --install"; }

unit=$src/config/yuanwangd.service
paths=$(grep -v '^[[:space:]]*#' "$unit" | grep -o '/opt/yuanwang[^ ]*' | sort -u)
[ -n "$paths" ] || fail "the unit names no /opt/yuanwang path"
for p in $paths; do
    [ -e "$prefix${p#/opt/yuanwang}" ] || fail "the unit names $p; not installed"
done
[ -x "$prefix/bin/yuanwangd" ] && [ -x "$prefix/bin/ywctl" ] || fail "programs not installed"
workdir=$(sed -n 's/^WorkingDirectory=//p' "$unit")
[ "$workdir" = /opt/yuanwang ] || fail "WorkingDirectory is $workdir, not the install prefix"

out=$(cd "$prefix" && YW_HMAC_SECRET=test-install-secret-0123 \
      bin/yuanwangd --check-config -c config/yuanwang.yaml 2>&1) ||
    { echo "$out" >&2; fail "the installed config does not check from the prefix"; }
[ "$out" = "config/yuanwang.yaml: ok" ] || fail "unexpected: $out"
n=$(ls "$prefix/rules"/*.yaml | wc -l)
[ "$n" -eq "$(ls "$src/rules"/*.yaml | wc -l)" ] || fail "rules: $n files installed"
echo "ok: $(echo "$paths" | wc -l) unit paths installed, config checks from the prefix, $n rule files"
