# The README names these targets. Each does its own setup.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: demo test test-postgres test-unit test-integration test-browser test-faults bench bench-inprocess bench-pipeline bench-console mutation lint install broker store browser documents clean soap-contracts asyncapi

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

broker:
	@scripts/ensure-rabbitmq

store:
	@scripts/ensure-postgres

browser:
	@scripts/ensure-chromium

documents:
	@scripts/ensure-documents

demo: install broker documents
	$(VENV)/bin/lagw demo

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

# Suites marked slow (the fault suite under load, fuzzing, several instances, the demo) run when LAGW_SLOW_TESTS
# is set, as CI sets it; without it `make test` leaves them out and says so.
ALL_BUT_SLOW := $(if $(LAGW_SLOW_TESTS),,-m "not slow")
NOT_SLOW := $(if $(LAGW_SLOW_TESTS),, and not slow)

# Everything on SQLite stores, then the suites that exercise the store again with a PostgreSQL database per test.
test: lint broker store browser documents
	@test -n "$(LAGW_SLOW_TESTS)" || echo "Leaving out the suites marked slow; LAGW_SLOW_TESTS=1 make test runs them too."
	$(VENV)/bin/pytest $(ALL_BUT_SLOW)
	LAGW_TEST_STORE=postgresql $(VENV)/bin/pytest -m "both_stores$(NOT_SLOW)" tests/integration tests/browser

test-postgres: install broker store browser documents
	LAGW_TEST_STORE=postgresql $(VENV)/bin/pytest -m both_stores tests/integration tests/browser

test-unit: install documents
	$(VENV)/bin/pytest tests/unit

test-integration: install broker store documents
	$(VENV)/bin/pytest tests/integration

test-browser: install broker browser documents
	$(VENV)/bin/pytest tests/browser

test-faults: install broker store documents
	$(VENV)/bin/pytest tests/faults

soap-contracts: install
	$(PY) scripts/write-soap-contracts

asyncapi: install
	$(PY) scripts/write-asyncapi

bench: install broker store
	@scripts/ensure-wrk
	$(PY) bench/serving.py

bench-inprocess: install store
	$(PY) bench/inprocess.py

bench-pipeline: install broker store
	$(PY) bench/pipeline.py

bench-console: install
	$(PY) bench/console.py

# Mutants of the law's code and tables against the unit suite (about an hour; not part of `make test`).
mutation: install
	$(PY) scripts/mutation

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache *.egg-info lagw.sqlite3* test-artifacts
