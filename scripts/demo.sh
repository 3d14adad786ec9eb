#!/usr/bin/env bash
# The main job on a fresh machine: build, start a local redis-server on a
# free port and a Kafka endpoint, replay a generated sample of all four
# sources through Kafka into yuanwangd, and print the alerts that land in
# Redis.  Stops every process it started.
#
# Kafka: librdkafka's in-process mock cluster (run by `ywctl mock-kafka`)
# unless YW_KAFKA_BROKERS names a real broker (scripts/kafka-broker.sh starts
# one here); there the demo creates its topics if they are missing.
# Files (logs, sample, metrics) are left in out/demo/ to look at.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

bash scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build yuanwangd ywctl ywgen >/dev/null

OUT=$ROOT/out/demo
rm -rf "$OUT" && mkdir -p "$OUT"
B=$ROOT/build
pids=()
cleanup() {
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local secs=$1 what=$2; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= end)); then echo "demo: timed out waiting for $what" >&2; return 1; fi
    sleep 0.1
  done
}

# Redis on a free port, nothing persisted.
export YW_REDIS_PORT=$("$B/ywctl" free-port)
redis-server --port "$YW_REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
  --dir "$OUT" >"$OUT/redis.log" 2>&1 &
pids+=($!)
wait_for 10 "redis-server" redis-cli -p "$YW_REDIS_PORT" ping

export YW_HMAC_SECRET=${YW_HMAC_SECRET:-demo-secret-not-for-production}
export YW_METRICS_FILE=$OUT/metrics.prom
export YW_SNAPSHOT_DIR=$OUT/snapshot

# Kafka.
if [ -z "${YW_KAFKA_BROKERS:-}" ]; then
  "$B/ywctl" mock-kafka --partitions 4 --bootstrap-file "$OUT/bootstrap" >"$OUT/kafka.log" 2>&1 &
  pids+=($!)
  wait_for 10 "the mock Kafka cluster" test -s "$OUT/bootstrap"
  export YW_KAFKA_BROKERS=$(cat "$OUT/bootstrap")
  echo "demo: Kafka mock cluster at $YW_KAFKA_BROKERS, Redis at 127.0.0.1:$YW_REDIS_PORT"
else
  echo "demo: Kafka at $YW_KAFKA_BROKERS, Redis at 127.0.0.1:$YW_REDIS_PORT"
  "$B/ywctl" topics create -c config/demo.yaml --partitions 4
fi

# Three generated weeks of all four sources with planted escalations, and a few
# malformed records that must end up in the dead-letter topic.
"$B/bench/ywgen" --seed 7 --records 6000 --days 21 --scenario demo --malformed 5 >"$OUT/sample.jsonl"
total=$(wc -l <"$OUT/sample.jsonl")

# The three weeks go into Kafka first, as a backlog, and the daemon starts
# after: it applies them in event-time order across its partitions (the
# aligner, docs/decisions.md), so the alerts are those of living through
# the three weeks, and the same on the mock and on a real broker.  Played
# live at this speed instead (three weeks in ~3 s), the 2 h of allowed
# lateness would be ~12 ms of wall clock and fetch timing would decide
# which records count as late.
"$B/ywctl" replay -c config/demo.yaml --input "$OUT/sample.jsonl" --rate 2000

"$B/yuanwangd" --check-config -c config/demo.yaml
"$B/yuanwangd" -c config/demo.yaml 2>"$OUT/yuanwangd.log" &
daemon=$!
pids+=($daemon)

consumed() {
  awk '/^yw_records_consumed_total /{print $2}' "$OUT/metrics.prom" 2>/dev/null || echo 0
}
done_all() { [ "$(consumed)" = "$total" ]; }
if ! wait_for 120 "yuanwangd to consume $total records" done_all; then
  tail -20 "$OUT/yuanwangd.log" >&2; exit 1
fi
kill -TERM "$daemon"; wait "$daemon" || { echo "demo: yuanwangd exited non-zero" >&2; exit 1; }

echo
echo "== orange and red alerts in Redis (stream yw:v1:alerts), oldest first =="
"$B/ywctl" alerts list -c config/demo.yaml --from-start --min-level orange --timeout-ms 1500
echo
echo "== all alert events by level =="
"$B/ywctl" alerts list -c config/demo.yaml --from-start --json --timeout-ms 1000 |
  grep -o '"level":"[a-z]*"' | sort | uniq -c | sort -rn
echo
echo "== the analyst's queue: ywctl alerts tail (a Redis consumer group shared by analysts, highest level first) =="
"$B/ywctl" alerts tail -c config/demo.yaml --min-level yellow --count 4 --timeout-ms 1500
echo
echo "== the top cluster by score, as an analyst opens it (ywctl cluster show) =="
top=$(redis-cli -p "$YW_REDIS_PORT" ZREVRANGE yw:v1:clusters:by_score 0 0)
[ -n "$top" ] && "$B/ywctl" cluster show -c config/demo.yaml "$top"
echo
grep -E '^yw_(records_consumed|records_applied|deadletter|alerts)_total' "$OUT/metrics.prom" || true
echo "demo: $(redis-cli -p "$YW_REDIS_PORT" XLEN yw:v1:alerts) alert events in Redis; logs in out/demo/"
