# Everything installs from this file: a fresh machine needs only Python 3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MELTANO_VENV := .venv-meltano
MELTANO := $(MELTANO_VENV)/bin/meltano
MELTANO_VERSION := 4.4.1
PYAIRBYTE_VENV := .venv-pyairbyte
PYAIRBYTE := $(PYAIRBYTE_VENV)/bin/pyab
PYAIRBYTE_VERSION := 0.71.3
STAMP := $(VENV)/.installed
# uv installs the three venvs below (Meltano 4.4.1 depends on this same release and installs the
# plugin venvs with it): from a tools venv of its own, so that no venv gains a package.
UV_VERSION := 0.13.10
UV_VENV := .venv-uv
UV_STAMP := $(UV_VENV)/.installed
# `pip install` into a venv: $(call pip_install,VENV) ARGS... (scripts/pip_install.sh: uv's when
# .venv-uv has it, else the venv's own pip).
pip_install = sh scripts/pip_install.sh $(1) $(UV_VENV)/bin/uv

.PHONY: install uv meltano pyairbyte test test-docker smoke lint format demo demo-psql bench readme plugin-definitions clean

install: $(STAMP)

# uv, pinned, from PyPI's wheel (never built: where none fits this machine, pip installs
# instead, and says so); `rm -rf .venv-uv` tries again.
uv: $(UV_STAMP)

$(UV_STAMP):
	$(PYTHON) -m venv $(UV_VENV)
	@if $(UV_VENV)/bin/pip install --quiet --only-binary=:all: 'uv==$(UV_VERSION)'; then \
		echo "Installing with uv $(UV_VERSION) ($(UV_VENV)/bin/uv)"; \
	else \
		echo "uv $(UV_VERSION) could not be installed here: installing with pip"; \
	fi
	touch $(UV_STAMP)

# dev includes the sandbox extra: the local Lexful API (Starlette, uvicorn) tests run against;
# airbyte is source-lexful and destination-lexful (airbyte-cdk); dagster is lexful_dagster
# (Dagster 1.13, in the same venv: it moves no version the others pin). airbyte-cdk's
# `backoff` and singer-sdk's `python-backoff` install the same package, the last one wins: the
# third install puts singer-sdk's own back (tests/lexful/airbyte/test_install.py checks its files).
$(STAMP): pyproject.toml | $(UV_STAMP)
	$(PYTHON) -m venv $(VENV)
	$(call pip_install,$(VENV)) --upgrade pip
	@# The distribution was named lexful-singer: an older checkout's venv drops it first (after,
	@# it would take the console scripts both install with it).
	-@$(BIN)/python -m pip uninstall --quiet --yes lexful-singer 2>/dev/null
	$(call pip_install,$(VENV)) -e '.[dev,airbyte,dagster]'
	$(call pip_install,$(VENV)) --force-reinstall --no-deps "python-backoff==$$($(BIN)/python -c 'import importlib.metadata as m; print(m.version("python-backoff"))')"
	touch $(STAMP)

# Meltano lives in its own venv: its dependencies are its own business, not the plugins'.
meltano: $(MELTANO)

$(MELTANO): | $(UV_STAMP)
	$(PYTHON) -m venv $(MELTANO_VENV)
	$(call pip_install,$(MELTANO_VENV)) --upgrade pip
	$(call pip_install,$(MELTANO_VENV)) 'meltano==$(MELTANO_VERSION)'

# PyAirbyte drives source-lexful and destination-lexful in the tests, as a user's job would.
# Its own venv too: it pins SQLAlchemy below the version singer-sdk resolves to. PyAirbyte
# 0.71.3 requires Python < 3.13: scripts/pyairbyte_python.sh takes $(PYTHON) when it is one it
# supports, else the newest supported one on the machine (python3.12 ... python3.10 on PATH,
# then pyenv's); PYAIRBYTE_BASE_PYTHON=... chooses it.
pyairbyte: $(PYAIRBYTE)

$(PYAIRBYTE): | $(UV_STAMP)
	base=$$(sh scripts/pyairbyte_python.sh $(PYTHON)) && $$base -m venv $(PYAIRBYTE_VENV)
	$(call pip_install,$(PYAIRBYTE_VENV)) --upgrade pip
	$(call pip_install,$(PYAIRBYTE_VENV)) 'airbyte==$(PYAIRBYTE_VERSION)'

# tests/docker (the Airbyte images) needs a Docker daemon and builds for minutes: make
# test-docker runs it (.ci/run does).
test: install meltano pyairbyte
	MELTANO_BIN=$(abspath $(MELTANO)) PYAIRBYTE_PYTHON=$(abspath $(PYAIRBYTE_VENV))/bin/python \
		$(BIN)/pytest -q --ignore=tests/docker

# Docker (as root: scripts/docker_setup.sh installs it, starts dockerd and builds a base image
# from Debian's packages), then the Dockerfile's two images built and run against the sandbox.
test-docker: install
	LEXFUL_DOCKER_BASE=$$(bash scripts/docker_setup.sh) $(BIN)/pytest -q tests/docker

# What .ci/run checks on the oldest and the newest Python: the demo and Meltano end to end.
smoke: install meltano
	MELTANO_BIN=$(abspath $(MELTANO)) $(BIN)/python scripts/demo.py
	MELTANO_BIN=$(abspath $(MELTANO)) $(BIN)/pytest -q tests/e2e/test_meltano.py

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# `meltano run tap-lexful target-postgres` against a demo sandbox into an embedded PostgreSQL,
# then the warehouse read back with SQL. The sandbox's data and the database (demo-output/) and
# Meltano's state (.meltano/) stay: the first run is a full one, the next are incremental.
# `rm -rf demo-output` (or make clean) starts over. make demo-psql: psql on that database.
demo: install meltano
	MELTANO_BIN=$(abspath $(MELTANO)) $(BIN)/python scripts/demo.py

demo-psql: install
	$(BIN)/python scripts/demo.py psql

bench: install
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(MELTANO_VENV) $(PYAIRBYTE_VENV) $(UV_VENV) .meltano demo-output .pytest_cache .ruff_cache

# The README's settings tables, meltano.yml's settings and the plugin definitions, all from
# each plugin's --about.
readme: install
	$(BIN)/python scripts/readme_settings.py
	$(BIN)/python scripts/meltano_settings.py
	$(BIN)/python scripts/plugin_definitions.py

# plugins/*/<name>.yml, Meltano's plugin definitions, from each plugin's --about.
plugin-definitions: install
	$(BIN)/python scripts/plugin_definitions.py
