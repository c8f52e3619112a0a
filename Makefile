# Developer and CI entry points. CI runs `bash .ci/run`, which prepares the services and ends
# with `make check`: ruff (lint + format), mypy over the domain layer, pending migrations,
# system checks, tests. Run `make check` before merging: it is exactly what CI runs.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="--create-db -x"`.
PYTEST_ARGS ?=
# What ruff looks at: the project, not the virtualenv or runtime files (see pyproject excludes).
RUFF_PATHS := .

.PHONY: venv install run test static check lint mypy fmt bench bench-lists clean-venv
.PHONY: fuzz

venv: $(PY)

$(PY):
	$(PYTHON) -m venv $(VENV)

# Re-install only when a requirements file changed since the last install.
$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

run: install
	@mkdir -p var
	@echo "database: applying migrations …"
	@$(PY) manage.py migrate --noinput -v 0
	@$(PY) manage.py seed_demo
	@if ! command -v msgfmt >/dev/null 2>&1; then \
		echo "note: msgfmt (Debian package gettext) not found; using the committed .mo files"; \
	elif [ -d locale ]; then \
		$(PY) manage.py compilemessages -v 0 --ignore=.venv --ignore=var --ignore=node_modules; \
	fi
	@if $(PY) manage.py help sync_beat_schedule >/dev/null 2>&1; then \
		$(PY) manage.py sync_beat_schedule; \
	fi
	@HOST=$(HOST) PORT=$(PORT) PYTHON=$(PY) scripts/run-local.sh

test: install
	$(VENV)/bin/pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check $(RUFF_PATHS)
	$(VENV)/bin/ruff format --check $(RUFF_PATHS)

# Types of services, selectors, rules and policies (file list and plugins in pyproject.toml).
mypy: install
	$(VENV)/bin/mypy

fmt: install
	$(VENV)/bin/ruff check --fix $(RUFF_PATHS)
	$(VENV)/bin/ruff format $(RUFF_PATHS)

# Everything but the tests: lint, types, pending migrations, system checks.
static: lint mypy
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

check: static
	$(MAKE) test

# Benchmarks at realistic scale; not part of the test run.
bench: install
	@found=0; for f in bench/*.py; do \
		[ -e "$$f" ] || continue; found=1; \
		echo "== $$f"; $(PY) "$$f" || exit $$?; \
	done; \
	if [ $$found = 0 ]; then echo "no benchmarks yet (bench/*.py)"; fi

# Every list at 5k/50k/200k rows on gunicorn + PostgreSQL against the bare views of the same
# server (bench/lists_bench.py, ADR 0030): BENCH_SCALES=5000,200000 BENCH_ROUNDS=40 to change.
bench-lists: install
	$(PY) bench/lists_bench.py

# API fuzzing, the long run (tests/harness/test_fuzz_api.py; `make test` runs it small): every role
# of the demo world, FUZZ_EXAMPLES generated cases per operation and role plus Schemathesis'
# coverage phase, seeded (FUZZ_SEED). Figures in var/fuzz-stats.json and on the last lines.
FUZZ_EXAMPLES ?= 50
FUZZ_SEED ?= 20261201
fuzz: install
	@mkdir -p var
	FUZZ_ROLES=all FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_SEED=$(FUZZ_SEED) FUZZ_COVERAGE=1 \
		FUZZ_STATS_FILE=var/fuzz-stats.json \
		$(VENV)/bin/pytest -p no:cacheprovider -p no:logging -q tests/harness/test_fuzz_api.py $(PYTEST_ARGS)
	$(PY) tests/harness/fuzz_support.py var/fuzz-stats.json

clean-venv:
	rm -rf $(VENV)

# --- Access matrix (tests/harness/matrix.py) ------------------------------------------------------
.PHONY: access-matrix access-matrix-test

# Rewrite docs/access-matrix.md from the apps' tests/access_matrix.py tables.
access-matrix: install
	DJANGO_TESTING=1 $(PY) -m tests.harness.matrix > docs/access-matrix.md
	@sed -n 5p docs/access-matrix.md

# Walk the whole table (every URL × method × persona) with real objects.
access-matrix-test: install
	$(VENV)/bin/pytest -p no:cacheprovider -q tests/harness/test_access_matrix.py $(PYTEST_ARGS)

# Personal-data leak harness (issue 8): every role × every page, API operation, PDF and CSV;
# prints the figures per role. Also part of `make test`.
.PHONY: pii
pii: install
	$(VENV)/bin/pytest -p no:cacheprovider -q -s tests/harness/test_pii_leaks.py tests/harness/test_pii_scanner.py $(PYTEST_ARGS)

# --- Load test (issue 8): locust against gunicorn on PostgreSQL + Redis, production settings ---
# Not part of CI: prints p50/p95/p99 per endpoint and the ratio to a bare DRF endpoint of the
# same run (bench/load/run.sh; LOAD_DB, LOAD_PORT, LOAD_USERS, LOAD_TIME, LOAD_WORKERS, LOAD_REDIS_DB).
.PHONY: load
load: install
	bash bench/load/run.sh

# --- Mutation testing (issue 8): mutmut over every rules.py and the kernel's calendar and clocks ---
# Not part of CI (tens of minutes on 2 cores). Config in pyproject.toml [tool.mutmut]; mutmut works
# in mutants/ (a copy, with its own SQLite test database), kept afterwards as .mutants/ (hidden, so
# that mypy's and pytest's globs never see the copies). MUTATION_KEEP=1 starts from the previous
# results and re-runs only what changed; MUTATION_JOBS sets the parallel workers (default 2),
# MUTATION_NICE their niceness (default 10: the machine is shared).
MUTATION_JOBS ?= 2
MUTATION_NICE ?= 10
.PHONY: mutation
mutation: install
	@mkdir -p var; rm -rf mutants; \
	if [ -n "$(MUTATION_KEEP)" ] && [ -d .mutants ]; then mv .mutants mutants; else rm -rf .mutants; fi; \
	trap 'rm -rf .mutants; mv mutants .mutants' EXIT; start=$$(date +%s); \
	env -u DATABASE_URL -u REDIS_URL nice -n $(MUTATION_NICE) $(VENV)/bin/mutmut run --max-children $(MUTATION_JOBS) \
		>var/mutation.log 2>&1 || { tail -40 var/mutation.log; exit 1; }; \
	echo "mutmut run: $$(( $$(date +%s) - start )) s (log: var/mutation.log)"; \
	$(PY) scripts/mutation_report.py --diffs

# --- Fault tests (tests/faults/, README "Fault tests") ------------------------------------------
# The quick ones are part of `make test`; this runs them all, with the slow scenarios (a 60 s Redis
# outage under traffic, PostgreSQL restarted under traffic, two webs + two workers + two beats)
# on a PostgreSQL cluster and Redis servers of their own (scripts/faults.sh; never the shared ones).
.PHONY: faults
faults: install
	PYTHON=$(PY) scripts/faults.sh $(PYTEST_ARGS)

# --- Accessibility (tests/browser/test_a11y_axe.py, tests/harness/test_a11y_pages.py) -----------
.PHONY: a11y

# axe and the page checks on every main page of every role, the public pages for every signed-in
# role too (CI checks those once); the keyboard-only booking; the page guards (zh and en).
a11y: install
	A11Y_ALL_ROLES=1 $(VENV)/bin/pytest -p no:cacheprovider -q -s tests/browser/test_a11y_axe.py \
		tests/browser/test_keyboard_booking.py tests/harness/test_a11y_pages.py $(PYTEST_ARGS)

# The 双随机 draw at scale (bench/draw.py): 100,000 units, 300 officers; fetch vs draw vs verify.
# SQLite file var/bench-draw.sqlite3 unless DATABASE_URL names a database of your own.
.PHONY: bench-draw
bench-draw: install
	$(PY) bench/draw.py
