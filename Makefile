# Everything installs from this file: a fresh machine needs only Python 3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MELTANO_VENV := .venv-meltano
MELTANO := $(MELTANO_VENV)/bin/meltano
MELTANO_VERSION := 4.4.1
STAMP := $(VENV)/.installed

.PHONY: install meltano test lint format demo bench readme clean

install: $(STAMP)

# dev includes the sandbox extra: the local Lexful API (Starlette, uvicorn) tests run against.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Meltano lives in its own venv: its dependencies are its own business, not the plugins'.
meltano: $(MELTANO)

$(MELTANO):
	$(PYTHON) -m venv $(MELTANO_VENV)
	$(MELTANO_VENV)/bin/pip install --quiet --upgrade pip
	$(MELTANO_VENV)/bin/pip install --quiet 'meltano==$(MELTANO_VERSION)'

test: install meltano
	MELTANO_BIN=$(abspath $(MELTANO)) $(BIN)/pytest -q

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

demo: install meltano
	MELTANO_BIN=$(abspath $(MELTANO)) $(BIN)/python scripts/demo.py

bench: install
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(MELTANO_VENV) .meltano .pytest_cache .ruff_cache

readme: install
	$(BIN)/python scripts/readme_settings.py
