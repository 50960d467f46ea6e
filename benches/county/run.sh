#!/usr/bin/env bash
# A Rongcheng-sized county week on the bundled extract: generates the county preset (11
# stations, the 300 caregivers on duty, 3,200 clients, care packages making about 1,200
# visits a day, every home-care rule), plans the week day by day with `carecircle week`
# (station-days on --threads at once; default one), and prints per day: visits, served (and % of the servable), caregivers,
# travel, longest leg against the circle, visits off continuity, overtime, the widest
# station's working-time spread and the planning time; then the week's continuity and
# entitlement figures. Every day's plan is checked by the independent checker.
#
#   benches/county/run.sh [--days 7] [--time-limit 60] [--seed 1] [--threads 1]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DAYS=7 LIMIT=60 SEED=1 THREADS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --days) DAYS="$2"; shift 2 ;;
    --time-limit) LIMIT="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
(cd "$ROOT" && cargo build --release --quiet)
BIN="$ROOT/target/release/carecircle"
OUT="$HERE/results"
mkdir -p "$OUT"
"$BIN" scenario generate --quiet --pbf "$ROOT/data/osm/andorra-2020-05-01.osm.pbf" --preset county \
  --seed "$SEED" --out "$OUT/county.json"
start=$(date +%s)
"$BIN" week "$OUT/county.json" --quiet --days "$DAYS" --time-limit "$LIMIT" --seed "$SEED" --threads "$THREADS" --out "$OUT/week"
echo "wall time of the week: $(( $(date +%s) - start )) s (time limit ${LIMIT} s a day)"
