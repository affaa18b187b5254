#!/usr/bin/env bash
# npm on Node.js 22 LTS, viewrank's runtime (engines, the image, CI): the machine's Node when it is 22 or later,
# otherwise npm's `node@22` package (the official binary inside), fetched once into .cache/node22 by
# scripts/node22.sh. Everything npm then starts (scripts, tests, the service) runs on that Node.
# Usage: bash scripts/npm22.sh <npm arguments>, e.g. bash scripts/npm22.sh install && bash scripts/npm22.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
major=$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || true)
if [[ "${major:-0}" -lt 22 ]]; then
  node22=$(bash scripts/node22.sh)
  PATH="$(dirname "$node22"):$PATH"
  export PATH
fi
exec npm "$@"
