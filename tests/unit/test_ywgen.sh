#!/usr/bin/env bash
# test_ywgen.sh BUILD_DIR -- checks of the record generator bench/ywgen:
#   same seed -> same bytes; every line is a valid contract-v1 record (JSON
#   object, id/ts/text with the right types, ts in one of the three formats,
#   text 60-300 characters); all four sources; ids unique per source; sorted
#   by event time; --malformed N adds exactly N bad lines and leaves the good
#   ones untouched; the demo scenario's planted issue grows day by day.
set -euo pipefail

build=${1:?usage: test_ywgen.sh BUILD_DIR}
gen="$build/bench/ywgen"
if [[ ! -x $gen ]]; then
    echo "FAIL: $gen not built (configure with -DYW_BENCH=ON and build target ywgen)" >&2
    exit 1
fi
command -v python3 >/dev/null || { echo "FAIL: python3 needed" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

args=(--seed 42 --records 3000 --days 7 --start 2026-03-01 --scenario demo)
"$gen" "${args[@]}" >"$tmp/a.jsonl"
"$gen" "${args[@]}" -o "$tmp/b.jsonl"
if ! cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl"; then
    echo "FAIL: two runs with the same seed differ" >&2
    exit 1
fi
"$gen" --seed 43 --records 3000 --days 7 --scenario demo >"$tmp/c.jsonl"
if cmp -s "$tmp/a.jsonl" "$tmp/c.jsonl"; then
    echo "FAIL: different seeds give the same output" >&2
    exit 1
fi
"$gen" "${args[@]}" --malformed 37 >"$tmp/m.jsonl"
"$gen" --seed 5 --records 500 --days 3 --scenario background >"$tmp/bg.jsonl"

# Bad arguments are refused with exit status 2.
for bad in "--records x" "--days 0" "--start 2026-3" "--scenario nope" "--bogus"; do
    # shellcheck disable=SC2086
    if "$gen" $bad >/dev/null 2>&1; then
        echo "FAIL: ywgen accepted bad arguments: $bad" >&2
        exit 1
    fi
done

python3 - "$tmp" <<'EOF'
import json, re, sys, datetime, collections

tmp = sys.argv[1]
TZ = datetime.timezone(datetime.timedelta(hours=8))
STR = ["id", "source", "text", "title", "person", "district", "street", "community",
       "region_code", "category", "outcome", "reply", "event_type", "grid_code", "status",
       "platform", "url", "incident_type", "station"]
INT = ["repeat_count", "reposts", "comments", "likes"]
SOURCES = {"hotline", "grid", "online", "police"}
PREFIX = {"HL": "hotline", "WG": "grid", "WB": "online", "JQ": "police"}

def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)

def ts_ms(v):
    """Event time in epoch ms, or raise: the contract's three formats only."""
    if isinstance(v, bool):
        raise ValueError("bool ts")
    if isinstance(v, int):
        return v
    if not isinstance(v, str):
        raise ValueError("ts type")
    if re.fullmatch(r"[0-9]{10,14}", v):
        return int(v)
    m = re.fullmatch(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\+08:00)?", v)
    if not m or (v[10] == "T") != bool(m.group(3)):
        raise ValueError("ts format: %r" % v)
    d = datetime.datetime.strptime(m.group(1) + " " + m.group(2), "%Y-%m-%d %H:%M:%S")
    return int(d.replace(tzinfo=TZ).timestamp() * 1000)

def check(raw):
    """Return the record if the line is a valid contract-v1 record, else None."""
    try:
        o = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(o, dict):
        return None
    for k in ("id", "text"):
        if not isinstance(o.get(k), str) or not o[k]:
            return None
    try:
        o["_ms"] = ts_ms(o.get("ts"))
    except (ValueError, TypeError):
        return None
    for k in STR:
        if k in o and not isinstance(o[k], str):
            return None
    for k in INT:
        if k in o and (isinstance(o[k], bool) or not isinstance(o[k], int)):
            return None
    if "source" in o and o["source"] not in SOURCES:
        return None
    return o

def load(name):
    lines = open(f"{tmp}/{name}", "rb").read().split(b"\n")
    if lines[-1] != b"":
        fail(f"{name}: last line not terminated")
    return lines[:-1]

def validate(name, expect_n):
    good = []
    for i, raw in enumerate(load(name), 1):
        o = check(raw)
        if o is None:
            fail(f"{name}:{i}: not a valid record: {raw[:200]!r}")
        good.append(o)
    if len(good) != expect_n:
        fail(f"{name}: {len(good)} records, expected {expect_n}")
    ids = collections.defaultdict(set)
    last = None
    for o in good:
        src = PREFIX.get(o["id"][:2])
        if src is None or o.get("source", src) != src:
            fail(f"{name}: id {o['id']} does not match source {o.get('source')}")
        if o["id"] in ids[src]:
            fail(f"{name}: duplicate id {o['id']}")
        ids[src].add(o["id"])
        n = len(o["text"])
        if not 60 <= n <= 300:
            fail(f"{name}: {o['id']}: text has {n} characters")
        if last is not None and o["_ms"] < last:
            fail(f"{name}: {o['id']}: not sorted by event time")
        last = o["_ms"]
        if "region_code" in o and not re.fullmatch(r"\d{12}", o["region_code"]):
            fail(f"{name}: {o['id']}: bad region_code")
    if set(ids) != SOURCES:
        fail(f"{name}: sources present: {sorted(ids)}")
    named = {o["source"] for o in good if "source" in o}
    if named != SOURCES:
        fail(f"{name}: source field values: {sorted(named)}")
    # one region-code prefix per district name
    seen = {}
    for o in good:
        if "region_code" in o:
            if seen.setdefault(o["district"], o["region_code"][:6]) != o["region_code"][:6]:
                fail(f"{name}: {o['id']}: region_code inconsistent with district")
    return good

a = validate("a.jsonl", 3000)
validate("bg.jsonl", 500)

# --malformed: exactly N bad lines, and the good ones are the plain run's.
lines = load("m.jsonl")
bad = [raw for raw in lines if check(raw) is None]
good = [raw for raw in lines if check(raw) is not None]
if len(bad) != 37:
    fail(f"--malformed 37 gave {len(bad)} bad lines")
if len(lines) != 3000 + 37:
    fail(f"--malformed 37 gave {len(lines)} lines in all")
if good != load("a.jsonl"):
    fail("--malformed changed the valid records")
if any(b"\r" in raw for raw in bad):
    fail("malformed line contains a raw CR")

# demo: the planted estate grows across days and sources.
days = collections.Counter()
srcs = set()
for o in a:
    if "御景湾花园" in o["text"]:
        days[datetime.datetime.fromtimestamp(o["_ms"] / 1000, TZ).date()] += 1
        srcs.add(PREFIX[o["id"][:2]])
ds = sorted(days)
if len(ds) < 4 or days[ds[-1]] < 3 * days[ds[0]]:
    fail(f"planted escalation does not grow: {sorted(days.items())}")
if len(srcs) < 3:
    fail(f"planted escalation in too few sources: {srcs}")
print("ok: ywgen determinism, validity, malformed lines, demo growth")
EOF
