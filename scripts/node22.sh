#!/usr/bin/env bash
# Prints the path of a Node.js 22 binary, installing npm's `node@22` package (the official binary inside) into
# .cache/node22 when missing. CI runs the unit tests on it too, beside the machine's Node.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=".cache/node22"
bin="$dir/node_modules/node/bin/node"
if ! [[ -x "$bin" ]] || ! "$bin" --version 2>/dev/null | grep -q '^v22\.'; then
  echo "node22: installing npm's node@22 into $dir" >&2
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error node@22 >&2
fi
echo "$PWD/$bin"
