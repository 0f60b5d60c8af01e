# obc-settle: two commands for a newcomer, `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OBC := $(BIN)/obc-settle

.PHONY: install demo test test-fast test-long lint format lock sample-data golden bench clean

$(STAMP): requirements.lock pyproject.toml obc_settle/__init__.py
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
	  paid=""; \
	  for quarter in Q1 Q2 Q3 Q4; do \
	    if [ $$quarter = Q3 ]; then echo; echo "== $$id 2025-26-Q3"; quiet=""; else quiet="--quiet"; fi; \
	    $(OBC) run $$contract --data sample_data/$$id --period 2025-26-$$quarter --out out/$$id/2025-26-$$quarter --force $$quiet $$paid || exit $$?; \
	    paid="$$paid --paid out/$$id/2025-26-$$quarter"; \
	  done; \
	  echo; echo "== $$id 2025-26 (year end: the quarters paid on account are netted off)"; \
	  $(OBC) run $$contract --data sample_data/$$id --period 2025-26 --out out/$$id/2025-26 --force \
	    --paid out/$$id/2025-26-Q1 --paid out/$$id/2025-26-Q2 --paid out/$$id/2025-26-Q3 --paid out/$$id/2025-26-Q4 || exit $$?; \
	done
	@echo; echo "== diabetes-alliance 2025-26-Q3 from the providers' Excel returns (sample_data/diabetes-alliance-returns)"
	$(OBC) run contracts/diabetes-alliance.yaml --data sample_data/diabetes-alliance-returns --period 2025-26-Q3 \
	  --out out/diabetes-alliance-returns/2025-26-Q3 --force --quiet \
	  --paid out/diabetes-alliance/2025-26-Q1 --paid out/diabetes-alliance/2025-26-Q2
	@cmp -s out/diabetes-alliance-returns/2025-26-Q3/ledger.csv out/diabetes-alliance/2025-26-Q3/ledger.csv \
	  && echo "the same ledger as from the Parquet extracts: out/diabetes-alliance-returns/2025-26-Q3/ledger.csv"

## Hypothesis profile (tests/conftest.py): `quick` is derandomised, the same examples on every run and
## machine; `HYPOTHESIS_PROFILE=long make test` runs the whole suite with the long, random profile.
HYPOTHESIS_PROFILE ?= quick
export HYPOTHESIS_PROFILE

## Lint, format check, types and import layers; then the whole suite on every core, the tests marked
## slow, browser and pdf included (about 2 minutes on 2 cores). --dist worksteal: a worker that runs
## out of tests takes queued ones from a busy worker, so a long property test does not finish alone.
test: lint
	$(BIN)/python -m pytest -n auto --dist worksteal

## The edit loop (under a minute on 2 cores): no lint, and not the tests marked slow (more than ~3 s:
## property tests, runs in subprocesses), browser (headless chromium) or pdf (PDF rendering and
## poppler). Markers are declared in pyproject.toml; `make test` still runs everything before a commit.
test-fast: install
	$(BIN)/python -m pytest -n auto --dist worksteal -m "not slow and not browser and not pdf"

## What CI checks before the tests: ruff's lint rules, the formatter (check only), the types (mypy,
## configured in pyproject.toml: strict on every package but render/) and the import layers.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## Rewrite the code in the house format and apply ruff's safe fixes.
format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Nightly: every Hypothesis test (pytest's `hypothesis` marker: the property and fuzz tests) with the
## long profile: random examples, 2,000 each, new ones every night (about 50 minutes of test time, spread
## over every core). A failure is kept in .hypothesis/, replayed first next time, and printed with
## @reproduce_failure.
## `make test` runs the same tests with the quick, derandomised profile.
test-long: install
	HYPOTHESIS_PROFILE=long $(BIN)/python -m pytest -n auto --dist worksteal -m hypothesis

## Regenerate the sample extracts (deterministic: the same bytes every time).
sample-data: install
	$(BIN)/python sample_data/generate.py

## Regenerate the golden ledgers (tests/golden/) after an intended change of results. Prints, per ledger,
## the inputs that changed, the lines that change and the money that moves; writes at once when no money
## moves, and only with `make golden ACCEPT=1` (after review) when it does.
golden: install
	$(BIN)/python tests/golden/regenerate.py $(if $(ACCEPT),--accept)

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
