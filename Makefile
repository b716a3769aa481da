# Bündnisportal – the two commands of README: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV    := .venv
PY      := $(VENV)/bin/python
PORT    ?= 8000
# Django 6 needs Python 3.12 or newer: take the first one found (PYTHON=... overrides).
PYTHON  ?= $(shell for p in python3.14 python3.13 python3.12 python3 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3; do \
             command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
             && { echo $$p; break; }; done)

.PHONY: run install migrate demo serve test test-sqlite test-postgres test-deps lint typecheck bench schema clean

$(VENV)/.installed: requirements/lock.txt pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 oder neuer fehlt: sudo apt-get install python3.12 python3.12-venv (oder PYTHON=/pfad/zu/python3.12 setzen)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/lock.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Debian's chromium for the browser tests (never a browser download), PostgreSQL for the second pass.
test-deps:
	@bash scripts/ensure-test-deps.sh

test: install test-deps lint test-sqlite test-postgres

test-sqlite:
	@echo "== Test suite on SQLite =="
	env -u DATABASE_URL $(PY) -m pytest -p no:cacheprovider -n 2 $(PYTEST_ARGS)

# With DATABASE_URL set, that server is used; otherwise a throwaway PostgreSQL is started.
test-postgres:
	@echo "== Test suite on PostgreSQL =="
	$(PY) scripts/with_postgres.py -- $(PY) -m pytest -p no:cacheprovider -n 2 $(PYTEST_ARGS)

# ruff (rules and formatting), the apps' layering (import-linter), types, missing migrations.
lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run --settings=config.settings.test >/dev/null

# Load test against gunicorn with 8 alliances (500, 5,000 and 6 × 2,500 projects), public pages
# and the signed-in pages at both sizes: throwaway PostgreSQL unless DATABASE_URL is set (an
# empty database); BENCH_ARGS="--sqlite" for a SQLite file. Writes bench/results.json and
# bench/results.md; README "Benchmark".
bench: install
	$(PY) scripts/bench.py $(BENCH_ARGS)

# The OpenAPI schema outside clients read; tests/api/test_schema.py fails when it is out of date.
schema:
	$(PY) manage.py spectacular --file docs/openapi.yaml --validate

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache
