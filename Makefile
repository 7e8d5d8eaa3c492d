# One-command set-up: `make demo` and `make test` create .venv and install what they need.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STORE  ?= data/sample/demo.duckdb

.PHONY: demo test lint sample bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	rm -f $(STORE)
	$(BIN)/pln run data/sample/pln.toml
	@test -f data/sample/analysis/report.html || \
		echo "No report was written (see above); results are in $(CURDIR)/data/sample/analysis/"

test: $(VENV)/.installed
	$(BIN)/ruff check plnanalytics tests scripts
	$(BIN)/python -m pytest

sample: $(VENV)/.installed
	$(BIN)/python scripts/make_sample_data.py --out data/sample

bench: $(VENV)/.installed
	$(BIN)/python scripts/bench_ingest.py
	$(BIN)/python scripts/bench_analyze.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info $(STORE) data/sample/analysis
