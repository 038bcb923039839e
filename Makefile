# Staff Bank — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in texts point here; the seed and the server both get it (make run PORT=5101 → http://127.0.0.1:5101).
PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test test-clock faketime install install-dev static migrate seed serve lint bench fuzz clean

## Install runtime dependencies into .venv (re-runs when requirements change).
$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

## Test and tooling dependencies on top.
$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## NHS.UK frontend, htmx and Chart.js, copied from node_modules into bankapp/static/vendor.
bankapp/static/vendor/.built: node_modules/.installed
	npm run --silent build
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
static: bankapp/static/vendor/.built

migrate: install
	$(FLASK) db upgrade

seed: migrate
	PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(FLASK) bank seed-demo

serve: install
	PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(FLASK) run --host $(HOST) --port $(PORT)

## Everything from a fresh clone: venv, pip, npm, migrate, demo trust, serve (HOST, PORT, PUBLIC_BASE_URL to both).
run: install static seed serve

## The whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set.
test: install-dev static
	env -u TEST_DATABASE_URL $(PY) -m pytest -q -p no:cacheprovider
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$TEST_DATABASE_URL) =="; \
		$(PY) -m pytest -q -p no:cacheprovider; \
	else \
		echo "PostgreSQL run skipped: set TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test)"; \
	fi

## The SQLite suite three more times with the process clock moved (Debian's faketime, installed when
## missing): a year ahead, the night the clocks go back in 2027, and half an hour before 2030.
## Tests pin Python's clock themselves, so this proves nothing else reads the real one.
FAKETIME_RUN = env -u TEST_DATABASE_URL faketime -m
test-clock: install-dev static faketime
	$(FAKETIME_RUN) -f "+365d" $(PY) -m pytest -q -p no:cacheprovider
	$(FAKETIME_RUN) "2027-10-31 00:55:00" $(PY) -m pytest -q -p no:cacheprovider
	$(FAKETIME_RUN) "2029-12-31 23:30:00" $(PY) -m pytest -q -p no:cacheprovider

faketime:
	@command -v faketime >/dev/null || { echo "== installing Debian faketime =="; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null; }

## Benchmarks at merged-trust scale against gunicorn + PostgreSQL (127.0.0.1:5432) and Redis;
## generates the year on first use, prints one table and writes bench/RESULTS.md. Not part of `make test`.
bench: install-dev
	$(PY) -m bench.run --two-servers

## A longer API fuzz run (schemathesis) than the bounded one in `make test`.
fuzz: install-dev
	FUZZ_MAX_EXAMPLES=200 FUZZ_RANDOM=1 $(PY) -m pytest -q -p no:cacheprovider tests/test_fuzz.py

lint: install-dev
	$(VENV)/bin/ruff check bankapp tests bench config.py wsgi.py

clean:
	rm -rf $(VENV) node_modules bankapp/static/vendor .pytest_cache
