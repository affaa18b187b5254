#!/usr/bin/env bash
# npm run bench: installs and starts what the suite needs (the broker, Redis and PostgreSQL packages, Chromium for
# the chart), then runs it. Arguments go to bench/suite.ts (--smoke, --parts=...). Expects a built service.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/kafka.sh start
bash scripts/zookeeper.sh start
bash scripts/peers.sh
bash scripts/browser.sh
exec node -r ts-node/register/transpile-only bench/suite.ts "$@"
