#!/usr/bin/env bash
# A Rongcheng-sized county day on the bundled extract: generates the county preset (11
# stations, 300 caregivers on duty, 3,200 clients, about 1,200 visits with every home-care
# rule), plans it within the time limit on one thread, checks it, and prints the figures the
# home-care issue targets: wall time, visits assigned of those that can be served, the longest
# leg against the circle, lateness, continuity, overtime and fairness.
#
#   benches/county/run.sh [--time-limit 60] [--seed 1]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
LIMIT=60 SEED=1
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
"$BIN" scenario generate --quiet --pbf "$ROOT/data/osm/andorra-2020-05-01.osm.pbf" --preset county \
  --seed "$SEED" --out "$OUT/county.json"
start=$(date +%s.%N)
"$BIN" solve "$OUT/county.json" --quiet --time-limit "$LIMIT" --seed "$SEED" --out "$OUT/county-plan.json" \
  > "$OUT/county-kpis.txt"
end=$(date +%s.%N)
"$BIN" check "$OUT/county.json" "$OUT/county-plan.json" > "$OUT/county-check.txt" || {
  echo "the checker rejects the plan:" >&2; tail -5 "$OUT/county-check.txt" >&2; exit 1; }
cat "$OUT/county-kpis.txt"
python3 - "$OUT/county-plan.json" "$start" "$end" "$LIMIT" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
k = plan["kpis"]
wall = float(sys.argv[3]) - float(sys.argv[2])
# Visits no caregiver may ever serve (skills, gender, refusal, capacity) are not "servable".
never = {"skills", "gender", "refused", "capacity"}
unservable = sum(1 for u in plan["unassigned"] if u["reason"] in never)
servable = k["visits_total"] - unservable
print(f"wall time (generate excluded): {wall:.1f} s for a limit of {sys.argv[4]} s")
print(f"assigned: {k['visits_served']} of {servable} servable visits "
      f"({100.0 * k['visits_served'] / max(servable, 1):.2f} %); {unservable} never servable")
print(f"longest leg {k['longest_leg']} s, circle limit {k['max_leg_limit']} s")
f = k["fairness"]
print(f"lateness {k['lateness_total']} s total, {k['lateness_max']} s latest; "
      f"{k['non_preferred_visits']} visits off continuity; overtime {k['overtime']} s")
print(f"fairness: working day {f['working_min']}-{f['working_max']} s (widest station spread "
      f"{f['working_spread']} s, sd {f['working_stddev']} s), visits per caregiver "
      f"{f['visits_min']}-{f['visits_max']}")
PY
echo "checker: $(tail -1 "$OUT/county-check.txt")"
