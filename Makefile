# The two commands of the README: `make run` and `make test`. Both create or reuse .venv and
# install what they need from requirements.lock (pinned, so every install is the same).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
PORT ?= 8000
PYTEST_ARGS ?=
# pytest-xdist workers for make test: one per core ("0" runs the suite in one process).
TEST_WORKERS ?= auto
# Some shells set PYTHONDONTWRITEBYTECODE; without bytecode caches every start recompiles
# Django and friends (seconds per process, many processes in the test suite).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-browser lint format install install-dev install-browser lock check-compose clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(UV): $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

# Stamp files make the install step a no-op until requirements.lock or pyproject.toml changes.
$(VENV)/.installed-base: $(UV) requirements.lock pyproject.toml
	$(UV) pip install --quiet --python $(BIN)/python -c requirements.lock -r pyproject.toml
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-base
	$(UV) pip install --quiet --python $(BIN)/python -c requirements.lock -r pyproject.toml --extra dev --extra browser
	@touch $@

install: $(VENV)/.installed-base
install-dev: $(VENV)/.installed-dev

## Runs the portal on SQLite with the embedded (filesystem) Celery broker: no servers needed.
run: install
	$(BIN)/python manage.py run_portal --port $(PORT)

## Runs the whole test suite (browser tests are skipped when Chromium is missing).
test: install-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

test-browser: install-dev
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Re-resolves requirements.lock from pyproject.toml (run after changing dependencies).
lock: $(UV)
	$(UV) pip compile pyproject.toml --extra dev --extra browser --python-version 3.11 -o requirements.lock

clean:
	rm -rf var .pytest_cache .ruff_cache
