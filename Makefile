# VaxFleet developer commands. `make run` and `make test` work on a fresh
# machine with Python 3.11+; everything else is installed into .venv.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Local use only: debug on, mail printed to the console, and the demo staff
# accounts usable without setting up two-factor authentication first.
DEV_ENV := DJANGO_DEBUG=1 DJANGO_STAFF_MFA_REQUIRED=0

.PHONY: help install run migrate seed test test-browser lint format check bench profile scaleout screenshots messages clean

help:
	@echo "make run      install, migrate, load demo data and serve on http://$(HOST):$(PORT)"
	@echo "make test     run the whole test suite"
	@echo "make lint     ruff check, ruff format --check and bandit"
	@echo "make format   ruff format and fix what ruff can"
	@echo "make bench    measure the pages on PostgreSQL + gunicorn (SCALE=small|large)"
	@echo "make profile  where each page's time goes, in one process (after make bench; PAGE=name to profile one)"
	@echo "make scaleout two app servers, one PostgreSQL and Redis: the guarantees still hold"
	@echo "make screenshots  regenerate docs/screenshots/ (LANGS=en,es)"
	@echo "make clean    remove the virtual environment, database and caches"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changed.
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput

seed: migrate
	$(DEV_ENV) $(BIN)/python manage.py seed_demo

run: seed
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# pytest-xdist workers, each with its own test database: twice the cores,
# because the browser journeys spend much of their time waiting on Chromium
# and the live server (2 cores, 2,254 tests: 4 workers 7.2 min, 3 workers
# 9.8 min; the CPUs were still half idle with 3). worksteal: a worker left
# idle takes tests queued for a busy one.
TEST_WORKERS ?= $(shell $(PYTHON) -c "import os; print(max(2, (os.cpu_count() or 1) * 2))")
test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

test-browser: install
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -c pyproject.toml -r .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install
	$(DEV_ENV) $(BIN)/python manage.py check
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(DEV_ENV) $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

SCALE ?= small
bench: install
	$(BIN)/python tools/bench/run.py --scale $(SCALE) $(BENCH_ARGS)

# In-process milliseconds per page against F1, on the database make bench seeded;
# PAGE="driver list" runs that page under cProfile.
profile: install
	$(BIN)/python tools/bench/profile_pages.py --scale $(SCALE) $(if $(PAGE),--profile "$(PAGE)") $(PROFILE_ARGS)

# Seeds the demo into a throwaway SQLite database; needs the system Chromium.
LANGS ?= en,es
screenshots: install
	$(BIN)/python tools/screenshots.py --langs $(LANGS)

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles .pytest_cache .ruff_cache test-artifacts

scaleout: install
	$(BIN)/python tools/bench/scaleout.py $(SCALEOUT_ARGS)

# Update locale/es/LC_MESSAGES/django.po from our code and templates, then
# compile the .mo that is committed beside it (see README, "Translations").
MESSAGES_IGNORE := --ignore=.venv --ignore=tests --ignore=tools --ignore=staticfiles --ignore=test-artifacts --ignore=node_modules --ignore=templates/benchmarks
messages: install
	$(DEV_ENV) $(BIN)/python manage.py makemessages -l es --no-obsolete --add-location=file $(MESSAGES_IGNORE)
	$(DEV_ENV) $(BIN)/python manage.py compilemessages -l es --ignore=.venv
