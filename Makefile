# opsloop: `make run` to start it, `make test` to test it. Each step is its own target
# and skips work already done (stamp files, make's timestamps), so a second `make run`
# starts in a few seconds.

SHELL := /bin/bash
.DEFAULT_GOAL := run
# The steps share .venv, node_modules and the database: never run them side by side.
.NOTPARALLEL:

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
OPSLOOP := $(VENV)/bin/opsloop
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# pytest-xdist processes; each takes whole test files (--dist loadfile), so a module's
# fixtures built once stay once (docs/development.md, "Tests").
TEST_WORKERS ?= 2
XDIST := -n $(TEST_WORKERS) --dist loadfile

VENV_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.package-lock.json
VENDOR_STAMP := opsloop/static/vendor/.installed

.PHONY: run setup venv vendor translations migrate demo serve check \
        test system-deps lint format test-sqlite test-postgres fuzz screenshots bench lock clean

## run: set everything up, load the demo on first start, serve on http://$(HOST):$(PORT)
run: setup migrate demo serve

## setup: Python venv from requirements.lock, front-end files, compiled translations
setup: venv vendor translations

venv: $(VENV_STAMP)
$(VENV_STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

vendor: $(VENDOR_STAMP)
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@
$(VENDOR_STAMP): $(NODE_STAMP) scripts/vendor_static.py
	$(PYTHON) scripts/vendor_static.py

# Compiles only catalogues whose .po is newer than their .mo, so this is cheap to repeat.
translations: $(VENV_STAMP)
	$(PY) scripts/compile_translations.py

migrate: $(VENV_STAMP)
	$(OPSLOOP) migrate --noinput

## demo: load the demo workspace if the database has no workspace yet
demo: $(VENV_STAMP)
	OPSLOOP_SITE_URL=$${OPSLOOP_SITE_URL:-http://$(HOST):$(PORT)} $(PY) scripts/load_demo_once.py

# Links in emails point where the server listens, unless OPSLOOP_SITE_URL says otherwise.
serve: $(VENV_STAMP)
	OPSLOOP_SITE_URL=$${OPSLOOP_SITE_URL:-http://$(HOST):$(PORT)} $(OPSLOOP) run --host $(HOST) --port $(PORT)

check: setup
	$(OPSLOOP) check

## test: lint, then the whole suite on SQLite, then the tests that use the database again on a throwaway PostgreSQL
test: system-deps setup lint test-sqlite test-postgres

## system-deps: chromium, a CJK font and PostgreSQL from apt-get, when missing
system-deps:
	bash scripts/ensure_system_deps.sh

lint: $(VENV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

format: $(VENV_STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test-sqlite: setup
	env -u DATABASE_URL bash scripts/run_pytest.sh $(XDIST) $(PYTEST_ARGS)

# The browser tests and the tests that use no database (or make an SQLite install of
# their own in a subprocess) ran in the SQLite pass; here they would test the same twice.
test-postgres: setup
	$(PY) scripts/with_postgres.py -- bash scripts/run_pytest.sh $(XDIST) --database-pass -m "not browser" $(PYTEST_ARGS)

## fuzz: the property tests with 500 examples each (make test tries 25)
fuzz: setup
	env -u DATABASE_URL bash scripts/run_pytest.sh $(XDIST) -m hypothesis --hypothesis-profile=fuzz $(PYTEST_ARGS)

## screenshots: retake docs/screenshots/*.png (a normal test run leaves them alone)
screenshots: setup
	OPSLOOP_SCREENSHOTS=update bash scripts/run_pytest.sh -m browser

## bench: list API and pages at 100,000 items, workload, timeline, event ingestion, insights and a 12-tile dashboard at 10M events (docs/benchmarks.md)
bench: setup
	$(PY) scripts/bench.py
	$(PY) scripts/bench_capacity.py
	$(PY) scripts/bench_planning.py
	$(PY) scripts/bench_events.py --workers 2 --clients 2 --threads 4
	$(PY) scripts/bench_insights.py --events 10000000 --persons 1000000 --write
	$(PY) scripts/bench_dashboards.py --events 10000000 --persons 1000000 --write

## lock: re-pin every Python package (docs/development.md)
lock:
	bash scripts/update_lock.sh

clean:
	rm -rf node_modules opsloop/static/vendor $(VENV_STAMP)
	find opsloop -path '*/locale/*' -name '*.mo' -delete
