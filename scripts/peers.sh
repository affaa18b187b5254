#!/usr/bin/env bash
# The benchmark's peers, from Debian's packages: Redis (redis-server) and PostgreSQL 15. Idempotent: installs only
# what is missing. The benchmark starts its own servers on free loopback ports and stops them; the packages' own
# services are not used (a postinst may start one on the default port; nothing here talks to it).
set -euo pipefail
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
[[ -x /usr/lib/postgresql/15/bin/postgres ]] || missing+=(postgresql-15)
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "peers: installing ${missing[*]} from Debian's packages"
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
