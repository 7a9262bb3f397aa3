# The two commands a user needs: `make demo` and `make test`. Both work on a fresh clone:
# they create .venv with the system python3 (3.11 or newer) and install what they need.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint messages clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

## demo: load the reference scenario into ./var (SQLite) and serve it on http://127.0.0.1:8000
demo: $(VENV)/.installed
	$(BIN)/ceasefire demo

# The slow tests (the crash harness: a few minutes per database) run when
# CEASEFIRE_SLOW_TESTS=1, as in CI.
SLOW := $(if $(filter 1,$(CEASEFIRE_SLOW_TESTS)),,-m "not slow")

## test: lint, type-check and run every test (PostgreSQL too when CEASEFIRE_TEST_POSTGRES_URL is set)
test: $(VENV)/.installed-dev lint
	$(BIN)/pytest $(SLOW)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy src

## messages: re-extract interface strings and merge them into the catalogues
messages: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F babel.cfg -k _ -k N_ --no-location --sort-output \
		--project ceasefire --copyright-holder "ceasefire contributors" \
		-o src/ceasefire/locale/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i src/ceasefire/locale/messages.pot -d src/ceasefire/locale

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
