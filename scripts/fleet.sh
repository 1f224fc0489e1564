#!/usr/bin/env bash
# make fleet: a local fleet without Docker until Ctrl-C (infra/fleet/README.md): a three-node Kafka
# cluster, fresh PostgreSQL databases, the sandbox, gateways behind a round-robin proxy, plugin
# hosts. Options as flags (scripts/fleet.sh --gateways 3) or FLEET_* variables (make fleet FLEET_GATEWAYS=3).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PAYSTREAM_TEST_PG_URL="${PAYSTREAM_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
# exec: the launcher gets Ctrl-C itself and stops the fleet in order.
exec node infra/fleet/dist/main.js "$@"
