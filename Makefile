# One-command set-up: every target creates .venv/ and installs the package on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test bench lint clean dist dist-check

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,bench,dev]"
	@touch $(STAMP)

# Byte-compile the package as a regular (non-editable) install would: with
# PYTHONDONTWRITEBYTECODE set, every process would otherwise recompile every module.
BYTECODE := $(PY) -m compileall -q gdplayground

run: $(STAMP)
	@$(BYTECODE)
	$(VENV)/bin/gdplayground

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	@$(BYTECODE)
	$(PY) -m bench

lint: $(STAMP)
	$(VENV)/bin/ruff check gdplayground tests bench

clean:
	rm -rf $(VENV) build *.egg-info bench-results.json

# Desktop app (packaging/README.md): `make dist` builds the wheel and, on Linux, the
# PyInstaller bundle as dist/gdplayground-VERSION-linux-ARCH.tar.gz with install.sh;
# `make dist-check` smoke-tests both. The build venv holds the runtime dependencies
# and PyInstaller only (no test or bench tools), and is kept between builds.
DIST_VENV   := build/dist-venv
DIST_PY     := $(DIST_VENV)/bin/python
DIST_STAMP  := $(DIST_VENV)/.installed
PYINSTALLER ?= pyinstaller>=6.10,<7

$(DIST_STAMP): pyproject.toml setup.py
	@test -x $(DIST_PY) || $(PYTHON) -m venv $(DIST_VENV)
	$(DIST_PY) -m pip install --quiet --upgrade pip
	$(DIST_PY) -m pip install --quiet . "$(PYINSTALLER)"
	@touch $(DIST_STAMP)

dist: $(DIST_STAMP)
	$(DIST_PY) packaging/build_dist.py

dist-check: $(DIST_STAMP)
	$(DIST_PY) packaging/smoke_test.py
