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

# Mutation testing of keys/ and the core's signing, diagnosis, clock, history and replay ([tool.mutmut] in
# pyproject.toml): long (tens of minutes on 2 cores); prints the score per file.
mutants: $(VENV)/.installed-mutants
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2
	$(BIN)/python tests/tools/mutation_score.py

# The README's pictures, drawn from the app by the snapshot tests (a test run only compares).
screenshots: $(VENV)/.installed-test
	KEYPROBE_SCREENSHOTS=1 $(BIN)/python -m pytest -q -n 0 -m screenshot

clean:
	rm -rf $(VENV) .pytest_cache mutants
