#!/usr/bin/env bash
# Chromium for the browser tests, from Debian's packages (playwright-core drives it; it never downloads a browser).
# Idempotent: does nothing when /usr/bin/chromium is already there. Needs root (as CI runs) or sudo.
set -euo pipefail
if [[ -x /usr/bin/chromium ]]; then
  exit 0
fi
echo "browser: installing Debian's chromium package"
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
