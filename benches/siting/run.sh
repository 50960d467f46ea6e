#!/usr/bin/env bash
# Station-siting benchmark (planner issue target: 3,200 clients, ~300 candidate sites,
# K = 11, proven optimum or <= 1 % gap in <= 60 s). Generates a scenario of that size on
# the bundled extract, then runs each siting objective and prints, per objective, the
# MILP's time, objective and proven gap beside the greedy heuristic's.
#   benches/siting/run.sh [--clients 3200] [--candidates 300] [--k 11] [--seed 5]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CLIENTS=3200 CANDIDATES=300 K=11 SEED=5
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) CLIENTS="$2"; shift 2 ;;
    --candidates) CANDIDATES="$2"; shift 2 ;;
    --k) K="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
(cd "$ROOT" && cargo build --release --quiet)
BIN="$ROOT/target/release/carecircle"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$BIN" scenario generate --quiet --pbf "$ROOT/data/osm/andorra-2020-05-01.osm.pbf" --stations "$K" --caregivers "$((2 * K))" \
  --clients "$CLIENTS" --seed "$SEED" --out "$WORK/scenario.json"
# The generator puts every client inside a 15-minute circle of its station, so the covering
# programs also run on a tighter circle, where the choice is no longer easy.
RUNS="max-cover:15 max-cover:8 set-cover:15 set-cover:8 p-median:15"
for run in $RUNS; do
  objective="${run%%:*}" minutes="${run##*:}"
  "$BIN" coverage site --quiet --scenario "$WORK/scenario.json" --candidates auto \
    --auto-candidates "$CANDIDATES" --k "$K" --objective "$objective" --minutes "$minutes" \
    --out "$WORK/$run" >/dev/null
done
python3 - "$WORK" $RUNS <<'PY'
import json, sys
work = sys.argv[1]
print(f"{'objective':<10} {'min':>3} {'clients':>7} {'cands':>5} {'k':>3} {'method':<6} {'seconds':>8} "
      f"{'sites':>5} {'covered':>7} {'mean min':>8} {'gap %':>6}")
for run in sys.argv[2:]:
    objective = run.split(":")[0]
    r = json.load(open(f"{work}/{run}/site.json"))
    for name in ["milp", "greedy"]:
        m = r[name]
        mean = m.get("mean_travel_seconds")
        gap = m.get("gap")
        print(f"{objective:<10} {r['minutes']:>3} {r['clients']:>7} {r['candidates']:>5} {str(r.get('k') or '-'):>3} "
              f"{name:<6} {m['seconds']:>8.3f} {len(m['sites']):>5} {m['covered']:>7} "
              f"{(f'{mean / 60:.2f}' if mean is not None else '-'):>8} "
              f"{(f'{100 * gap:.2f}' if gap is not None else '-'):>6}")
PY
