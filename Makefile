# The two commands: `make book` builds the site, `make test` runs the whole suite, layer by layer. Both create .venv first.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Extra notebooks for `make snapshots NB=...` (default: all of them)
NB     ?=

export RAY_USAGE_STATS_ENABLED := 0
export PYTHONHASHSEED := 0

.PHONY: book test venv snapshots check-posts unit integration notebooks nbval site bench lambda-packages reader-test clean

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

# One test layer: pytest on $(2) with $(3) (every skip is listed with its reason by tests/conftest.py), then the layer's
# wall time; the layer's exit status is pytest's.
define layer
	@start=$$(date +%s); status=0; $(BIN)/python -m pytest -q $(2) $(3) || status=$$?; \
	echo "== layer $(1): $$(( $$(date +%s) - start )) s (pytest exit $$status)"; exit $$status
endef

## make unit: the library's and the posts' unit tests: no Ray, no Airflow, no book build, no network, no new
## environment (under 3 minutes on 2 cores)
unit: $(STAMP)
	$(call layer,unit,tests/unit tests/posts,-m unit)

## make integration: live Ray and Serve, multi-node clusters, Airflow, fixture books built, packaging, scanners,
## cfn-lint, promtool; each expensive fixture started once (tests/integration/conftest.py)
integration: $(STAMP) airflow-env scan-env deploy-env actions-env
	$(call layer,integration,tests/integration tests/posts,-m integration)

## make notebooks: snapshot consistency, then strict nbval on every notebook
notebooks: $(STAMP) airflow-env
	$(call layer,notebooks,tests/notebooks,-m "notebooks and not slow")
	$(BIN)/python -m pytest -q --nbval snapshots --ignore=snapshots/published --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=900

## make nbval: strict nbval on every snapshot
nbval: $(STAMP) airflow-env
	$(BIN)/python -m pytest -q --nbval snapshots --ignore=snapshots/published --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=900

## make site: the book, then the built site in Chromium
site: book
	$(call layer,site,tests/site,-m site)

## make test: the layers in order of cost (unit, integration, notebooks, site), stopping at the first that fails
## (prerequisites run left to right, one at a time)
.NOTPARALLEL: test
test: unit integration notebooks site

## make reader-test: every notebook run as a Binder reader runs it (fresh environment from requirements.txt,
## postBuild, MEM_LIMIT 2 GiB): each within 5 minutes and 2 GB, figures in build/reader-run.json; and the costs and
## decision snapshots in a fresh Python 3.12 without mlopsbook, as Colab runs them (about 15 minutes)
reader-test: $(STAMP)
	$(BIN)/python -m pytest -q -s tests/notebooks/test_reader_run.py tests/notebooks/test_colab.py

## make bench: every benchmark in benchmarks/ (prints figures and ratios against named baselines)
bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

## make lambda-packages: each NLP service as a Lambda .zip for python3.12 in dist/lambda/ (wheels for the runtime, cached
## in build/wheelhouse/: offline once filled), audited, then each zip answering a real event in AWS's runtime client
lambda-packages: $(STAMP)
	$(BIN)/mlopsbook infer package --out dist/lambda
	$(BIN)/mlopsbook infer runtime-measure --out dist/lambda --runs 1

# Targets of optional engines (Airflow's own environment, ...)
-include mk/*.mk

clean:
	rm -rf _build dist
