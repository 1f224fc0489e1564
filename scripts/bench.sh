#!/usr/bin/env bash
# make bench: every package's benchmarks, one package at a time (two cores: anything running beside
# a benchmark is in its figures), on a Kafka broker of the run's own unless KAFKA_BROKERS names
# one. The suite in bench/ writes bench/results/latest.json and the table in docs/benchmarks.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

started_kafka=""
if [ -z "${KAFKA_BROKERS:-}" ]; then
  # A fresh broker beside any the tests use: its own data and ports, emptied first.
  export KAFKA_HOME_DIR="$root/infra/kafka/.kafka-bench"
  export KAFKA_PORT="${BENCH_KAFKA_PORT:-19192}"
  export KAFKA_CONTROLLER_PORT="$((KAFKA_PORT + 1))"
  infra/kafka/kafka.sh reset
  infra/kafka/kafka.sh start
  started_kafka=1
  export KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"
  export BENCH_OWNS_BROKER=1
fi
cleanup() { if [ -n "$started_kafka" ]; then infra/kafka/kafka.sh stop || true; fi; }
trap cleanup EXIT

export PAYSTREAM_BENCH_PG_URL="${PAYSTREAM_BENCH_PG_URL:-${PAYSTREAM_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}}"
pnpm exec turbo run bench --concurrency=1 "$@"
