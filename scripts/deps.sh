#!/usr/bin/env bash
# Install the Debian packages that the build, the demo and the tests need.
# Idempotent: does nothing when everything is already installed.
# Used by the README's commands and by .ci/run.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config
  librdkafka-dev     # Kafka client (and its in-process mock cluster)
  libyaml-dev        # config and rules parser
  libpcre2-dev       # regex confirmation and captures (JIT)
  libhiredis-dev     # Redis client
  libjsmn-dev        # zero-allocation JSON tokenizer for the record decoder
  libssl-dev         # HMAC-SHA256 for complainant keys (libcrypto)
  libhyperscan-dev   # one multi-pattern scan for rule keywords
  redis-server       # tests and the demo start their own on a free port
  clang libclang-rt-14-dev   # libFuzzer targets
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# The real Kafka broker (scripts/kafka-broker.sh, scripts/test-real-kafka.sh)
# needs a Java 17+ runtime and Maven.  Asked for by command, not by package:
# any JRE that provides `java` will do (openjdk-17-jre-headless without the
# default-jre-headless metapackage, say).
if ! command -v java >/dev/null; then missing+=(default-jre-headless); fi
if ! command -v mvn >/dev/null; then missing+=(maven); fi

if ((${#missing[@]} == 0)); then
  exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# redis-server's package starts a system instance on 6379; we never use it.
