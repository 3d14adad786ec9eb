#!/usr/bin/env bash
# A real Apache Kafka broker on this machine, for trying yuanwangd against
# Kafka itself rather than librdkafka's mock cluster (`ywctl mock-kafka`).
#
#   scripts/kafka-broker.sh start           # prints YW_KAFKA_BROKERS=127.0.0.1:PORT
#   scripts/kafka-broker.sh topics CONFIG [PARTITIONS]   # that config's topics
#   scripts/kafka-broker.sh status | stop | clean
#
# One node that is both broker and KRaft controller, on free ports of
# 127.0.0.1, PLAINTEXT, replication factor 1: a test bed, not a deployment.
# Topics are not created on first use (auto.create.topics.enable=false), as
# on a production cluster: `topics` creates a config's four source topics and
# its dead-letter topic (scripts/demo.sh does that itself).  `start` returns
# once the broker has created a topic of its own, yw.ready.
#
# Kafka 4.4.0 by default (KAFKA_VERSION overrides): the newest release Maven
# Central serves here; 4.x is KRaft-only (no ZooKeeper to run) and runs on
# Debian 12's Java 17.  Needs java and mvn (apt-get install
# default-jre-headless maven).  The broker's jars are resolved from Maven
# Central once, into YW_KAFKA_CACHE (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/yuanwang/kafka-VERSION); later starts need
# no network.  State -- config, data, pid, broker.log (the previous start's
# in broker.log.1) -- is in YW_KAFKA_DIR (default out/kafka/); `start` after
# `stop` reuses it (same ports, same topics and offsets; also after the
# broker was killed), `clean` stops the broker and deletes it.  YW_BUILD_DIR:
# the build whose ywctl to use (default build/, built here if needed).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=${KAFKA_VERSION:-4.4.0}
# The slf4j 1.x binding for the log4j2 that Kafka 4.4.0 depends on: without
# one the broker's log4j2 file configuration below gets nothing.
LOG4J_VERSION=2.25.5
CACHE=${YW_KAFKA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/yuanwang/kafka-$VERSION}
STATE=${YW_KAFKA_DIR:-$PWD/out/kafka}
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)
START_TIMEOUT=${YW_KAFKA_START_TIMEOUT:-90}
read -ra JAVA_OPTS <<<"${YW_KAFKA_JAVA_OPTS:--Xms256m -Xmx512m}"
# A class of the resolved jars, logging to $STATE/broker.log.
JAVA=(java "${JAVA_OPTS[@]}" -Dlog4j2.configurationFile="$STATE/log4j2.properties"
  -cp "$CACHE/jars/*")

say() { echo "kafka-broker: $*" >&2; }
die() { say "$*"; exit 1; }

# The pid of our broker, if it runs: the pid file's process, and only if it
# is a kafka.Kafka of this state directory (a stale file's pid may be reused).
broker_pid() {
  local pid
  pid=$(cat "$STATE/pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" |
    grep -q "kafka.Kafka $STATE/server.properties" && echo "$pid"
}

brokers() { sed -n 's/^advertised.listeners=PLAINTEXT:\/\///p' "$STATE/server.properties"; }

# ywctl picks the ports and creates the topics (librdkafka's admin API).
# With YW_BUILD_DIR set (scripts/test-real-kafka.sh, the tests), that
# build's ywctl, which must exist: nothing is installed or built, so a test
# run never rebuilds a tree under it.
build_ywctl() {
  if [ -n "${YW_BUILD_DIR:-}" ]; then
    [ -x "$YWCTL" ] || die "$YWCTL not built (YW_BUILD_DIR=$YW_BUILD_DIR)"
    return 0
  fi
  bash scripts/deps.sh
  [ -f build/build.ninja ] || cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  ninja -C build ywctl >/dev/null
}
YWCTL=$(realpath -m "${YW_BUILD_DIR:-build}")/ywctl

# Resolve the broker (kafka_2.13, which holds kafka.Kafka and the storage
# tool, and its runtime dependencies) into $CACHE/jars, once.
resolve() {
  [ -f "$CACHE/complete" ] && return 0
  command -v mvn >/dev/null || die "mvn not found: apt-get install maven"
  say "resolving Kafka $VERSION from Maven Central into $CACHE (once)"
  local tmp=$CACHE.tmp
  rm -rf "$tmp" && mkdir -p "$tmp"
  cat >"$tmp/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.yuanwang</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
  </dependencies>
</project>
EOF
  if ! mvn -q -B -f "$tmp/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$tmp/jars" >"$tmp/mvn.log" 2>&1; then
    tail -20 "$tmp/mvn.log" >&2
    die "could not resolve Kafka $VERSION (log: $tmp/mvn.log)"
  fi
  touch "$tmp/complete"
  rm -rf "$CACHE" && mv "$tmp" "$CACHE"
}

# A single combined broker + controller on two free ports.
write_config() {
  local port cport
  port=$("$YWCTL" free-port)
  cport=$("$YWCTL" free-port)
  [ "$port" != "$cport" ] || cport=$("$YWCTL" free-port)
  cat >"$STATE/server.properties" <<EOF
# Written by scripts/kafka-broker.sh: one KRaft node, broker and controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$STATE/data
num.partitions=4
auto.create.topics.enable=false
# One node: internal topics cannot have more replicas than that.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# A consumer group forms at once instead of waiting 3 s for more members.
group.initial.rebalance.delay.ms=0
EOF
  cat >"$STATE/log4j2.properties" <<EOF
appender.file.type = File
appender.file.name = file
appender.file.fileName = $STATE/broker.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
EOF
}

# False once the launched broker is gone (true before its pid is known).
alive() {
  local pid
  pid=$(cat "$STATE/pid" 2>/dev/null) || return 0
  kill -0 "$pid" 2>/dev/null
}

fail_start() {
  say "$1; the broker's first errors and last lines (all in $STATE/broker.log):"
  cat "$STATE/stdout.log" >&2
  grep -h -m 5 -E '^\[[^]]*\] (ERROR|FATAL)|^Caused by' "$STATE/broker.log" >&2 || true
  tail -n 5 "$STATE/broker.log" >&2 2>/dev/null || true
  say "ports taken meanwhile, or a damaged state? '$0 clean' starts afresh"
  exit 1
}

start() {
  local pid
  if pid=$(broker_pid); then
    say "already running (pid $pid)"
    echo "YW_KAFKA_BROKERS=$(brokers)"
    return 0
  fi
  command -v java >/dev/null || die "java not found: apt-get install default-jre-headless"
  build_ywctl
  resolve
  local t0=$SECONDS
  if [ ! -f "$STATE/data/meta.properties" ]; then
    rm -rf "$STATE/data" "$STATE"/broker.log*
    write_config
    local id
    id=$("${JAVA[@]}" kafka.tools.StorageTool random-uuid)
    "${JAVA[@]}" kafka.tools.StorageTool format -t "$id" -c "$STATE/server.properties" \
      >"$STATE/format.log" 2>&1 || { cat "$STATE/format.log" >&2; die "storage format failed"; }
  fi
  # Its own session, all descriptors redirected: neither a terminal's ^C nor
  # a caller's $(...) waiting for end of output is tied to the broker.
  rm -f "$STATE/pid"
  [ ! -f "$STATE/broker.log" ] || mv "$STATE/broker.log" "$STATE/broker.log.1"
  # shellcheck disable=SC2016
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$STATE/pid" \
    "${JAVA[@]}" kafka.Kafka "$STATE/server.properties" </dev/null >"$STATE/stdout.log" 2>&1 &

  # Ready once it creates a topic: the listener is up, the controller has
  # been elected and the broker has registered with it.
  local b end=$((SECONDS + START_TIMEOUT))
  b=$(brokers)
  while ! "$YWCTL" topics create --brokers "$b" --topic yw.ready --partitions 1 \
      --timeout-ms 2000 >/dev/null 2>"$STATE/ready.log"; do
    sleep 0.5
    alive || fail_start "the broker exited"
    ((SECONDS < end)) || fail_start "not ready after ${START_TIMEOUT} s ($(tail -1 "$STATE/ready.log"))"
  done
  say "Kafka $VERSION at $b, pid $(broker_pid), up in $((SECONDS - t0)) s (log: $STATE/broker.log)"
  echo "YW_KAFKA_BROKERS=$b"
}

stop() {
  local pid
  if ! pid=$(broker_pid); then
    say "not running"
    rm -f "$STATE/pid"
    return 0
  fi
  kill -TERM "$pid"
  # A controlled shutdown takes a few seconds.
  local end=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= end)); then
      say "pid $pid still running after 60 s, killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.2
  done
  rm -f "$STATE/pid"
  say "stopped (pid $pid)"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status)
  if pid=$(broker_pid); then
    say "running, pid $pid"
    echo "YW_KAFKA_BROKERS=$(brokers)"
  else
    say "not running"
    exit 1
  fi
  ;;
topics)
  [ -n "${2:-}" ] || die "usage: $0 topics CONFIG [PARTITIONS]"
  broker_pid >/dev/null || die "not running: $0 start"
  # The config's other \${VARS} must be set, as for yuanwangd.
  build_ywctl
  "$YWCTL" topics create -c "$2" --brokers "$(brokers)" --partitions "${3:-4}"
  ;;
clean)
  stop
  rm -rf "$STATE"
  ;;
*)
  echo "usage: $0 start | stop | status | topics CONFIG [PARTITIONS] | clean" >&2
  exit 2
  ;;
esac
