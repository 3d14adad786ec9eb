#!/usr/bin/env bash
# quality.sh -- the clustering figures on the shared data, end to end.
#
#   bench/quality.sh [BUILD_DIR]        (default: build)
#
# Converts the shared data sets to contract-v1 JSONL (bench/prep_shared),
# runs `ywctl backtest` on each, and scores the assignments against the
# labels (bench/quality, with the offline k-means reference on the
# tweets).  Skips cleanly when the shared data is absent.  Nothing is
# written into the repository: work files go to a temporary directory.
# BACKTEST_ARGS (environment) adds options to every backtest, e.g.
# "--set cluster.top_k=32", to score a variant with the same commands.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-$root/build}
data=""
for d in /work/shared/data "$root/../shared/data"; do
  [ -d "$d/event-tweets" ] && { data=$d; break; }
done
if [ -z "$data" ]; then
  echo "quality.sh: SKIP: shared data not found (/work/shared/data or ../shared/data)"
  exit 0
fi
for b in "$build/ywctl" "$build/bench/prep_shared" "$build/bench/quality"; do
  [ -x "$b" ] || { echo "quality.sh: $b not built (ninja -C $build)"; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/backtest.yaml" <<YAML
privacy:
  hmac_secret: "quality-run-only-not-a-secret"
rules:
  paths:
    - $root/rules
YAML
prep="$build/bench/prep_shared" q="$build/bench/quality" ywctl="$build/ywctl"

echo "== event-tweets (26 events, time order, label = event)"
"$prep" tweets "$data/event-tweets/crisislex_t26_labeled.jsonl" "$work/tw.jsonl" "$work/tw.labels"
# English tweets are short: similarities run lower than in Chinese
# complaints, so this run joins at 0.08 and merges at 0.2.
"$ywctl" backtest -c "$work/backtest.yaml" --input "$work/tw.jsonl" \
  --assignments "$work/tw.assign" \
  --set cluster.threshold=0.08 --set cluster.merge_threshold=0.2 ${BACKTEST_ARGS:-}
"$q" --assign "$work/tw.assign" --labels "$work/tw.labels" --kmeans "$work/tw.jsonl" \
  ${PER_LABEL:+--per-label}

echo "== message-categories (7 categories, no times, defaults)"
"$prep" categories "$data/message-categories/labelled_messages.jsonl" "$work/mc.jsonl" "$work/mc.labels"
"$ywctl" backtest -c "$work/backtest.yaml" --input "$work/mc.jsonl" --assignments "$work/mc.assign" ${BACKTEST_ARGS:-}
"$q" --assign "$work/mc.assign" --labels "$work/mc.labels"

echo "== citizen-messages (no labels: the 20 largest clusters, defaults)"
"$prep" citizen "$data/citizen-messages/messages_with_replies.jsonl" "$work/cm.jsonl"
"$ywctl" backtest -c "$work/backtest.yaml" --input "$work/cm.jsonl" \
  --assignments "$work/cm.assign" --clusters "$work/cm.clusters" ${BACKTEST_ARGS:-}
head -20 "$work/cm.clusters"
