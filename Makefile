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
	$(BIN)/pln ingest data/sample/naespchat_twarc2.jsonl data/sample/principallife_tags.csv \
		data/sample/roster.csv data/sample/district_slack.zip data/sample/plc_groups.csv \
		--store $(STORE)
	$(BIN)/pln ingest data/sample/advice_survey.csv --format survey --min-frequency 3 \
		--store $(STORE)
	$(BIN)/pln info --store $(STORE)
	mkdir -p data/sample/analysis
	$(BIN)/pln identities --store $(STORE) --out data/sample/analysis/links.csv
	$(BIN)/pln analyze --store $(STORE) --out data/sample/analysis
	$(BIN)/pln flags --store $(STORE) --out data/sample/analysis/flags.csv

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
