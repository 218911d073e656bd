# Halcyon: `make run` starts the embedded platform, `make test` runs the whole suite.
# Both install what they need into .venv and frontend/node_modules on first use.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PYTEST_WORKERS ?= auto
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install lint typecheck pytest frontend-check gen services clean help

help:
	@echo "make run    - install, migrate, load demo data and start Halcyon on http://127.0.0.1:8000"
	@echo "make test   - install and run every check and the whole test suite"
	@echo "make gen    - regenerate frontend/openapi.json, the generated API client and the signaling schema"

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	npm ci --prefix frontend --no-audit --no-fund --loglevel=error
	@touch $@

tests/support/oidc/node_modules/.installed: tests/support/oidc/package.json tests/support/oidc/package-lock.json
	npm ci --prefix tests/support/oidc --no-audit --no-fund --loglevel=error
	@touch $@

install: $(BIN)/.installed frontend/node_modules/.installed tests/support/oidc/node_modules/.installed

frontend/dist/index.html: frontend/node_modules/.installed $(shell find frontend/src frontend/index.html -type f 2>/dev/null)
	npm run --prefix frontend build

run: $(BIN)/.installed frontend/dist/index.html
	$(BIN)/halcyon migrate
	$(BIN)/halcyon seed-demo
	$(BIN)/halcyon serve

lint: $(BIN)/.installed
	$(BIN)/ruff check services tests
	$(BIN)/ruff format --check services tests
	$(BIN)/lint-imports

typecheck: $(BIN)/.installed
	$(BIN)/mypy

frontend-check: $(BIN)/.installed frontend/node_modules/.installed
	@$(BIN)/halcyon openapi > /tmp/halcyon-openapi.$$$$.json && \
	  if ! diff -q /tmp/halcyon-openapi.$$$$.json frontend/openapi.json >/dev/null; then \
	    rm -f /tmp/halcyon-openapi.$$$$.json; \
	    echo "frontend/openapi.json is stale: the API changed. Run 'make gen' and commit the result."; exit 1; \
	  fi; rm -f /tmp/halcyon-openapi.$$$$.json
	npm run --prefix frontend check:api
	npm run --prefix frontend typecheck
	npm run --prefix frontend lint
	npm run --prefix frontend test
	npm run --prefix frontend build

# Browser journeys write screenshots of key screens here.
export HALCYON_E2E_SCREENSHOTS ?= $(CURDIR)/test-artifacts/screenshots

pytest: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup
	@echo "browser journey screenshots: $(HALCYON_E2E_SCREENSHOTS)"

test: lint typecheck frontend-check pytest

gen: $(BIN)/.installed frontend/node_modules/.installed
	$(BIN)/halcyon openapi > frontend/openapi.json
	npm run --prefix frontend gen:api
	$(BIN)/python -m services.signaling.protocol > frontend/src/signaling/protocol.schema.json
	npm run --prefix frontend gen:signaling

# Start the local PostgreSQL and Redis when they do not answer (CI calls this).
services:
	@pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist tests/support/oidc/node_modules var
