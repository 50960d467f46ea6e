#!/usr/bin/env bash
# Road-query benchmark: builds CareCircle (release), installs the peer (pandana, or
# networkx with --peer networkx) into benches/roads/.venv from PyPI, and compares
# matrices and a service circle on the same graph and points.
#   benches/roads/run.sh [--points 1000] [--mode car] [--pbf FILE] [--peer pandana|networkx]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
(cd "$ROOT" && cargo build --release --quiet)
VENV="$HERE/.venv"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet "pandana==0.8" "networkx>=3,<4" >&2
exec "$VENV/bin/python" "$HERE/compare_matrix.py" "$@"
