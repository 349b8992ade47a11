# Two commands do everything on a fresh machine with Python 3.11+ and make:
#   make run    the app with demo data at http://127.0.0.1:8000, and a background-jobs worker
#   make test   the whole test suite
# With DATABASE_URL unset both use an embedded PostgreSQL kept in .pgdata/.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint check clean-db bench bench-search bench-import bench-booking manage

# What `make run` and `make manage` set on top of .env: development mode, and the address
# links in emails point to. The scheduled jobs see exactly what the web app sees.
DEV_ENV := DEBUG=1 SITE_URL=http://$(HOST):$(PORT)

$(VENV)/bin/activate:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.x)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(VENV)/bin/activate
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

run: $(VENV)/.installed
	@$(DEV_ENV) $(PY) manage.py migrate --no-input
	@$(DEV_ENV) $(PY) manage.py load_demo
	@echo ""
	@echo "  Clinic app with demo data: http://$(HOST):$(PORT)/"
	@echo "  Demo sign-ins (demo only): frontdesk, therapist, manager; password demo-clinic-2026"
	@echo "  manager: set up two-factor sign-in (any authenticator app) at the first sign-in"
	@echo ""
	@echo "  Background jobs: a worker runs beside the web app (reminders every 15 minutes)"
	@echo ""
	@$(DEV_ENV) $(PY) manage.py procrastinate worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(PY) manage.py runserver --noreload $(HOST):$(PORT)

# Any manage.py command with make run's settings and database (the embedded one too), e.g.
#   make manage CMD=send_reminders     make manage CMD=backup     make manage CMD=verify_records
manage: $(VENV)/.installed
	$(DEV_ENV) $(PY) manage.py $(CMD)

test: $(VENV)/.installed-dev
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# Remove the embedded database (demo data included). Stop `make run` first.
clean-db:
	rm -rf .pgdata

# Benchmark (not part of CI): seeds a separate database once (100,000 clients, 1,000,000
# visits; minutes), runs gunicorn with 2 workers and drives it with wrk. Writes docs/performance.md.
bench: $(VENV)/.installed-dev
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	$(PY) bench/run.py

# Search quality (not part of CI): how often the client search finds the client meant despite
# typos, per kind of mistake, in a database of its own with 100,000 seeded clients (made again
# when the generator or the migrations change; a minute or two). Writes docs/search-quality.md.
# BENCH_SEARCH_CLIENTS (100000), BENCH_SEARCH_QUERIES (300 per kind), BENCH_SEARCH_DATABASE_URL.
bench-search: $(VENV)/.installed-dev
	$(PY) bench/search_run.py

# Import speed (not part of CI): a clinic leaving Jane with 50,000 patients and 300,000
# appointments (seeded files), previewed and imported into a fresh database of its own, as the
# Import page does it (about 10 minutes). Writes the "Import" section of docs/performance.md.
# BENCH_IMPORT_CLIENTS, BENCH_IMPORT_APPOINTMENTS, BENCH_IMPORT_DATABASE_URL.
bench-import: $(VENV)/.installed-dev
	$(PY) bench/import_run.py

# Online booking (not part of CI): the free times of 8 therapists over 30 days with a year of
# visits in a database of its own (seconds). Writes the "Online booking" section of docs/performance.md.
bench-booking: $(VENV)/.installed-dev
	$(PY) bench/booking_run.py
