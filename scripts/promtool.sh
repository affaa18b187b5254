#!/usr/bin/env bash
# promtool for the metrics test, from Debian's prometheus package (the tool ships with the server; the server is not
# started). Idempotent: does nothing when promtool is already there. Needs root (as CI runs) or sudo.
set -euo pipefail
if command -v promtool >/dev/null; then
  exit 0
fi
echo "promtool: installing Debian's prometheus package"
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# No service may start from the package's scripts on a test machine (a policy of our own only if there is none).
own_policy=""
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null && $sudo chmod +x /usr/sbin/policy-rc.d
  own_policy=1
fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
[[ -n "$own_policy" ]] && $sudo rm -f /usr/sbin/policy-rc.d
promtool --version | head -1
