# sh_test.sh -- sourced by the shell-driven tests (tests/<label>/*.sh) as
#   . "$(dirname "$0")/../support/sh_test.sh" "$@"
# Sets build (the build directory, the test's first argument), src (the
# repository), tmp (a fresh directory, removed on exit) and fail MESSAGE
# (prints "FAIL: MESSAGE" and exits 1).  Shell options: -euo pipefail.
set -euo pipefail

build=${1:?usage: $(basename "$0") BUILD_DIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
