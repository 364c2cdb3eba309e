# fieldvisit: `make run` serves the demo, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
DB_URL ?= sqlite:///var/fieldvisit.db
export FIELDVISIT_DATABASE_URL ?= $(DB_URL)

PY_STAMP := $(VENV)/.installed
NPM_STAMP := pwa/node_modules/.installed
PWA_STAMP := pwa/dist/index.html
PWA_SOURCES := $(shell find pwa/src pwa/public pwa/index.html pwa/vite.config.ts pwa/tsconfig.json -type f 2>/dev/null)

.PHONY: help install run test lint typecheck pytest pwa-test e2e bench migrate demo system-deps clean api-types

help:
	@echo "make run    install, migrate, load the demo branch, serve on http://127.0.0.1:8000"
	@echo "make test   lint, types, Python tests (SQLite + PostgreSQL), PWA unit tests, browser tests"
	@echo "make bench  benchmarks (routing, sync, imports, geocoded import, PWA budgets)"
	@echo "make api-types  regenerate the PWA's API types from the app's OpenAPI schema"

$(PY_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

$(NPM_STAMP): pwa/package.json pwa/package-lock.json
	cd pwa && npm ci --no-audit --no-fund
	touch $@

$(PWA_STAMP): $(NPM_STAMP) $(PWA_SOURCES)
	cd pwa && npm run build

install: $(PY_STAMP) $(PWA_STAMP)

# Chromium for browser tests and a CJK font for PDFs and screenshots (Debian packages).
system-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -f $(CJK_FONT) ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk fonts-wqy-microhei >/dev/null; \
	fi

migrate: $(PY_STAMP)
	$(BIN)/fieldvisit migrate

demo: migrate
	$(BIN)/fieldvisit demo

run: install demo
	$(BIN)/fieldvisit serve --host 127.0.0.1 --port 8000

lint: $(PY_STAMP)
	$(BIN)/ruff check api models migrations tests
	$(BIN)/ruff format --check api models migrations tests

typecheck: $(PY_STAMP)
	$(BIN)/mypy

# Every Python test runs on SQLite and again on PostgreSQL (TEST_DATABASE_URL).
pytest: $(PY_STAMP)
	TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -m "not e2e" -q

# The PWA's API types: the app's OpenAPI schema (no server needed), then TypeScript from it.
# Tests fail when either committed file differs from what this writes.
api-types: $(PY_STAMP) $(NPM_STAMP)
	$(BIN)/python -m api.openapi_dump pwa/src/api/openapi.json
	cd pwa && npm run api-types

pwa-test: $(NPM_STAMP)
	cd pwa && npm run typecheck && npm test

e2e: install system-deps
	$(BIN)/pytest -m e2e -q tests/e2e

test: install system-deps lint typecheck pytest pwa-test e2e

bench: install system-deps
	TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python tests/benchmarks/run_all.py

clean:
	rm -rf $(VENV) pwa/node_modules pwa/dist var test-artifacts
