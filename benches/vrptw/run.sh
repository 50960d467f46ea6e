#!/usr/bin/env bash
# The VRPTW comparison in one command: builds CareCircle (release), installs the peer solvers
# through ../shared/peers/setup.sh, and runs compare.py on the given instances.
#
#   benches/vrptw/run.sh [--budget 10] [--jobs 2] [--solvers carecircle,pyvrp,...] [PATHS...]
#
# PATHS default to the 56 Solomon instances. Examples:
#   benches/vrptw/run.sh --budget 10 --jobs 2
#   benches/vrptw/run.sh --budget 30 ../shared/data/vrptw/homberger/200
#   benches/vrptw/run.sh --budget 120 --solvers carecircle,pyvrp ../shared/data/vrptw/homberger/1000
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PEERS="$ROOT/../shared/peers"
[ -d "$PEERS" ] || { echo "error: $PEERS not found (the shared folder must sit beside the project)" >&2; exit 1; }

(cd "$ROOT" && cargo build --release --quiet)
PEERS_HOME="$("$PEERS/setup.sh" | tail -1)"
export PEERS_HOME

args=() paths=()
while [ $# -gt 0 ]; do
  case "$1" in
    --budget|--jobs|--solvers|--seed|--out) args+=("$1" "$2"); shift 2 ;;
    *) paths+=("$1"); shift ;;
  esac
done
[ ${#paths[@]} -gt 0 ] || paths=("$ROOT/../shared/data/vrptw/solomon")
exec "$PEERS_HOME/.venv/bin/python" "$HERE/compare.py" --python "$PEERS_HOME/.venv/bin/python" "${args[@]}" "${paths[@]}"
