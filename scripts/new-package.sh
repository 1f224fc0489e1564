#!/usr/bin/env bash
# Scaffolds a workspace package with the shared conventions: scripts/new-package.sh packages/foo "What it does"
# Under plugins/ it scaffolds a working plugin (SDK factory + a startTestHost test). Either way it
# installs with the project's pnpm (scripts/env.sh), so the lockfile is current and `make build` and
# `make test` pass as generated: scripts/new-package.sh plugins/fraud-watch "Flags odd refunds"
set -euo pipefail
dir="${1:?usage: scripts/new-package.sh <packages|services|plugins>/<name> [description]}"; desc="${2:-}"
name="@paystream/$(basename "$dir")"
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$root/$dir/src"
cd "$root/$dir"
plugin=""
dependencies='{}'
devDependencies='{}'
if [[ "$dir" == plugins/* ]]; then
  plugin=1
  desc="${desc:-A Paystream plugin}"
  # A plugin depends on the contract only, and is tested with the test kit.
  dependencies='{ "@paystream/plugin-sdk": "workspace:*", "zod": "catalog:" }'
  devDependencies='{
    "@biomejs/biome": "catalog:",
    "@paystream/plugin-testing": "workspace:*",
    "@types/node": "catalog:",
    "typescript": "catalog:",
    "vitest": "catalog:"
  }'
  "$root/scripts/new-plugin.sh" "$root" "$dir" "$desc"
fi
[ -f package.json ] || cat > package.json <<JSON
{
  "name": "$name",
  "version": "0.1.0",
  "private": true,
  "description": "$desc",
  "type": "module",
  "exports": {
    ".": {
      "types": "./dist/index.d.ts",
      "default": "./dist/index.js"
    }
  },
  "files": ["dist"],
  "scripts": {
    "build": "tsc -p tsconfig.build.json",
    "typecheck": "tsc --noEmit -p tsconfig.json",
    "lint": "biome check .",
    "test": "vitest run",
    "clean": "rm -rf dist"
  },
  "dependencies": $dependencies,
  "devDependencies": $devDependencies
}
JSON
[ -f tsconfig.json ] || cat > tsconfig.json <<'JSON'
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "noEmit": true },
  "include": ["src", "integration"]
}
JSON
[ -f tsconfig.build.json ] || cat > tsconfig.build.json <<'JSON'
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist", "noEmit": false },
  "include": ["src"],
  "exclude": ["src/**/*.test.ts", "src/**/__fixtures__/**"]
}
JSON
[ -f vitest.config.ts ] || cat > vitest.config.ts <<'TS'
import { paystreamVitest } from '../../vitest.shared.ts';

export default paystreamVitest(import.meta.dirname);
TS
# The project's pnpm, not whatever is on PATH (often none): the lockfile gains the package's
# importer, which `make build` (--frozen-lockfile) requires.
# shellcheck source=env.sh
source "$root/scripts/env.sh"
cd "$root"
# --no-frozen-lockfile: under CI=true pnpm install is frozen by default, and adding the package is
# exactly what changes the lockfile.
pnpm install --prefer-offline --no-frozen-lockfile >/dev/null || {
  echo "pnpm install failed for $dir; run it from $root with scripts/env.sh sourced" >&2
  exit 1
}
if [ -n "$plugin" ]; then
  # In the house format (Biome), so `make test` passes on what was generated.
  pnpm exec biome format --write "$dir" >/dev/null
fi
echo "created $name in $dir"
