# Two commands do all the set-up on a fresh machine with Python 3.11+ and make:
#   make demo   virtual environment, install, migrate SQLite, reference + demo data, serve on :8000
#               (records ./var in ~/.config/jieneng/settings.env when that file does not exist yet;
#               RESET=1 gives the demo accounts new passwords)
#   make test   virtual environment, install with the dev extra, the browser tests' npm tools, run the whole test suite
#   make mutation   mutation testing of app/domain and etl/transform (slow; not part of make test or CI)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

E2E := tests/e2e
E2E_STAMP := $(E2E)/node_modules/.installed

.PHONY: demo test install e2e-deps serve clean mutation mutation-score

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

# Mutation testing, configured in pyproject.toml [tool.mutmut]. MUTANTS narrows the run to some
# mutants, e.g. make mutation MUTANTS='app.domain.units*'; MUTATION_JOBS sets the parallel workers.
# The run is niced: it shares the machine. The score by file comes from tests/mutation_score.py;
# equivalent mutants listed in docs/testing.md are not counted.
MUTATION_JOBS ?= 2
MUTANTS ?=
MUTATION_MIN ?= 90

mutation: install
	rm -rf mutants
	nice -n 10 $(BIN)/mutmut run --max-children $(MUTATION_JOBS) $(MUTANTS)
	$(BIN)/python -m tests.mutation_score --min $(MUTATION_MIN)

mutation-score:
	$(BIN)/python -m tests.mutation_score

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis $(E2E)/node_modules mutants
