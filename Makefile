# Entry points: `make run` serves the demo shop, `make test` runs every test, `make check` lints, checks
# the format and type-checks. Each (re)installs into .venv only when pyproject.toml changed, so re-running
# is fast.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test test-unit test-e2e test-postgres check chromium serve clean messages

# The message catalogues (storefront/locale/<language>/LC_MESSAGES/messages.po, kept in git) are compiled
# to .mo files whenever a .po changed: the shop reads those.
LOCALES   := storefront/locale
COMPILED  := $(patsubst %.po,%.mo,$(wildcard $(LOCALES)/*/LC_MESSAGES/messages.po))

# The local demo serves plain HTTP, so DEBUG=1 (no Secure cookie flag) unless you say otherwise.
run: export DEBUG ?= 1
run: $(VENV)/.installed $(COMPILED)
	$(BIN)/storefront migrate
	$(BIN)/storefront seed --demo --if-empty
	@cat var/demo-owner.txt 2>/dev/null || true
	$(BIN)/storefront serve

test: $(VENV)/.installed-test $(COMPILED) chromium
	$(BIN)/python -m pytest tests/unit -q
	$(BIN)/python -m pytest tests/integration -q
	$(BIN)/python -m pytest tests/e2e -q

test-unit: $(VENV)/.installed-test $(COMPILED)
	$(BIN)/python -m pytest tests/unit -q

test-e2e: $(VENV)/.installed-test $(COMPILED) chromium
	$(BIN)/python -m pytest tests/e2e -q

# The DB-backed tests against throw-away PostgreSQL databases (see scripts/with-postgres).
test-postgres: $(VENV)/.installed-test $(COMPILED)
	bash scripts/with-postgres $(BIN)/python -m pytest tests/unit tests/integration -q -m "not sqlite_only"

# ruff (lint, then format without rewriting) and mypy (its files and checks are in pyproject.toml).
check: $(VENV)/.installed-check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# A Chromium for Playwright: the system one if present; as root on Debian, Debian's package;
# otherwise Playwright's own download.
chromium: $(VENV)/.installed-test
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } || \
	  $(BIN)/python -m playwright install chromium

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

# The test tools too: mypy reads the types of what bench/ imports (Playwright, httpx2).
$(VENV)/.installed-check: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[test,check]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed

clean:
	rm -rf $(VENV) var $(COMPILED)

# Every message the templates and the code show (babel.cfg; N_ marks labels kept in Python) into the
# template, then into each language's catalogue: new messages arrive empty, changed ones fuzzy, and
# tests/unit/test_translations.py fails until a translator has written and checked them.
messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k N_ --sort-by-file --no-wrap -o $(LOCALES)/messages.pot .
	$(BIN)/pybabel -q update -i $(LOCALES)/messages.pot -d $(LOCALES) -D messages --no-wrap --ignore-obsolete
	$(MAKE) $(COMPILED)

$(LOCALES)/%/LC_MESSAGES/messages.mo: $(LOCALES)/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel -q compile -i $< -o $@

# The benchmark (docs/benchmarks.md): a fresh shop of PRODUCTS products served as in production, loaded
# from another process by wrk (installed from Debian as root when missing, else the asyncio client).
.PHONY: bench bench-postgres bench-pages wrk
PRODUCTS ?= 1000
DURATION ?= 10
CONNECTIONS ?= 16
WORKERS ?= 2
BENCH = $(BIN)/python -m bench.run --products $(PRODUCTS) --duration $(DURATION) --connections $(CONNECTIONS) \
	--workers $(WORKERS)

bench: $(VENV)/.installed-test $(COMPILED) wrk
	$(BENCH)

# The same against a throw-away PostgreSQL database (scripts/with-postgres starts and stops the cluster).
bench-postgres: $(VENV)/.installed-test $(COMPILED) wrk
	bash scripts/with-postgres sh -c '$(BENCH) --database-url "$$TEST_SERVER_DATABASE_URL"'

# First-view page weight (Playwright) and Lighthouse mobile scores of a fresh demo shop. Needs node and
# npm: Lighthouse is installed from bench/lighthouse/package-lock.json into var/lighthouse by the script.
bench-pages: RUNS ?= 3
bench-pages: $(VENV)/.installed-test $(COMPILED) chromium
	$(BIN)/python -m bench.pages --runs $(RUNS)

wrk:
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; } || \
	  echo "bench: no wrk; the asyncio client drives every scenario"
