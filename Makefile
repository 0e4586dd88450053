# One-command set-up: every target creates .venv/ and installs the package on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test bench lint clean

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
