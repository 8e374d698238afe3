# Two commands do all the set-up on a fresh machine with Python 3.11+ and make:
#   make demo   virtual environment, install, migrate SQLite, reference + demo data, serve on :8000
#               (records ./var in ~/.config/jieneng/settings.env when that file does not exist yet;
#               RESET=1 gives the demo accounts new passwords)
#   make test   virtual environment, install with the dev extra, the browser tests' npm tools, run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

E2E := tests/e2e
E2E_STAMP := $(E2E)/node_modules/.installed

.PHONY: demo test install e2e-deps serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# axe-core for the accessibility tests, pinned in tests/e2e/package-lock.json; without npm the browser
# tests that need it are skipped (and fail under JIENENG_REQUIRE_BROWSER)
$(E2E_STAMP): $(E2E)/package.json $(E2E)/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix $(E2E) --no-audit --no-fund --loglevel=error && touch $(E2E_STAMP); \
	else echo "npm not found: the accessibility browser tests will not run (install nodejs and npm)"; fi

e2e-deps: $(E2E_STAMP)

demo: install
	$(BIN)/jieneng demo --save-settings $(if $(RESET),--reset-passwords)

test: install e2e-deps
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis $(E2E)/node_modules
