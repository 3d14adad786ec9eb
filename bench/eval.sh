#!/usr/bin/env bash
# eval.sh [BUILD_DIR] -- the early-warning evaluation end to end:
#   ywscenario (months of four-source traffic with planted escalations and
#   their ground truth) -> ywctl backtest (alerts + assignments) -> yweval.
# Knobs (environment): SEED (1), MONTHS (6), PER_DAY (2000), ESCALATIONS (12),
# CONFIG (config/yuanwang.yaml), OUT (a temporary directory, removed unless
# KEEP=1), JSON=1 for yweval's JSON, BACKTEST_ARGS (extra backtest options,
# e.g. "--set cluster.threshold=0.18"), REUSE=1 with OUT to backtest the
# scenarios already in OUT again instead of generating them (a variant's
# figures in a third of the time).  SEEDS="1 2 3 4" (overrides SEED)
# generates and backtests each seed in turn, its files named with the seed
# (truth-1.jsonl, ...), then runs yweval once over all of them: a line per
# run and the pooled figures.  See bench/README.md "evaluation".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:-build}
[[ $build = /* ]] || build="$PWD/$build"
months=${MONTHS:-6} per_day=${PER_DAY:-2000} nesc=${ESCALATIONS:-12}
config=${CONFIG:-$root/config/yuanwang.yaml}
# One run per seed; with SEEDS the files carry the seed, with SEED alone they
# keep their plain names.
if [[ -n ${SEEDS:-} ]]; then
    read -r -a seeds <<<"$SEEDS"
else
    seeds=("${SEED:-1}")
fi
if (( ${#seeds[@]} == 0 )); then
    echo "eval.sh: SEEDS is blank" >&2
    exit 1
fi
# The config reads the complainant-key secret from the environment; generated
# data has no real people, so any fixed value will do for an evaluation.
export YW_HMAC_SECRET=${YW_HMAC_SECRET:-yweval-generated-data-only}

for exe in "$build/bench/ywscenario" "$build/bench/yweval" "$build/ywctl"; do
    if [[ ! -x $exe ]]; then
        echo "eval.sh: $exe not built (ninja -C $build ywscenario yweval ywctl)" >&2
        exit 1
    fi
done
if ! "$build/ywctl" backtest --help 2>&1 | grep -q -- --alerts; then
    echo "eval.sh: this ywctl backtest has no --alerts option yet; nothing to evaluate" >&2
    exit 1
fi

if [[ -n ${OUT:-} ]]; then
    out=$OUT
    mkdir -p "$out"
else
    out=$(mktemp -d)
    [[ ${KEEP:-0} = 1 ]] || trap 'rm -rf "$out"' EXIT
fi

args=()
for seed in "${seeds[@]}"; do
    tag=
    [[ -n ${SEEDS:-} ]] && tag="-$seed"
    if [[ ${REUSE:-0} = 1 && -n ${OUT:-} && -s $out/records$tag.jsonl && -s $out/truth$tag.jsonl ]]; then
        echo "== scenario: seed $seed, reused from $out" >&2
    else
        echo "== scenario: seed $seed, $months months, $per_day background records a day, $nesc escalations" >&2
        "$build/bench/ywscenario" --seed "$seed" --months "$months" --background-per-day "$per_day" \
            --escalations "$nesc" --out-records "$out/records$tag.jsonl" --out-truth "$out/truth$tag.jsonl"
    fi

    echo "== backtest: $config" >&2
    start=$(date +%s)
    # shellcheck disable=SC2086
    "$build/ywctl" backtest -c "$config" --input "$out/records$tag.jsonl" \
        --assignments "$out/assign$tag.jsonl" --alerts "$out/alerts$tag.jsonl" ${BACKTEST_ARGS:-} >&2
    echo "   $(( $(date +%s) - start )) s, $(wc -l <"$out/alerts$tag.jsonl") alert events" >&2
    # the records (~250 MB a seed at the defaults) are not needed any more
    [[ ${KEEP:-0} = 1 || -n ${OUT:-} ]] || rm -f "$out/records$tag.jsonl"
    args+=(--truth "$out/truth$tag.jsonl" --assignments "$out/assign$tag.jsonl" --alerts "$out/alerts$tag.jsonl")
done

echo "== yweval" >&2
[[ ${JSON:-0} = 1 ]] && args+=(--json)
"$build/bench/yweval" "${args[@]}"
[[ ${KEEP:-0} = 1 || -n ${OUT:-} ]] && echo "files kept in $out" >&2
exit 0
