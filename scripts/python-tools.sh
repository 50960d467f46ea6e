#!/usr/bin/env bash
# Installs the pinned Python tools of scripts/python-tools.txt (the OpenAPI validator,
# schemathesis, openapi-python-client) into a virtual environment under target/ with pip from
# the package registry; made once, made again when the pins change. Prints the environment's
# bin directory. Usage: bash scripts/python-tools.sh
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/python-tools
pins=scripts/python-tools.txt

if [[ ! -x $venv/bin/python ]] || ! cmp -s "$pins" "$venv/pinned" 2>/dev/null; then
    echo "== installing $(grep -cv '^#' "$pins") pinned Python tools into $venv" >&2
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$pins" >&2
    cp "$pins" "$venv/pinned"
fi
echo "$PWD/$venv/bin"
