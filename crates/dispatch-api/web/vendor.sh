#!/usr/bin/env bash
# Installs the pinned front-end packages (package-lock.json) and copies what the pages use
# into static/vendor, which the binary embeds. `vendor.sh --check` only compares: CI runs it
# so the committed copy is always the locked version.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error >&2
out=static/vendor/leaflet
if [[ "${1:-}" == "--check" ]]; then
    for f in leaflet.js leaflet.css; do
        cmp "node_modules/leaflet/dist/$f" "$out/$f" || { echo "web/$out/$f is not the locked leaflet: run web/vendor.sh" >&2; exit 1; }
    done
    echo "web/static/vendor matches package-lock.json" >&2
    exit 0
fi
mkdir -p "$out"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/LICENSE "$out/"
echo "copied leaflet $(node -p "require('./node_modules/leaflet/package.json').version") into web/$out" >&2
