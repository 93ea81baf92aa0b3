# Two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
# `make run` serves a development instance: plain-HTTP cookies allowed, demo data.
export PBJ_ENV ?= development
# Links in e-mails and on documents point where `make run` serves (docs/CONFIGURATION.md);
# serving on another address (HOST=0.0.0.0) needs PUBLIC_BASE_URL set (TRUSTED_HOSTS follows its host).
run: export PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test lint venv dev-venv translations migrate seed test-sqlite test-postgres messages clean

run: venv translations instance/config.py
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	@echo "Serving on http://$(HOST):$(PORT) — demo accounts: instance/demo-credentials.txt"
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --access-logfile - app:app

test: dev-venv translations
	$(MAKE) lint
	$(MAKE) test-sqlite
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(MAKE) test-postgres; \
	 else echo "TEST_DATABASE_URL not set: PostgreSQL run skipped."; fi

# Static security analysis; accepted findings carry `# nosec BXXX: reason` (docs/SECURITY.md).
lint: dev-venv
	$(BIN)/bandit --quiet --recursive pbj

test-sqlite:
	PBJ_ENV=testing $(BIN)/python -m pytest

# The second run skips the tests marked `markup` (HTML validity, accessibility, ids, words,
# widths): they check what pages are made of, which the database does not change.
test-postgres:
	PBJ_ENV=testing PBJ_TEST_DB=postgresql $(BIN)/python -m pytest -m "not markup"

# The development loop (a few minutes): unit and web tests on SQLite, without the browser
# and the tests marked slow (races, demo seeding, the payload corpus). `make test` runs all.
# Extra pytest options: make test-fast PYTEST_ARGS="-x tests/web".
.PHONY: test-fast
test-fast: dev-venv translations
	PBJ_ENV=testing $(BIN)/python -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

venv: $(VENV)/.installed
dev-venv: $(VENV)/.installed-dev

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

translations: venv
	$(BIN)/pybabel compile -d pbj/translations -f

# A random SECRET_KEY for this machine, written once (instance/ is not committed).
instance/config.py:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print('SECRET_KEY = %r' % secrets.token_urlsafe(48))" > $@
	chmod 600 $@

# Re-extract the translatable strings and merge them into the catalogues.
messages: venv
	$(BIN)/pybabel extract -F babel.cfg -k _l -o pbj/translations/messages.pot --no-location --sort-output --width 100 .
	$(BIN)/pybabel update -i pbj/translations/messages.pot -d pbj/translations --ignore-obsolete --width 100

clean:
	rm -rf $(VENV) .pytest_cache

# Benchmark, not a test (docs/BENCHMARKS.md): builds bench/results/bench.sqlite3 (100k products)
# if missing, times catalogue searches in-process, then /katalog vs /healthz under gunicorn.
# Extra options: make bench BENCH_ARGS="--rebuild" (or --products 1000000 --db ...).
.PHONY: bench
bench: venv translations
	$(BIN)/python -m bench.run $(BENCH_ARGS)
