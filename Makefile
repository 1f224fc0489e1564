# Two commands matter: `make start` and `make test`. Everything else is fetched on demand:
# Node.js 24 and pnpm into .tools/ (scripts/bootstrap.sh), dependencies with pnpm, and a
# Kafka broker from Maven Central when the tests need one.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
TOOLS_PATH := $(shell $(ROOT)/scripts/bootstrap.sh)
ifeq ($(TOOLS_PATH),)
$(error bootstrap failed: could not provide Node.js 24 and pnpm)
endif
export PATH := $(TOOLS_PATH):$(PATH)
NODE_HOME := $(abspath $(firstword $(subst :, ,$(TOOLS_PATH)))/..)
# A native addon must compile against the headers of the Node.js that runs it, not the machine's
# default nodedir. (better-sqlite3 13 loads its bundled N-API prebuild and compiles nothing.)
export npm_config_nodedir := $(NODE_HOME)
export TURBO_TELEMETRY_DISABLED := 1
export DO_NOT_TRACK := 1

.PHONY: all install build start test lint typecheck bench fleet chaos images kafka kafka-stop clean help shell dev registry

all: help

help:
	@echo "make start   run the all-in-one platform (gateway :8080, sandbox :8081, embedded bus)"
	@echo "make test    install, build, start what the tests need, run every suite"
	@echo "make shell   a shell with the project's Node.js 24 and pnpm on PATH (or: source scripts/env.sh)"
	@echo "make dev     rebuild what changed on every save (turbo watch build) until Ctrl-C"
	@echo "make bench   run the benchmarks (~10 min): bench/results/latest.json, docs/benchmarks.md"
	@echo "make kafka / make kafka-stop   a local KRaft broker on 127.0.0.1:9092"
	@echo "make fleet   a local fleet until Ctrl-C: 3 Kafka brokers, PostgreSQL, gateways behind a proxy, plugin hosts"
	@echo "             (make fleet IMAGES=1: the gateways, plugin hosts and sandbox as podman containers of make images)"
	@echo "make images  OCI images (gateway, plugin host, sandbox, all-in-one) with buildah; archives in infra/images/.out"
	@echo "make chaos   a chaos run (CHAOS_MINUTES=10): workload under faults, then the history checker's counts"
	@echo "make registry  a local npm registry (Verdaccio, REGISTRY_PORT=4873) serving the published packages until Ctrl-C"

node_modules/.modules.yaml: package.json pnpm-lock.yaml pnpm-workspace.yaml $(wildcard packages/*/package.json services/*/package.json plugins/*/package.json)
	pnpm install --frozen-lockfile --prefer-offline
	@touch $@

install: node_modules/.modules.yaml

build: install
	pnpm run build --output-logs=errors-only

lint: install
	pnpm run lint

typecheck: build
	pnpm run typecheck

test: build
	$(ROOT)/scripts/test.sh

shell:
	@echo "Node.js $$(node -v) and pnpm $$(pnpm -v) on PATH; exit to leave"
	@exec "$${SHELL:-bash}" -i

dev: install
	pnpm exec turbo watch build

bench: build
	$(ROOT)/scripts/bench.sh

start: build
	MALLOC_ARENA_MAX=2 exec node --max-semi-space-size=8 --max-old-space-size=512 \
	  --import ./packages/telemetry/dist/register.js services/allinone/dist/main.js

fleet: build $(if $(IMAGES),images)
	FLEET_IMAGES=$(IMAGES) $(ROOT)/scripts/fleet.sh

images: build
	$(ROOT)/scripts/images.sh

chaos: build
	$(ROOT)/scripts/chaos.sh

registry: build
	pnpm --filter @paystream/registry run registry

kafka:
	$(ROOT)/infra/kafka/kafka.sh start

kafka-stop:
	$(ROOT)/infra/kafka/kafka.sh stop

clean:
	pnpm run clean || true
	rm -rf node_modules packages/*/node_modules services/*/node_modules plugins/*/node_modules .reports .turbo
