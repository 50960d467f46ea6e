#!/usr/bin/env bash
# Parity of the one search: a rule that changes nothing must cost nothing. Generated station
# days of several sizes and tightness on the bundled extract are each solved plain and with a
# home-care term that can never bind — a deadline at the end of the visit's last window
# (`due`), every caregiver preferred (`preferred`), contracted hours of the whole shift
# (`contracted`) — at the same time limit and seed, two solves at once (one per core), three
# seeds each. Prints per day and term the median over seeds of visits served and travel,
# beside the plain day's; target: equal served and travel within 1 % on every day. Every
# plan is checked by the independent checker (`carecircle solve` refuses to write one that
# fails it). With `--iterations N` every solve stops after N iterations instead of a time:
# deterministic, so any difference is the term's; at a time limit the two solves of a pair
# also differ by how many iterations each got on a shared machine.
#
#   benches/parity/run.sh [--time-limit 30] [--iterations N] [--seeds "1 2 3"]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
LIMIT=30 SEEDS="1 2 3" ITERATIONS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --time-limit) LIMIT="$2"; shift 2 ;;
    --iterations) ITERATIONS="$2"; shift 2 ;;
    --seeds) SEEDS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
(cd "$ROOT" && cargo build --release --quiet)
BIN="$ROOT/target/release/carecircle"
OUT="$HERE/results"
mkdir -p "$OUT"
PBF="$ROOT/data/osm/andorra-2020-05-01.osm.pbf"

# name caregivers clients: a tight day (more visits than the caregivers can serve), a
# comfortable one, a small one.
DAYS="tight:25:300 roomy:30:200 small:8:60"
TERMS="due preferred contracted"

for day in $DAYS; do
  IFS=: read -r name caregivers clients <<<"$day"
  "$BIN" --quiet scenario generate --pbf "$PBF" --stations 1 --caregivers "$caregivers" \
    --clients "$clients" --seed 7 --out "$OUT/$name.json"
  python3 "$HERE/noop.py" variants "$OUT/$name.json" $TERMS
done

BUDGET=(--time-limit "$LIMIT")
[ -z "$ITERATIONS" ] || BUDGET=(--iterations "$ITERATIONS" --time-limit 3600)
solve() { # scenario seed out
  "$BIN" --quiet solve "$1" "${BUDGET[@]}" --threads 1 --seed "$2" --out "$3" >/dev/null
}

for day in $DAYS; do
  name=${day%%:*}
  for seed in $SEEDS; do
    solve "$OUT/$name.json" "$seed" "$OUT/$name-plain-$seed.plan.json" &
    solve "$OUT/$name-due.json" "$seed" "$OUT/$name-due-$seed.plan.json" &
    wait
    solve "$OUT/$name-preferred.json" "$seed" "$OUT/$name-preferred-$seed.plan.json" &
    solve "$OUT/$name-contracted.json" "$seed" "$OUT/$name-contracted-$seed.plan.json" &
    wait
  done
done

BUDGET="$LIMIT s"
[ -n "$ITERATIONS" ] && BUDGET="$ITERATIONS iterations"
python3 "$HERE/noop.py" table "$OUT" "$BUDGET" \
  "${DAYS// /,}" "${TERMS// /,}" "${SEEDS// /,}"
