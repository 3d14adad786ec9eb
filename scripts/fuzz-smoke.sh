#!/usr/bin/env bash
# Fuzz smoke run (CI): build the libFuzzer targets with clang in build-fuzz,
# replay every seed and regression fixture once, then fuzz each target for
# FUZZ_SECONDS (default 30) over a copy of its seeds in a temporary
# directory, so nothing generated lands in the source tree.  Fails if any
# target crashes, leaks, hangs or runs out of memory; the inputs that did it
# are kept in $FUZZ_ARTIFACTS (default build-fuzz/fuzz-artifacts) and the
# lines to turn them into fixtures are printed.
#
#   scripts/fuzz-smoke.sh                    # all targets, 30 s each
#   FUZZ_SECONDS=600 scripts/fuzz-smoke.sh fuzz_rules
#   FUZZ_SEED=0 FUZZ_SECONDS=600 scripts/fuzz-smoke.sh   # a random seed
#
# The seed is fixed (FUZZ_SEED, default 1) so that CI is a gate on the
# change and not a lottery: the same code meets the same inputs, and a
# longer run with the same seed here goes through what CI's 30 s go
# through, and further.  New ground is broken by long runs with other
# seeds (FUZZ_SEED=0 is libFuzzer's random one), before a change lands;
# see docs/decisions.md "Fuzzing".
#
# Needs clang with libFuzzer (scripts/deps.sh installs it).  Seeds per
# target are the YW_FUZZ_SEEDS_* lists in tests/fuzz/CMakeLists.txt; keep
# the two in step.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SECS=${FUZZ_SECONDS:-30}
SEED=${FUZZ_SEED:-1}
BUILD=${YW_FUZZ_BUILD_DIR:-build-fuzz}
ART=${FUZZ_ARTIFACTS:-$ROOT/$BUILD/fuzz-artifacts}
TARGETS=(fuzz_record fuzz_config fuzz_rules fuzz_features fuzz_stage)
[ "$#" -eq 0 ] || TARGETS=("$@")

seeds() {  # seeds TARGET: seed directories, relative to the repo root
  case $1 in
    fuzz_record) echo tests/data tests/data/bad ;;
    fuzz_config) echo tests/config/valid tests/config/invalid config ;;
    fuzz_rules)  echo rules tests/data/rules_bad ;;
    fuzz_features | fuzz_stage) echo tests/data/fuzz_features ;;
    *) echo "fuzz-smoke: unknown target $1" >&2; return 1 ;;
  esac
}

dict() {  # dict TARGET: its libFuzzer dictionary
  case $1 in
    fuzz_stage) echo tests/fuzz/fuzz_features.dict ;;   # the same inputs
    *) echo "tests/fuzz/$1.dict" ;;
  esac
}

# Longest generated input: records are up to a few KiB, configs about 2
# KiB; rule files stay at 1 KiB because every loaded input compiles a
# Hyperscan database.
max_len() {
  case $1 in
    fuzz_rules) echo 1024 ;;
    fuzz_config) echo 2048 ;;
    *) echo 4096 ;;
  esac
}

echo "== build ($BUILD, clang)"
CC=clang cmake -S . -B "$BUILD" -G Ninja -DYW_FUZZ=ON -DYW_TESTS=OFF \
  -DYW_BENCH=OFF >/dev/null
ninja -C "$BUILD" "${TARGETS[@]}" >/dev/null

TMP=$(mktemp -d "${TMPDIR:-/tmp}/yw-fuzz.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$ART"

echo "== replay seeds and regression fixtures"
for t in "${TARGETS[@]}"; do
  dirs=("tests/fuzz/regressions/$t")
  for d in $(seeds "$t"); do dirs+=("$d"); done
  # The replay loads the full starter rules (see fuzz_rules.c).
  if ! YW_FUZZ_RULES_MAX_ITEMS=0 "$BUILD/tests/fuzz/$t" -runs=0 \
       -artifact_prefix="$ART/$t-replay-" "${dirs[@]}" >"$TMP/$t.replay.log" 2>&1; then
    tail -n 60 "$TMP/$t.replay.log"
    echo "fuzz-smoke: $t fails on a seed or fixture (inputs in $ART)" >&2
    exit 1
  fi
  echo "$t: $(grep -o 'Done [0-9]* runs' "$TMP/$t.replay.log")"
done

echo "== fuzz ${SECS}s per target"
failed=()
for t in "${TARGETS[@]}"; do
  corpus=$TMP/$t/corpus
  mkdir -p "$corpus"
  # Each seed directory is copied under its own name (tests/data and
  # tests/data/bad hold files of the same names); libFuzzer reads the
  # corpus recursively and writes new inputs at its top.
  for d in $(seeds "$t") "tests/fuzz/regressions/$t"; do
    mkdir -p "$corpus/seed-${d//\//_}"
    cp -R "$d"/. "$corpus/seed-${d//\//_}/"
  done
  log=$TMP/$t.log
  rc=0
  # The outer timeout only guards against a wedged process; libFuzzer
  # stops itself at max_total_time and reports slow inputs (-timeout).
  nice timeout $((SECS + 120)) "$BUILD/tests/fuzz/$t" \
    -seed="$SEED" -max_total_time="$SECS" -max_len="$(max_len "$t")" -timeout=25 \
    -rss_limit_mb=2048 -print_final_stats=1 \
    -dict="$(dict "$t")" -artifact_prefix="$ART/$t-" \
    "$corpus" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
  echo "$t: rc=$rc runs=${runs:-?} exec/s=${rate:-?} ${cov:-}"
  if [ "$rc" -ne 0 ]; then
    failed+=("$t")
    grep -E '^fuzz: ' "$log" | head -n 5 || true    # the harness's own words
    grep -A 30 -m 1 -E '^==[0-9]+==|^SUMMARY|deadly signal|ERROR: libFuzzer' "$log" || tail -n 40 "$log"
    # A CI machine's files do not outlive it: the inputs go in the log,
    # so that `base64 -d` gives the fixture back.
    for f in "$ART/$t"-*; do
      [ -f "$f" ] || continue
      echo "input $(basename "$f") (base64):"
      base64 -w 76 "$f"
    done
  fi
done

if [ "${#failed[@]}" -ne 0 ]; then
  echo "fuzz-smoke: crashed: ${failed[*]}; inputs:" >&2
  ls -l "$ART" >&2
  echo "Make each a fixture: cp INPUT tests/fuzz/regressions/TARGET/<what>," \
       "with a line in that directory's README." >&2
  exit 1
fi
echo "== fuzz smoke passed"
