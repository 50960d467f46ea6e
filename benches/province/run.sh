#!/usr/bin/env bash
# The province bench of the solve queue: generates the province preset (two prefectures of two
# counties of 11 stations; on the bundled extract the stations are synthetic and overlap), then
# asks for every station-day's plan through `serve --api-only` and 1, then 2, `carecircle
# worker`s (one thread each) on a fresh PostgreSQL schema, at a fixed search time per plan.
# Prints job wait p50/p95, per-job overhead (job wall less its search), redeliveries and plans
# per core-minute, and from those the workers a 16-prefecture province needs between 20:00
# and 06:00. With --nats URL (a NATS server with JetStream) the queue is JetStream; else the
# database's own table.
#
#   benches/province/run.sh [--time-limit 5] [--workers 1,2] [--nats nats://127.0.0.1:4222]
#                           [--postgres postgres://postgres@127.0.0.1:5432/test]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time-limit|--workers|--nats|--postgres) EXTRA+=("$1" "$2"); shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
(cd "$ROOT" && cargo build --release --quiet)
BIN="$ROOT/target/release/carecircle"
OUT="$HERE/results"
mkdir -p "$OUT"
"$BIN" --quiet scenario generate --pbf "$ROOT/data/osm/andorra-2020-05-01.osm.pbf" --preset province \
  --out "$OUT/province.json" >/dev/null
python3 "$HERE/drive.py" --bin "$BIN" --scenario "$OUT/province.json" --out "$OUT" ${EXTRA[@]+"${EXTRA[@]}"}
