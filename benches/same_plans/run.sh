#!/usr/bin/env bash
# Same plans at the same budget: solves benchmark instances with two builds of `carecircle`
# at a fixed iteration budget and seed (deterministic: any difference is the code's, not the
# machine's), the two solves of an instance side by side (one per core), and prints each
# instance's summary from both with "same" or "DIFFERENT", then a count. For a change that
# must not touch the search (a refactor, a change to the re-plan or the checker alone).
#
#   benches/same_plans/run.sh OLD_BINARY NEW_BINARY [--iterations 2000] [--sets "solomon hhc-A-E"]
#
# Sets: solomon (all 56), hhc-A-E (Mankowska sets A to E, 50 instances). Example, against
# the build of an earlier commit in a worktree:
#   git worktree add ../old COMMIT && (cd ../old && cargo build --release -p carecircle)
#   benches/same_plans/run.sh ../old/target/release/carecircle target/release/carecircle
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DATA="$ROOT/../shared/data"
OLD="${1:?usage: run.sh OLD_BINARY NEW_BINARY [--iterations N] [--sets \"...\"]}"
NEW="${2:?usage: run.sh OLD_BINARY NEW_BINARY [--iterations N] [--sets \"...\"]}"
shift 2
ITERATIONS=2000 SETS="solomon hhc-A-E"
while [ $# -gt 0 ]; do
  case "$1" in
    --iterations) ITERATIONS="$2"; shift 2 ;;
    --sets) SETS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -d "$DATA/vrptw/solomon" ] || { echo "error: $DATA not found (../shared beside the project)" >&2; exit 1; }
files() {
  case "$1" in
    solomon) ls "$DATA"/vrptw/solomon/*.txt ;;
    hhc-A-E) ls "$DATA"/hhc/mankowska2014/instances/Instanz{CPLEX_HCSRP_{10,25,50,75},VNS_HCSRP_100}_*.txt ;;
    *) echo "unknown set $1" >&2; exit 2 ;;
  esac
}
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
same=0 total=0
# The summary line without the plan's path, which differs between the two runs.
summary() { head -n 1 "$1" | sed 's/; plan written to .*//'; }
for set in $SETS; do
  for f in $(files "$set"); do
    name="$(basename "$f" .txt)"
    "$OLD" solve "$f" --iterations "$ITERATIONS" --threads 1 --seed 1 --quiet --out "$TMP/old.json" >"$TMP/old.txt" &
    "$NEW" solve "$f" --iterations "$ITERATIONS" --threads 1 --seed 1 --quiet --out "$TMP/new.json" >"$TMP/new.txt"
    wait
    old="$(summary "$TMP/old.txt")" new="$(summary "$TMP/new.txt")"
    total=$((total + 1))
    if [ "$old" = "$new" ]; then verdict=same; same=$((same + 1)); else verdict=DIFFERENT; fi
    printf '%-32s %-9s old: %s | new: %s\n' "$name" "$verdict" "$old" "$new"
  done
done
echo "same plans at $ITERATIONS iterations, seed 1: $same of $total"
