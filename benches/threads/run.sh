#!/usr/bin/env bash
# One thread beside two, on the figures of the "every core" issue, each pair run one after
# the other in the same session (nothing else should run: the two threads need both cores).
#
#   county  The county week (`--preset county`) at one time limit per day: visits served and
#           travel on one thread and on two; then with a fixed --iterations budget per
#           station-day, the wall of two threads as a share of one thread's (target <= 0.6).
#   gh      The convergence table on Gehring-Homberger 1000 `*_10_1`: the gap to the
#           distance-only best known at each time limit on one thread and on two, and the time
#           two threads take to reach one thread's gap at the longest limit (target <= 60 %).
#   city    The city meal day (`--preset city-meals`): meals delivered by two threads at the
#           short limit beside one thread at the long one (target: at least as many), with
#           wall and peak memory.
#
#   benches/threads/run.sh [--only county,gh,city] [--days 7] [--time-limit 60]
#       [--iterations 20000] [--gh-limits "15 30 60 120"] [--gh-instances "c1_10_1 ..."]
#       [--city-limits "120 600"] [--seed 1]
#   (CARECIRCLE=path/to/binary runs another build)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
ONLY="county,gh,city" DAYS=7 LIMIT=60 ITERATIONS=20000 SEED=1
GH_LIMITS="15 30 60 120"
GH_INSTANCES="c1_10_1 c2_10_1 r1_10_1 r2_10_1 rc1_10_1 rc2_10_1"
CITY_LIMITS="120 600"
while [ $# -gt 0 ]; do
  case "$1" in
    --only) ONLY="$2"; shift 2 ;;
    --days) DAYS="$2"; shift 2 ;;
    --time-limit) LIMIT="$2"; shift 2 ;;
    --iterations) ITERATIONS="$2"; shift 2 ;;
    --gh-limits) GH_LIMITS="$2"; shift 2 ;;
    --gh-instances) GH_INSTANCES="$2"; shift 2 ;;
    --city-limits) CITY_LIMITS="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "${CARECIRCLE:-}" ]; then
  (cd "$ROOT" && cargo build --release --quiet)
fi
BIN="${CARECIRCLE:-$ROOT/target/release/carecircle}"
DATA="$ROOT/../shared/data/vrptw"
OUT="$HERE/results"
mkdir -p "$OUT"
PBF="$ROOT/data/osm/andorra-2020-05-01.osm.pbf"
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(git -C "$ROOT" rev-parse --short HEAD)"

# Runs a command, printing "wall_s peak_rss_kb" on the last line of $OUT/time.txt.
timed() { /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@"; }

if [[ ",$ONLY," == *,county,* ]]; then
  "$BIN" scenario generate --quiet --pbf "$PBF" --preset county --seed "$SEED" --out "$OUT/county.json" >/dev/null
  for t in 1 2; do
    timed "$BIN" week "$OUT/county.json" --quiet --days "$DAYS" --time-limit "$LIMIT" --seed "$SEED" \
      --threads "$t" --out "$OUT/week-$t" >/dev/null
    cp "$OUT/time.txt" "$OUT/week-$t.time"
    timed "$BIN" week "$OUT/county.json" --quiet --days "$DAYS" --time-limit 3600 --iterations "$ITERATIONS" \
      --seed "$SEED" --threads "$t" --out "$OUT/week-iter-$t" >/dev/null
    cp "$OUT/time.txt" "$OUT/week-iter-$t.time"
  done
  python3 - "$OUT" "$DAYS" "$LIMIT" "$ITERATIONS" <<'PY'
import json, sys
out, days, limit, iters = sys.argv[1:]
def week(name):
    w = json.load(open(f"{out}/{name}/week.json"))
    served = sum(d["served"] for d in w["days"]); visits = sum(d["visits"] for d in w["days"])
    travel = sum(d["travel_time"] for d in w["days"]) / 3600
    wall = float(open(f"{out}/{name}.time").read().split()[-2])
    return served, visits, travel, wall
print(f"\nCounty week, {days} days at {limit} s a day")
print(f"{'threads':>8} {'served':>14} {'travel h':>9} {'wall s':>7}")
for t in (1, 2):
    s, v, tr, wall = week(f"week-{t}")
    print(f"{t:>8} {s:>7}/{v:<6} {tr:>9.1f} {wall:>7.0f}")
print(f"\nCounty week, {days} days at {iters} iterations per station-day")
print(f"{'threads':>8} {'served':>14} {'travel h':>9} {'wall s':>7}")
walls = []
for t in (1, 2):
    s, v, tr, wall = week(f"week-iter-{t}")
    walls.append(wall)
    print(f"{t:>8} {s:>7}/{v:<6} {tr:>9.1f} {wall:>7.0f}")
print(f"two threads' wall / one thread's: {walls[1] / walls[0]:.2f} (target <= 0.6)")
PY
fi

if [[ ",$ONLY," == *,gh,* ]]; then
  : > "$OUT/gh.csv"
  for i in $GH_INSTANCES; do
    for l in $GH_LIMITS; do
      for t in 1 2; do
        d=$("$BIN" solve "$DATA/homberger/1000/$i.txt" --quiet --time-limit "$l" --threads "$t" \
              --seed "$SEED" --out "$OUT/gh-plan.json" | sed -n 's/.*distance \([0-9.]*\),.*/\1/p')
        echo "$i,$l,$t,$d" | tee -a "$OUT/gh.csv" >&2
      done
    done
  done
  python3 - "$OUT/gh.csv" "$ROOT/../shared/peers/bks_distance.csv" <<'PY'
import csv, sys
runs, bks_path = sys.argv[1:]
bks = {}
for row in csv.reader(open(bks_path)):
    if len(row) >= 3 and not row[0].startswith("#"):
        try: bks[row[0].strip().upper()] = float(row[2])
        except ValueError: pass
gap = {}
for i, l, t, d in csv.reader(open(runs)):
    gap[(i, int(l), int(t))] = 100 * (float(d) / bks[i.upper()] - 1)
names = sorted({k[0] for k in gap}); limits = sorted({k[1] for k in gap})
print("\nGap to the best known distance (%), G&H 1000, one thread | two threads")
print(f"{'instance':<10}" + "".join(f"{str(l) + ' s':>16}" for l in limits))
for n in names:
    print(f"{n:<10}" + "".join(f"{gap[(n, l, 1)]:>7.2f} | {gap[(n, l, 2)]:>6.2f}" for l in limits))
mean = {(l, t): sum(gap[(n, l, t)] for n in names) / len(names) for l in limits for t in (1, 2)}
print(f"{'mean':<10}" + "".join(f"{mean[(l, 1)]:>7.2f} | {mean[(l, 2)]:>6.2f}" for l in limits))
goal = mean[(limits[-1], 1)]
reached = [l for l in limits if mean[(l, 2)] <= goal]
if reached:
    print(f"two threads reach one thread's {limits[-1]} s mean gap ({goal:.2f} %) at {reached[0]} s: "
          f"{100 * reached[0] / limits[-1]:.0f} % of the time (target <= 60 %)")
else:
    print(f"two threads do not reach one thread's {limits[-1]} s mean gap ({goal:.2f} %) within {limits[-1]} s")
PY
fi

if [[ ",$ONLY," == *,city,* ]]; then
  read -r SHORT LONG <<<"$CITY_LIMITS"
  "$BIN" scenario generate --quiet --pbf "$PBF" --preset city-meals --seed "$SEED" --out "$OUT/city.json" >/dev/null
  for run in "2 $SHORT" "1 $LONG"; do
    read -r t l <<<"$run"
    timed "$BIN" solve "$OUT/city.json" --quiet --time-limit "$l" --threads "$t" --seed "$SEED" \
      --out "$OUT/city-$t.json" >/dev/null
    cp "$OUT/time.txt" "$OUT/city-$t.time"
  done
  python3 - "$OUT" "$SHORT" "$LONG" <<'PY'
import json, sys
out, short, long_ = sys.argv[1:]
print("\nCity meal day (10 stations, 600 caregivers, 6,700 lunches from 100 canteens)")
print(f"{'threads':>8} {'limit s':>8} {'meals delivered':>16} {'wall s':>7} {'peak GB':>8}")
got = {}
lunches = len(json.load(open(f"{out}/city.json"))["visits"])
for t, l in ((2, short), (1, long_)):
    plan = json.load(open(f"{out}/city-{t}.json"))
    wall, rss = open(f"{out}/city-{t}.time").read().split()[-2:]
    meals = plan["kpis"]["meals"]
    got[t] = meals["delivered"]
    print(f"{t:>8} {l:>8} {meals['delivered']:>9}/{lunches:<6} {float(wall):>7.0f} {int(rss) / 1e6:>8.2f}")
print(f"two threads at {short} s deliver {got[2] - got[1]:+d} meals against one thread at {long_} s (target >= 0)")
PY
fi
