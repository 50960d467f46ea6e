#!/usr/bin/env bash
# What the browser tests need, from Debian's packages: Chromium, its ChromeDriver, and CJK
# fonts (the pages are in Chinese; without them the screenshots show empty boxes). Also checks
# that the front-end packages built into the binary are the ones package-lock.json pins.
# Idempotent: installs only what is missing. Needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[[ -x /usr/bin/chromium ]] || need+=(chromium)
[[ -x /usr/bin/chromedriver ]] || need+=(chromium-driver)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
if ((${#need[@]})); then
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    echo "== installing ${need[*]} (Debian packages)" >&2
    if ! $sudo apt-get install -y --no-install-recommends "${need[@]}" >&2; then
        $sudo apt-get update >&2
        $sudo apt-get install -y --no-install-recommends "${need[@]}" >&2
    fi
fi
echo "== $(/usr/bin/chromium --version), $(/usr/bin/chromedriver --version | cut -d' ' -f1-2)" >&2

if command -v npm >/dev/null; then
    crates/dispatch-api/web/vendor.sh --check
else
    echo "npm is missing: the embedded front-end packages are not compared with package-lock.json" >&2
fi
