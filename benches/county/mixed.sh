#!/usr/bin/env bash
# The county week with meal rounds beside the same week without: generates the county preset
# twice from one seed — as is, and with 20 community canteens (`--canteens 20`: every meal
# becomes a pick-up at a canteen and a delivery within the ride limit, the box limits the
# round) — plans both weeks with `carecircle week` at the same time limit, side by side (one
# thread each), every day checked, and prints both week tables and the share of orders each
# served. The target: the week with canteens plans and serves at least the share of the week
# without.
#
#   benches/county/mixed.sh [--days 7] [--time-limit 60] [--seed 1] [--canteens 20]
#   (CARECIRCLE=path/to/binary runs another build)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DAYS=7 LIMIT=60 SEED=1 CANTEENS=20
while [ $# -gt 0 ]; do
  case "$1" in
    --days) DAYS="$2"; shift 2 ;;
    --time-limit) LIMIT="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --canteens) CANTEENS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "${CARECIRCLE:-}" ]; then
  (cd "$ROOT" && cargo build --release --quiet)
fi
BIN="${CARECIRCLE:-$ROOT/target/release/carecircle}"
OUT="$HERE/results/mixed"
mkdir -p "$OUT"
PBF="$ROOT/data/osm/andorra-2020-05-01.osm.pbf"
"$BIN" scenario generate --quiet --pbf "$PBF" --preset county --seed "$SEED" \
  --out "$OUT/county.json"
"$BIN" scenario generate --quiet --pbf "$PBF" --preset county --canteens "$CANTEENS" \
  --seed "$SEED" --out "$OUT/county-meals.json"
for kind in county county-meals; do
  "$BIN" week "$OUT/$kind.json" --quiet --days "$DAYS" --time-limit "$LIMIT" --seed "$SEED" --threads 1 \
    --out "$OUT/$kind-week" > "$OUT/$kind.txt" 2>&1 &
done
wait
for kind in county county-meals; do
  echo "== $kind"
  cat "$OUT/$kind.txt"
done
share() {
  jq -r '[.days[].served] as $s | [.days[].visits] as $v
         | "\($s | add) of \($v | add) orders served (\(100 * ($s | add) / ($v | add) | . * 10 | round / 10) %)"' \
    "$OUT/$1-week/week.json"
}
echo "without canteens: $(share county)"
echo "with $CANTEENS canteens: $(share county-meals)"
