# The two commands: `make book` builds the site, `make test` runs the whole suite. Both create .venv first.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Extra notebooks for `make snapshots NB=...` (default: all of them)
NB     ?=

export RAY_USAGE_STATS_ENABLED := 0
export PYTHONHASHSEED := 0

.PHONY: book test venv snapshots check-posts unit nbval site bench lambda-packages models kernels reader-test clean

venv: $(STAMP)
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

check-posts: $(STAMP) airflow-env
	$(BIN)/mlopsbook posts check notebooks

## make book: build _build/html, executing every notebook (cached); fails on a cell error, an invalid post or a broken reference
book: check-posts
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going

## make snapshots [NB=notebooks/x.md]: re-execute notebooks into snapshots/ (the executed pairs nbval compares)
snapshots: $(STAMP) airflow-env
	$(BIN)/mlopsbook snapshots $(NB)

unit: $(STAMP) airflow-env scan-env deploy-env actions-env
	$(BIN)/python -m pytest -q tests --ignore=tests/test_site.py -m "not slow"

nbval: $(STAMP) airflow-env
	$(BIN)/python -m pytest -q --nbval snapshots --ignore=snapshots/published --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=900

site: book
	$(BIN)/python -m pytest -q tests/test_site.py

## make test: unit and property tests, snapshot consistency, strict nbval on every notebook, the book, the site in Chromium
test: unit nbval site

## make reader-test: every notebook run as a Binder reader runs it (fresh environment from requirements.txt,
## postBuild, MEM_LIMIT 2 GiB): each within 5 minutes and 2 GB, figures in build/reader-run.json; and the costs and
## decision snapshots in a fresh Python 3.12 without mlopsbook, as Colab runs them (about 15 minutes)
reader-test: $(STAMP)
	$(BIN)/python -m pytest -q -s tests/test_reader_run.py tests/test_colab.py

## make bench: every benchmark in benchmarks/ (prints figures and ratios against named baselines)
bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

## make lambda-packages: each NLP service as a Lambda .zip for python3.12 in dist/lambda/ (wheels for the runtime, cached
## in build/wheelhouse/: offline once filled), audited, then each zip answering a real event in AWS's runtime client
lambda-packages: $(STAMP)
	$(BIN)/mlopsbook infer package --out dist/lambda
	$(BIN)/mlopsbook infer runtime-measure --out dist/lambda --runs 1

## make models: retrain both NLP models into a new dated artefact, data/models/legal-nlp-<today>/ (the only way models
## are trained: nothing trains on first use); then set SHIPPED in src/mlopsbook/nlp/artefact.py and re-record
models: $(STAMP)
	$(BIN)/mlopsbook infer train --record

## make kernels: the shipped models' held-out outputs with BLIS, OpenBLAS and NumPy forced to each x86-64 kernel family
kernels: $(STAMP)
	$(BIN)/mlopsbook infer kernels

# Targets of optional engines (Airflow's own environment, ...)
-include mk/*.mk

clean:
	rm -rf _build dist
