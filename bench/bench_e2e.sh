#!/usr/bin/env bash
# End-to-end throughput of yuanwangd against the raw consume rate of the
# same messages, measured in the same run.
#
#   bench/bench_e2e.sh [BUILD_DIR=build] [RECORDS=100000]
#
# Generates RECORDS records with ywgen, loads them into Kafka (the mock
# cluster in `ywctl mock-kafka`, 16 partitions per topic, unkeyed, so no
# partition exceeds the mock's ~5 MiB retention; or YW_KAFKA_BROKERS), then times
#   1. bench_consume: a bare librdkafka consumer reading them (baseline);
#   2. yuanwangd: decode, features, clustering, scoring, alerts and
#      summaries to a local redis-server, offsets committed;
# and prints both rates and their ratio.  The mock broker, Redis and the
# daemon share this machine's cores: read the figures as such.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
N=${2:-100000}
OUT=$(mktemp -d)
[ -n "${KEEP:-}" ] && echo "bench_e2e: files in $OUT"
pids=()
cleanup() {
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill "${pids[i]}" 2>/dev/null || true; wait "${pids[i]}" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] || rm -rf "$OUT"
}
trap cleanup EXIT
wait_for() { local end=$((SECONDS + $1)); shift; until "$@" >/dev/null 2>&1; do
  ((SECONDS < end)) || { echo "bench_e2e: timed out: $*" >&2; return 1; }; sleep 0.1; done; }

export YW_REDIS_PORT=$("$B/ywctl" free-port)
redis-server --port "$YW_REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$OUT" >/dev/null 2>&1 &
pids+=($!)
wait_for 10 redis-cli -p "$YW_REDIS_PORT" ping
if [ -z "${YW_KAFKA_BROKERS:-}" ]; then
  "$B/ywctl" mock-kafka --partitions 16 --bootstrap-file "$OUT/bs" >/dev/null 2>&1 &
  pids+=($!)
  wait_for 10 test -s "$OUT/bs"
  export YW_KAFKA_BROKERS=$(cat "$OUT/bs")
fi
export YW_HMAC_SECRET=${YW_HMAC_SECRET:-bench-secret-0123456789}
export YW_METRICS_FILE=$OUT/metrics.prom

"$B/bench/ywgen" --seed 11 --records "$N" --days 30 --scenario background >"$OUT/records.jsonl"
bytes=$(wc -c <"$OUT/records.jsonl")
echo "records: $N, $((bytes / N)) bytes each on average"
"$B/ywctl" replay -c config/demo.yaml --no-key --input "$OUT/records.jsonl" 2>&1 | sed 's/^/load: /'

"$B/bench/bench_consume" "$YW_KAFKA_BROKERS" "$N" citizen.hotline citizen.grid citizen.online citizen.police | tee "$OUT/raw.txt"

# The daemon, from a fresh group: time from its first to its last record.
sed 's/group_id: yuanwang-demo/group_id: bench-e2e/' config/demo.yaml >"$OUT/bench.yaml"
sed -i 's/  level: info/  level: warn/; s/  interval_ms: 500/  interval_ms: 100/' "$OUT/bench.yaml"
"$B/yuanwangd" -c "$OUT/bench.yaml" 2>"$OUT/daemon.log" &
daemon=$!
pids+=($daemon)
# Applied, not consumed: consumed messages may wait in the partition
# aligner (lib/align.h) before they are applied.
consumed() { awk '/^yw_records_applied_total /{print $2}' "$YW_METRICS_FILE" 2>/dev/null || echo 0; }
started() { [ "$(consumed)" -ge 1 ]; }
wait_for 60 started
t0=$(date +%s.%N); c0=$(consumed)
until [ "$(consumed)" -ge "$N" ]; do
  sleep 0.05
  kill -0 "$daemon" 2>/dev/null || { echo "bench_e2e: yuanwangd died" >&2; tail "$OUT/daemon.log" >&2; exit 1; }
done
t1=$(date +%s.%N)
kill -TERM "$daemon"; wait "$daemon" || true
raw=$(awk '{for(i=1;i<=NF;i++) if($i=="msg/s,") print $(i-1)}' "$OUT/raw.txt")
awk -v n="$N" -v c0="$c0" -v t0="$t0" -v t1="$t1" -v raw="$raw" 'BEGIN {
  rate = (n - c0) / (t1 - t0);
  printf "yuanwangd: %d records in %.2f s = %.0f records/s (decode+features+cluster+score+Redis, offsets committed)\n", n - c0, t1 - t0, rate;
  printf "ratio to raw consume: %.3f\n", rate / raw; }'
grep -E '^yw_(alerts_total|clusters_live|redis_commands_total|shard_memory_bytes) ' "$YW_METRICS_FILE"
