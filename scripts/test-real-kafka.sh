#!/usr/bin/env bash
# The end-to-end tests (ctest label e2e) against a real Apache Kafka broker
# instead of librdkafka's mock cluster:
#
#   scripts/test-real-kafka.sh [BUILD_DIR [CTEST ARGS...]]   # BUILD_DIR: build
#
# Starts a private broker (scripts/kafka-broker.sh: Kafka 4.4.0, one KRaft
# node, its jars resolved from Maven Central into ~/.cache once) with its
# state in a fresh temporary directory, runs the already built tests of
# BUILD_DIR with YW_TEST_KAFKA_BROKERS (every test run makes its own
# suffixed topics and groups there) and YW_TEST_KAFKA_DIR (the broker's
# state: e2e.test_broker_restart stops, kills and restarts the broker
# through it), and always stops the broker and deletes its state on exit.
# When a test fails, the tail of the broker's log is printed first.
# Nothing is built here: build BUILD_DIR first (scripts/test.sh does).
set -euo pipefail

BUILD=$(realpath -m "${1:-build}")
shift || true
cd "$(dirname "$0")/.."
if [ ! -f "$BUILD/CTestTestfile.cmake" ] || [ ! -x "$BUILD/ywctl" ]; then
  echo "test-real-kafka: $BUILD is not a built build directory (scripts/test.sh builds build/)" >&2
  exit 2
fi

STATE=$(mktemp -d "${TMPDIR:-/tmp}/yw-kafka.XXXXXX")
export YW_KAFKA_DIR=$STATE
# kafka-broker.sh takes ywctl from this build and builds nothing.
export YW_BUILD_DIR=$BUILD

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if ((rc != 0)); then
    # broker.log.1: before the last restart (test_broker_restart restarts it)
    for log in "$STATE/broker.log.1" "$STATE/broker.log"; do
      [ -s "$log" ] || continue
      echo "test-real-kafka: ${log##*/}: last warnings and errors, then last lines" >&2
      grep -E '^\[[^]]*\] (WARN|ERROR|FATAL)' "$log" | tail -n 10 >&2 || true
      echo "..." >&2
      tail -n 10 "$log" >&2
    done
  fi
  scripts/kafka-broker.sh stop || rc=1
  rm -rf "$STATE"
  echo "test-real-kafka: $( ((rc == 0)) && echo passed || echo "FAILED ($rc)"), $SECONDS s" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

brokers=$(scripts/kafka-broker.sh start)
brokers=${brokers#YW_KAFKA_BROKERS=}
[ -n "$brokers" ] || { echo "test-real-kafka: the broker did not say where it listens" >&2; exit 1; }
export YW_TEST_KAFKA_BROKERS=$brokers YW_TEST_KAFKA_DIR=$STATE
echo "test-real-kafka: Kafka at $brokers (state $STATE), up after $SECONDS s" >&2

ctest --test-dir "$BUILD" -L e2e --output-on-failure --no-tests=error "$@"
