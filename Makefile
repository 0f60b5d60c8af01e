# obc-settle: two commands for a newcomer, `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OBC := $(BIN)/obc-settle

.PHONY: install demo test test-long lint format lock sample-data golden bench clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

## Check and settle every sample contract on the sample extracts, as at quarter end and at year end
## (the year netting off the four quarters paid on account); outputs under out/.
demo: install
	@for contract in contracts/*.yaml; do \
	  id=$$(basename $$contract .yaml); \
	  echo; echo "== $$id: check 2025-26-Q3"; \
	  $(OBC) check $$contract --data sample_data/$$id --period 2025-26-Q3 | tail -1 || exit $$?; \
	  for quarter in Q1 Q2 Q3 Q4; do \
	    if [ $$quarter = Q3 ]; then echo; echo "== $$id 2025-26-Q3"; quiet=""; else quiet="--quiet"; fi; \
	    $(OBC) run $$contract --data sample_data/$$id --period 2025-26-$$quarter --out out/$$id/2025-26-$$quarter --force $$quiet || exit $$?; \
	  done; \
	  echo; echo "== $$id 2025-26 (year end: the quarters paid on account are netted off)"; \
	  $(OBC) run $$contract --data sample_data/$$id --period 2025-26 --out out/$$id/2025-26 --force \
	    --paid out/$$id/2025-26-Q1 --paid out/$$id/2025-26-Q2 --paid out/$$id/2025-26-Q3 --paid out/$$id/2025-26-Q4 || exit $$?; \
	done

## Lint, format check and import layers; then the whole suite on every core.
test: lint
	$(BIN)/python -m pytest -n auto

## What CI checks before the tests: ruff's lint rules, the formatter (check only) and the import layers.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## Rewrite the code in the house format and apply ruff's safe fixes.
format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Nightly: the property and fuzz tests with the long Hypothesis profile (random, 2,000 examples each;
## about 50 minutes on 2 cores). `make test` runs them with the quick, derandomised profile.
test-long: install
	HYPOTHESIS_PROFILE=long $(BIN)/python -m pytest tests/test_properties.py tests/test_properties_mechanisms.py \
	  tests/test_properties_schemes.py tests/test_reconciliation_properties.py tests/test_fuzz_contract_loader.py tests/test_money.py

## Regenerate the sample extracts (deterministic: the same bytes every time).
sample-data: install
	$(BIN)/python sample_data/generate.py

## Regenerate the golden ledger fixtures after an intended change of results.
golden: install
	$(BIN)/python tests/golden/regenerate.py

## Benchmark (not a test; several minutes, 2 cores and ~8 GB for pandas): obc-settle run on record-level
## extracts of 1, 10 and 50 million rows against bare Polars, DuckDB and pandas; writes benchmarks/results.md.
bench: install
	$(BIN)/python benchmarks/run.py

## Re-resolve the locked dependency versions (needs network access to PyPI).
lock: install
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra bench --generate-hashes --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
