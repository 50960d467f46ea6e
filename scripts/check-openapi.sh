#!/usr/bin/env bash
# Validates the service's OpenAPI document (the checked-in copy, which tests/openapi.rs keeps
# equal to what the service serves) with openapi-spec-validator, the Python reference
# validator, installed with pip into a virtual environment under target/ (pinned; made once,
# reused after). Usage: bash scripts/check-openapi.sh [document.json]
set -euo pipefail
cd "$(dirname "$0")/.."

doc=${1:-crates/dispatch-api/openapi.json}
venv=target/python-tools
pin="openapi-spec-validator==0.7.1"

if [[ ! -x $venv/bin/openapi-spec-validator ]] || ! grep -qx "$pin" "$venv/pinned" 2>/dev/null; then
    echo "== installing $pin into $venv" >&2
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$pin" >&2
    echo "$pin" > "$venv/pinned"
fi
"$venv/bin/openapi-spec-validator" "$doc"
