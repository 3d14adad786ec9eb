#!/usr/bin/env bash
# The whole test suite from a fresh clone: install the Debian packages,
# build with warnings as errors, run every ctest test (labels: unit, redis,
# kafka, e2e).  Extra arguments go to ctest, e.g.  scripts/test.sh -L unit
#
#   YW_BUILD_DIR=build-asan YW_CMAKE_ARGS=-DYW_SANITIZE=ON scripts/test.sh
# runs the same under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
BUILD=${YW_BUILD_DIR:-build}
# shellcheck disable=SC2086
cmake -S . -B "$BUILD" -G Ninja -DYW_WERROR=ON ${YW_CMAKE_ARGS:-} >/dev/null
ninja -C "$BUILD"
ctest --test-dir "$BUILD" --output-on-failure --no-tests=error -j2 "$@"
