# Two commands do all the set-up on a fresh machine with Python 3.11+ and make:
#   make demo   virtual environment, install, migrate SQLite, reference + demo data, serve on :8000
#   make test   virtual environment, install with the dev extra, run the whole test suite
#   make mutation   mutation testing of app/domain and etl/transform (slow; not part of make test or CI)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install serve clean mutation mutation-score

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/jieneng demo

test: install
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
	rm -rf $(VENV) var .pytest_cache .hypothesis mutants
