# Two commands a newcomer needs: `make run` and `make test`.
# Each creates .venv when it is missing and (re)installs the project when pyproject.toml changed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test mutants screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

$(VENV)/.installed-mutants: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,mutants]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/keyprobe

# Both cores (each xdist worker starts its own emulator); the 15 slowest tests are listed at the end.
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -n 2 --durations=15 $(PYTEST_ARGS)

# Mutation testing of keys/, the core's signing, diagnosis, clock, history and replay, inspect/, proxy/ and the
# emulator's handler ([tool.mutmut] in pyproject.toml); prints the score per file. A whole run is many hours on
# 2 cores: MUTANTS narrows it to mutant names (globs, one file at a time), keeping the other files' results:
#   make mutants MUTANTS='keys.forensics.*'        make mutants MUTANTS='tui.inspect.curl.*' MUTANT_CHILDREN=1
MUTANTS ?=
MUTANT_CHILDREN ?= 2
mutants: $(VENV)/.installed-mutants
	$(if $(MUTANTS),,rm -rf mutants)
	$(BIN)/mutmut run --max-children $(MUTANT_CHILDREN) $(foreach name,$(MUTANTS),'$(name)')
	$(BIN)/python tests/tools/mutation_score.py

# The README's pictures, drawn from the app by the snapshot tests (a test run only compares).
screenshots: $(VENV)/.installed-test
	KEYPROBE_SCREENSHOTS=1 $(BIN)/python -m pytest -q -n 0 -m screenshot

clean:
	rm -rf $(VENV) .pytest_cache mutants
