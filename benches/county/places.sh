#!/usr/bin/env bash
# Homes and a pool on a Rongcheng-sized county week (the county preset on the bundled
# extract): the same week planned three ways, side by side — every caregiver starting and
# ending at their station (as before), 30 % of them starting and ending at home (commute up to
# --max-commute minutes, paid), and those homes with the county's 11 stations planned as one
# pool (a client may be served by any station whose circle reaches them). Prints per way:
# visits, served (and % of the servable), caregivers used, the week's travel, its longest leg and
# the planning time. Every day's plan is checked by the independent checker (`week` refuses
# to write one that fails).
#
#   benches/county/places.sh [--days 7] [--time-limit 20] [--seed 1] [--homes 0.3] [--max-commute 30]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DAYS=7 LIMIT=20 SEED=1 HOMES=0.3 COMMUTE=30
while [ $# -gt 0 ]; do
  case "$1" in
    --days) DAYS="$2"; shift 2 ;;
    --time-limit) LIMIT="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --homes) HOMES="$2"; shift 2 ;;
    --max-commute) COMMUTE="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
(cd "$ROOT" && cargo build --release --quiet)
BIN="$ROOT/target/release/carecircle"
OUT="$HERE/results/places"
mkdir -p "$OUT"
PBF="$ROOT/data/osm/andorra-2020-05-01.osm.pbf"
declare -A FLAGS=(
  [stations]=""
  [homes]="--homes $HOMES --max-commute $COMMUTE"
  [homes+pool]="--homes $HOMES --max-commute $COMMUTE --pool"
)
for way in stations homes homes+pool; do
  # shellcheck disable=SC2086
  "$BIN" scenario generate --quiet --pbf "$PBF" --preset county --seed "$SEED" ${FLAGS[$way]} \
    --out "$OUT/$way.json" > /dev/null
  start=$(date +%s)
  "$BIN" week "$OUT/$way.json" --quiet --days "$DAYS" --time-limit "$LIMIT" --seed "$SEED" \
    --out "$OUT/$way" > /dev/null
  echo $(( $(date +%s) - start )) > "$OUT/$way/wall"
done
python3 - "$OUT" "$DAYS" "$LIMIT" <<'PY'
import json, sys
out, days, limit = sys.argv[1], sys.argv[2], sys.argv[3]
print(f"county preset, {days} days, {limit} s of planning a day, one thread")
print("| way | visits | served | % of servable | caregiver-days | travel h | longest leg min | wall s |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for way in ["stations", "homes", "homes+pool"]:
    w = json.load(open(f"{out}/{way}/week.json"))
    d = w["days"]
    visits = sum(x["visits"] for x in d)
    served = sum(x["served"] for x in d)
    servable = visits - sum(x["never_servable"] for x in d)
    cg = sum(x["caregivers_used"] for x in d)
    travel = sum(x["travel_time"] for x in d) / 3600
    longest = max(x["longest_leg"] for x in d) / 60
    wall = open(f"{out}/{way}/wall").read().strip()
    print(f"| {way} | {visits} | {served} | {100 * served / max(servable, 1):.1f} | {cg} | "
          f"{travel:.1f} | {longest:.0f} | {wall} |")
PY
