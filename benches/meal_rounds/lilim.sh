#!/usr/bin/env bash
# The Li & Lim pick-up-and-delivery instances (benches/data/li-lim, 100 tasks): each solved by
# `carecircle solve` (fewest vehicles, then distance) with a time limit, checked, and compared
# with the best-known solution: vehicles and distance, and the distance gap in %; then how
# many reach the best-known vehicles and the mean distance gap over those.
#
#   benches/meal_rounds/lilim.sh [--time-limit 10] [--all] [--out DIR]
#       (default: the first two of each class; CARECIRCLE=path/to/binary compares another build)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DATA="$ROOT/benches/data/li-lim"
LIMIT=10 ALL=0
while [ $# -gt 0 ]; do
  case "$1" in
    --time-limit) LIMIT="$2"; shift 2 ;;
    --all) ALL=1; shift ;;
    --out) OUT_DIR="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "${CARECIRCLE:-}" ]; then
  (cd "$ROOT" && cargo build --release --quiet)
fi
BIN="${CARECIRCLE:-$ROOT/target/release/carecircle}"
OUT="${OUT_DIR:-$HERE/results/li-lim}"
mkdir -p "$OUT"
if [ "$ALL" = 1 ]; then
  NAMES=$(cd "$DATA" && ls *.txt | sed 's/\.txt$//')
else
  NAMES="lc101 lc102 lc201 lc202 lr101 lr102 lr201 lr202 lrc101 lrc102 lrc201 lrc202"
fi
rm -f "$OUT/summary.txt"
printf "%-8s %8s %10s %8s %10s %7s\n" instance vehicles distance bks_veh bks_dist gap%
for name in $NAMES; do
  if ! line=$("$BIN" --quiet solve "$DATA/$name.txt" --time-limit "$LIMIT" --threads 1 --out "$OUT/$name.json" 2>&1); then
    printf "%-8s %s\n" "$name" "failed: $line"
    echo "failed" >> "$OUT/summary.txt"
    continue
  fi
  vehicles=$(echo "$line" | sed -E 's/.*: ([0-9]+) vehicles.*/\1/')
  distance=$(echo "$line" | sed -E 's/.*distance ([0-9.]+),.*/\1/')
  bks=$(grep "^$name," "$DATA/bks.csv" | tr -d "\r")
  bks_veh=$(echo "$bks" | cut -d, -f2)
  bks_dist=$(echo "$bks" | cut -d, -f3)
  gap=$(echo "scale=2; 100 * ($distance - $bks_dist) / $bks_dist" | bc)
  printf "%-8s %8s %10s %8s %10s %7s\n" "$name" "$vehicles" "$distance" "$bks_veh" "$bks_dist" "$gap"
  echo "$vehicles $bks_veh $gap" >> "$OUT/summary.txt"
done
awk '{ n++; if ($1 != "failed" && $1 <= $2) { at++; gap += $3 } }
     END { printf "best-known vehicles on %d of %d; mean distance gap on those %.2f %%\n", at, n, (at ? gap / at : 0) }' \
  "$OUT/summary.txt"
