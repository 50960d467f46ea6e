#!/usr/bin/env bash
# Meal rounds on the bundled extract: a county lunch — 500 hot lunches from 20 community
# canteens by 80 caregivers of 4 stations (`scenario generate --preset county-lunch`) —
# planned by `carecircle solve` within 30 s (roads, travel matrices and search), every
# station's plan checked by the independent checker. Prints the KPI table with the meals
# delivered, the rounds (arrivals at a canteen) and the ride time from pick-up to the door
# (mean, max; the limit is 30 minutes), and the wall time.
#
#   benches/meal_rounds/run.sh [--time-limit 28] [--seed 1]   (28 s of planning: the wall time, writing
#   the plan, GeoJSON and map included, stays within the 30 s target)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
LIMIT=28 SEED=1
while [ $# -gt 0 ]; do
  case "$1" in
    --time-limit) LIMIT="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
(cd "$ROOT" && cargo build --release --quiet)
BIN="$ROOT/target/release/carecircle"
OUT="$HERE/results"
mkdir -p "$OUT"
"$BIN" --quiet scenario generate --pbf "$ROOT/data/osm/andorra-2020-05-01.osm.pbf" \
  --preset county-lunch --seed "$SEED" --out "$OUT/lunch.json"
start=$(date +%s.%N)
"$BIN" --quiet solve "$OUT/lunch.json" --time-limit "$LIMIT" --threads 1 --seed "$SEED" --out "$OUT/lunch-plan.json"
end=$(date +%s.%N)
"$BIN" --quiet check "$OUT/lunch.json" "$OUT/lunch-plan.json" >/dev/null && echo "checker: every station feasible"
echo "wall time: $(echo "$end - $start" | bc) s (limit $LIMIT s)"
