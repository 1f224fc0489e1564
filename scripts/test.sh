#!/usr/bin/env bash
# Runs every suite with real components. Starts a local Kafka broker when KAFKA_BROKERS is unset
# (and stops it again), gives the run its own PostgreSQL database name prefix, and ends with the
# plain line "N passed, N failed" summed from vitest's JSON reports.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

export PAYSTREAM_REPORT_DIR="$root/.reports"
rm -rf "$PAYSTREAM_REPORT_DIR" && mkdir -p "$PAYSTREAM_REPORT_DIR"

# kcat, prometheus and alertmanager are real components of the suites: install what is missing.
scripts/system-tools.sh

started_kafka=""
if [ -z "${KAFKA_BROKERS:-}" ] && [ -x infra/kafka/kafka.sh ]; then
  infra/kafka/kafka.sh start
  started_kafka=1
  export KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-9092}"
fi
cleanup() { if [ -n "$started_kafka" ]; then infra/kafka/kafka.sh stop || true; fi; }
trap cleanup EXIT

export PAYSTREAM_TEST_PG_URL="${PAYSTREAM_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

status=0
pnpm run lint || status=$?
if [ "$status" -eq 0 ]; then
  pnpm run typecheck || status=$?
fi
# Two packages at a time: most suites wait on Kafka, PostgreSQL or processes they start more than
# they compute, so one package alone leaves a core idle. Every suite names its own topics, groups,
# databases and ports, and a fault test that stops a broker runs one of its own.
pnpm exec turbo run test --concurrency=2 --continue || status=$?
# Stop the broker first, so the summary is the run's last line.
cleanup
started_kafka=""
node scripts/test-summary.mjs "$PAYSTREAM_REPORT_DIR" || status=$?
exit "$status"
