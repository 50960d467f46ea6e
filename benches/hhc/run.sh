#!/usr/bin/env bash
# The home-health-care benchmark in one command: builds CareCircle (release) and runs run.py
# on the Mankowska et al. (2014) instances (all 70 by default).
#
#   benches/hhc/run.sh [--small 30] [--large 120] [--jobs 2] [--sets A,B] [--seed 1] [--out CSV]
#
# --small is the budget in seconds for sets A-E (10-100 patients), --large for F and G
# (200, 300 patients). Examples:
#   benches/hhc/run.sh --jobs 2                      # all 70 at 30 s / 120 s: about 35 minutes
#   benches/hhc/run.sh --sets A --small 5            # set A in a minute
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
[ -d "$ROOT/../shared/data/hhc/mankowska2014" ] || {
  echo "error: ../shared/data/hhc/mankowska2014 not found (the shared folder must sit beside the project)" >&2
  exit 1
}
(cd "$ROOT" && cargo build --release --quiet)
exec python3 "$HERE/run.py" "$@"
