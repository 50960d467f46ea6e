#!/usr/bin/env bash
# Validates the service's OpenAPI document (the checked-in copy, which tests/openapi.rs keeps
# equal to what the service serves) with openapi-spec-validator, the Python reference
# validator, pinned in scripts/python-tools.txt and installed by scripts/python-tools.sh.
# Usage: bash scripts/check-openapi.sh [document.json]
set -euo pipefail
cd "$(dirname "$0")/.."

doc=${1:-crates/dispatch-api/openapi.json}
bin=$(bash scripts/python-tools.sh)
"$bin/openapi-spec-validator" "$doc"
