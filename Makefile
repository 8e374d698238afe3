# Two commands do all the set-up on a fresh machine with Python 3.11+ and make:
#   make demo   virtual environment, install, migrate SQLite, reference + demo data, serve on :8000
#               (records ./var in ~/.config/jieneng/settings.env when that file does not exist yet;
#               RESET=1 gives the demo accounts new passwords)
#   make test   virtual environment, install with the dev extra, run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/jieneng demo --save-settings $(if $(RESET),--reset-passwords)

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
