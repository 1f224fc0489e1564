#!/usr/bin/env bash
# make chaos: a long chaos run on a fleet and a three-broker cluster of its own (infra/chaos), ten
# minutes of workload under fault cycles by default, then the history checker's counts; exits 1 on
# any anomaly. CHAOS_MINUTES=30 make chaos runs longer (options: infra/chaos/README.md).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PAYSTREAM_TEST_PG_URL="${PAYSTREAM_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
exec node infra/chaos/dist/main.js "$@"
