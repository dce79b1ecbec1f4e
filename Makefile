# Two commands on a fresh machine: `make run` (the console on the demo fleet) and `make test`;
# `make lint` runs ruff (rules and format, pyproject.toml) and the layers' import contracts.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean screenshots

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/asr-console $(ARGS)

# The whole suite, then the console's pilots and snapshots again on Textual's stock paint path
# (tui/paint/README.md): the console must work, and look, the same on both.
STOCK_TESTS := tests/console tests/snapshots tests/tui tests/tours/test_tours_auto.py \
	tests/tours/test_tour_parts.py tests/reliability/test_hostile_names.py

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)
ifeq ($(PYTEST_ARGS),)
	ASR_CONSOLE_PAINT=stock $(BIN)/python -m pytest $(STOCK_TESTS)
endif

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --items 1000

clean:
	rm -rf $(VENV) .pytest_cache .import_linter_cache

screenshots: $(STAMP)
	$(BIN)/python docs/make_screenshots.py
